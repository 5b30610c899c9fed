"""The internal training form shared by every corpus: text, character spans, corpus name."""
from __future__ import annotations

from typing import Iterable, Iterator, TypedDict


class Example(TypedDict):
    id: str
    text: str
    spans: list[list]  # [start, end, label], end exclusive
    corpus: str


def spans_from_tags(chars: list[str], tags: list[str], scheme: str = "BIO") -> list[list]:
    """Character spans from per-character BIO or BMES tags (a stray I-/M-/E- opens a span)."""
    spans: list[list] = []
    cur = None
    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            cur = None
            continue
        prefix, label = tag.split("-", 1)
        if prefix in ("B", "S") or cur is None or cur[2] != label:
            cur = [i, i + 1, label]
            spans.append(cur)
        else:
            cur[1] = i + 1
        if prefix in ("S", "E"):
            cur = None
    return spans


def map_labels(examples: Iterable[Example], mapping: dict[str, str | None]) -> Iterator[Example]:
    """Rename labels; a label mapped to None is dropped."""
    for ex in examples:
        spans = [[s, e, mapping[lab]] for s, e, lab in ex["spans"] if mapping.get(lab)]
        yield Example(id=ex["id"], text=ex["text"], spans=spans, corpus=ex["corpus"])
