"""Annotation-tool formats in and out of the schema's records.

Import: Label Studio JSON exports, Doccano JSONL, spaCy DocBin, CoNLL/BIO and our own JSONL all
become schema records. Each document is checked on its own; a bad one is rejected with the file,
document id and reason, and the good documents of the same file are kept.
Export: records (gold, or predictions to correct) as Label Studio tasks or Doccano JSONL.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pipeline.schema import validate_record

from . import conll, docbin, doccano, labelstudio
from .lines import json_lines

# format name → reader yielding (document id, record or exception) for each document of a file
READERS: dict[str, Callable[[Path], Iterator[tuple[str, dict[str, Any] | Exception]]]] = {
    "label-studio": labelstudio.read,
    "doccano": doccano.read,
    "docbin": docbin.read,
    "conll": conll.read,
    "jsonl": lambda path: _read_jsonl(path),
}
WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], Path, str], int]] = {
    "label-studio": labelstudio.write,
    "doccano": doccano.write,
    "docbin": docbin.write,
    "conll": conll.write,
}


@dataclass
class Rejection:
    file: str
    doc_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.doc_id}: {self.reason}"


@dataclass
class ImportResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """Guess a file's format from its suffix and, for JSON, its first record's keys."""
    suffix = path.suffix.lower()
    if suffix in (".spacy", ".docbin"):
        return "docbin"
    if suffix in (".conll", ".bio", ".bmes", ".tsv", ".txt"):
        return "conll"
    with path.open(encoding="utf-8-sig") as f:
        head = f.read(1)
        if head == "[":
            return "label-studio"
        first = (head + f.readline()).strip()
    try:
        obj = json.loads(first)
    except json.JSONDecodeError:
        raise ValueError(f"{path}: cannot tell the annotation format; give --format") from None
    if isinstance(obj, dict) and "data" in obj and ("annotations" in obj or "predictions" in obj):
        return "label-studio"
    ents = obj.get("entities") if isinstance(obj, dict) else None
    if isinstance(obj, dict) and ("label" in obj or ents and isinstance(ents[0], dict) and "start_offset" in ents[0]):
        return "doccano"
    return "jsonl"


def import_annotations(paths: Iterable[str | Path], fmt: str | None = None) -> ImportResult:
    """Read annotation files into schema records.

    paths: files, each in any supported format (detected from its contents unless `fmt` is given).
    RETURNS (ImportResult): the valid records, and one rejection per bad document or duplicate id.
    """
    out = ImportResult()
    seen: dict[str, str] = {}
    for p in map(Path, paths):
        name = fmt or detect_format(p)
        if name not in READERS:
            raise ValueError(f"unknown annotation format {name!r}; choose from {sorted(READERS)}")
        for doc_id, rec in READERS[name](p):
            if isinstance(rec, Exception):
                out.rejected.append(Rejection(str(p), doc_id, str(rec)))
                continue
            errs = validate_record(rec)
            if doc_id in seen:
                errs.append(f"duplicate document id (also in {seen[doc_id]})")
            if errs:
                reasons = "; ".join(e.removeprefix(f"{doc_id}: ") for e in errs)
                out.rejected.append(Rejection(str(p), doc_id, reasons))
                continue
            seen[doc_id] = str(p)
            out.records.append(rec)
    return out


def export_records(records: Iterable[dict[str, Any]], path: str | Path, fmt: str,
                   kind: str = "annotations") -> int:
    """Write records for an annotation tool. kind: "annotations" (gold) or "predictions"
    (pre-annotations to correct). RETURNS (int): the number of documents written."""
    if fmt not in WRITERS:
        raise ValueError(f"cannot export to {fmt!r}; choose from {sorted(WRITERS)}")
    return WRITERS[fmt](records, Path(path), kind)


def document_confidence(rec: dict[str, Any]) -> float:
    """How sure the model was of a document: the mean confidence of its entities and commitments
    (1.0 with none), so documents to correct can be ordered least confident first."""
    scores = [x.get("confidence", 1.0) for key in ("entities", "commitments") for x in rec.get(key, [])]
    return round(sum(scores) / len(scores), 4) if scores else 1.0


def _read_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    for n, rec in json_lines(path):
        if isinstance(rec, Exception) or not isinstance(rec, dict) or "id" not in rec:
            yield f"line {n}", rec if isinstance(rec, Exception) else ValueError(f"line {n}: record without 'id'")
            continue
        for key in ("entities", "relations", "commitments"):
            rec.setdefault(key, [])
        yield str(rec["id"]), rec
