"""CLUENER2020 JSON lines: {"text", "label": {type: {surface: [[start, end_inclusive], ...]}}}."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from .example import Example

LABELS = ("address", "book", "company", "game", "government", "movie", "name", "organization", "position", "scene")


def read_cluener(path: str | Path, corpus: str = "cluener") -> Iterator[Example]:
    path = Path(path)
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        rec = json.loads(line)
        text = rec["text"]
        spans = []
        for label, surfaces in (rec.get("label") or {}).items():
            for surface, positions in surfaces.items():
                for s, e in positions:
                    if text[s:e + 1] != surface:
                        raise ValueError(f"{path}:{n}: span {s}-{e} is {text[s:e + 1]!r}, labelled {surface!r}")
                    spans.append([s, e + 1, label])
        yield Example(id=f"{path.stem}-{n}", text=text, spans=sorted(spans), corpus=corpus)
