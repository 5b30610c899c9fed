"""CoNLL-style BIO files: one token and its tag per line, blank lines between sentences.

A document starts at `-DOCSTART- <id>` or `# id = <id>`; without them every sentence is a
document. Tokens are joined without spaces (Chinese) and the sentences of a document with a line
break. Entities only: BIO holds no relations or commitments, and white space is not a token.
An I- tag that does not continue an entity of its label starts one (the conlleval convention).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Iterator

DOC_START = re.compile(r"^(?:-DOCSTART-|#\s*id\s*=)\s*(.*)$")


def _to_record(doc_id: str, sentences: list[list[tuple[str, str, int]]]) -> dict[str, Any]:
    text, spans, cur = "", [], None
    for k, sent in enumerate(sentences):
        if k:
            text += "\n"
            cur = None
        for token, tag, line in sent:
            start = len(text)
            text += token
            if tag == "O":
                cur = None
                continue
            prefix, _, label = tag.partition("-")
            if prefix not in ("B", "I", "S", "E", "M") or not label:
                raise ValueError(f"line {line}: tag {tag!r} is not B-/I-/E-/S-/M-<label> or O")
            if prefix in ("B", "S") or cur is None or cur[2] != label:
                cur = [start, len(text), label]
                spans.append(cur)
            else:
                cur[1] = len(text)
            if prefix in ("S", "E"):
                cur = None
    entities = [{"id": f"T{i}", "label": lab, "start": s, "end": e, "text": text[s:e]}
                for i, (s, e, lab) in enumerate(spans, 1)]
    return {"id": doc_id, "text": text, "entities": entities, "relations": [], "commitments": []}


def read(path: Path) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    doc_id: str | None = None
    sentences: list[list[tuple[str, str, int]]] = []
    sent: list[tuple[str, str, int]] = []
    count = 0

    def flush() -> Iterator[tuple[str, dict[str, Any] | Exception]]:
        nonlocal count
        if sent:
            sentences.append(list(sent))
            sent.clear()
        if sentences:
            count += 1
            name = doc_id or f"{path.name}#{count}"
            try:
                yield name, _to_record(name, sentences)
            except ValueError as exc:
                yield name, exc
            sentences.clear()

    for n, line in enumerate(path.open(encoding="utf-8-sig"), 1):
        line = line.rstrip("\r\n")
        start = DOC_START.match(line)
        if start:
            yield from flush()
            doc_id = start.group(1).strip() or None
            continue
        if not line.strip():
            if sent:
                sentences.append(list(sent))
                sent.clear()
            if doc_id is None:
                yield from flush()
            continue
        parts = line.split()
        if len(parts) < 2:
            sent.append((parts[0], "O?", n))  # reported as a bad tag when the document is built
            continue
        sent.append((parts[0], parts[-1], n))
    yield from flush()


def write(records: Iterable[dict[str, Any]], path: Path, kind: str = "annotations") -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for n, rec in enumerate(records, 1):
            tags = ["O"] * len(rec["text"])
            for e in rec.get("entities", []):
                tags[e["start"]] = f"B-{e['label']}"
                for i in range(e["start"] + 1, e["end"]):
                    tags[i] = f"I-{e['label']}"
            f.write(f"-DOCSTART- {rec['id']}\n")
            for ch, tag in zip(rec["text"], tags):
                if ch == "\n":
                    f.write("\n")
                elif not ch.isspace():
                    f.write(f"{ch}\t{tag}\n")
            f.write("\n")
    return n
