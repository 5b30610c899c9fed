"""The project's gold corpus: document list, source texts and annotations.

`annotations/documents.jsonl` lists each document's source in ../shared/data and its split; the
annotations in `annotations/gold/*.jsonl` are stand-off (no licensed text inside), and the texts are
read back from the shared corpora here, checked against the length recorded at annotation time.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[2]
ANNOTATIONS = REPO / "annotations"
DEFAULT_DATA = REPO.parent / "shared" / "data"


def data_dir(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get("CHENGNUO_DATA") or DEFAULT_DATA)


@lru_cache(maxsize=8)
def _source_index(path: str) -> dict[str, str]:
    p = Path(path)
    if p.suffix == ".txt":
        return {"": p.read_text(encoding="utf-8")}
    out: dict[str, str] = {}
    for line in p.open(encoding="utf-8"):
        rec = json.loads(line)
        key = rec.get("id") or rec.get("title")
        out[key] = rec.get("text") or rec.get("content")
    return out


def document_text(doc: dict[str, Any], data: str | Path | None = None) -> str:
    """The text of one gold document, rebuilt from its source corpus."""
    src = data_dir(data) / doc["source"]
    if not src.exists():
        raise FileNotFoundError(f"{doc['id']}: source corpus {src} is not there (set CHENGNUO_DATA)")
    full = _source_index(str(src))[doc.get("source_id") or ""]
    body = full[doc["start"]:doc["end"]]
    # a work-report excerpt keeps the report's title as its heading, which names the speaker body
    return f"{doc['heading']}\n\n{body}" if doc.get("heading") else body


def documents(split: str | None = None) -> list[dict[str, Any]]:
    docs = [json.loads(line) for line in (ANNOTATIONS / "documents.jsonl").open(encoding="utf-8")]
    return [d for d in docs if split is None or d["split"] == split]


def held_out_sources(splits: tuple[str, ...] = ("dev", "test")) -> set[str]:
    """Source ids (PKU article ids, work-report titles) of the documents in the evaluation splits:
    no training corpus, labelled or raw, may contain their text."""
    return {d["source_id"] for d in documents() if d["split"] in splits and d.get("source_id")}


def load_gold(split: str, data: str | Path | None = None) -> Iterator[dict[str, Any]]:
    """Gold records of one split (train/dev/test) with their texts filled in."""
    path = ANNOTATIONS / "gold" / f"{split}.jsonl"
    meta = {d["id"]: d for d in documents(split)}
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        rec = json.loads(line)
        text = document_text(meta[rec["id"]], data)
        if len(text) != rec["length"]:
            raise ValueError(f"{path}:{n}: {rec['id']} source text has length {len(text)}, annotated {rec['length']}")
        rec = dict(rec, text=text)
        del rec["length"]
        yield rec
