"""Input documents from files, folders, JSON Lines and stdin, each as an `InputDoc` or an
`InputError` that names the file and line, so that one bad document never stops a run."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Union

from .encodings import DecodeError, decode_bytes

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)


@dataclass
class InputDoc:
    id: str
    text: str
    source: str  # file (and line) it came from
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class InputError:
    id: str
    source: str
    reason: str

    def record(self) -> dict[str, str]:
        return {"id": self.id, "source": self.source, "error": self.reason}


Item = Union[InputDoc, InputError]


def iter_paths(inputs: Iterable[str], pattern: str = "*") -> Iterator[Path | str]:
    for raw in inputs:
        if raw == "-":
            yield "-"
            continue
        p = Path(raw)
        if p.is_dir():
            yield from sorted(q for q in p.rglob(pattern)
                              if q.is_file() and q.suffix in TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES)
        else:
            yield p


def read_inputs(inputs: Iterable[str], text_field: str = "text", id_field: str = "id",
                pattern: str = "*", stdin_format: str = "txt") -> Iterator[Item]:
    """Every document of every input, in order.

    inputs: paths of files or folders (searched recursively with `pattern`), or "-" for stdin.
    text_field, id_field: the JSONL keys holding the text and the id.
    """
    for p in iter_paths(inputs, pattern):
        if p == "-":
            data = sys.stdin.buffer.read()
            yield from _read_bytes(data, "<stdin>", "stdin", ".jsonl" if stdin_format == "jsonl" else ".txt",
                                   text_field, id_field)
            continue
        path = Path(p)
        if path.suffix.lower() in PARQUET_SUFFIXES and path.exists():
            from .parquet import read_parquet_inputs

            try:
                yield from read_parquet_inputs(path, text_field, id_field)
            except Exception as exc:  # noqa: BLE001 - a corrupt file is one error, not a crash
                yield InputError(str(path), str(path), f"{path}: cannot read Parquet: {exc}")
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield InputError(str(path), str(path), f"cannot read: {exc.strerror or exc}")
            continue
        yield from _read_bytes(data, str(path), str(path), path.suffix.lower(), text_field, id_field)


def _read_bytes(data: bytes, name: str, doc_id: str, suffix: str, text_field: str, id_field: str) -> Iterator[Item]:
    try:
        text, _ = decode_bytes(data, name)
    except DecodeError as exc:
        yield InputError(doc_id, name, str(exc))
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(text, name, text_field, id_field)
    elif not text.strip():
        yield InputError(doc_id, name, f"{name}: empty document")
    else:
        yield InputDoc(doc_id, text, name)


def _read_jsonl(text: str, name: str, text_field: str, id_field: str) -> Iterator[Item]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, where, f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(rec, dict):
            yield InputError(where, where, f"{where}: a JSON object was expected")
            continue
        doc_id = str(rec.get(id_field, where))
        body = rec.get(text_field)
        if not isinstance(body, str):
            yield InputError(doc_id, where, f"{where}: no {text_field!r} string in the record")
        elif not body.strip():
            yield InputError(doc_id, where, f"{where}: empty text")
        else:
            extra = {k: v for k, v in rec.items() if k not in (text_field, "entities", "relations", "commitments")}
            extra.pop(id_field, None)
            yield InputDoc(doc_id, body, where, extra)
