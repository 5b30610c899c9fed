"""Schema JSONL records (our predictions, our gold, users' annotations) as training examples."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.schema import validate_record

from .example import Example


def records_to_examples(records: Iterable[dict], corpus: str) -> Iterator[Example]:
    for rec in records:
        spans = sorted([e["start"], e["end"], e["label"]] for e in rec.get("entities", []))
        yield Example(id=str(rec["id"]), text=rec["text"], spans=spans, corpus=corpus)


def read_record_examples(path: str | Path, corpus: str = "domain") -> Iterator[Example]:
    """Read a JSONL file of records; `gold:<split>` reads the project's own gold split."""
    if str(path).startswith("gold:"):
        from .gold import load_gold

        yield from records_to_examples(load_gold(str(path)[5:]), corpus)
        return
    path = Path(path)

    def checked() -> Iterator[dict]:
        for n, line in enumerate(path.open(encoding="utf-8"), 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            errs = validate_record(rec)
            if errs:
                raise ValueError(f"{path}:{n}: {errs[0]}")
            yield rec

    yield from records_to_examples(checked(), corpus)
