"""Converters from each corpus format into one internal form (`Example`), loaded as `datasets`."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from .chartags import read_char_tags
from .cluener import read_cluener
from .example import Example, map_labels
from .pku import read_pku
from .records import read_record_examples

__all__ = ["Example", "map_labels", "read_corpus", "to_dataset", "READERS"]

READERS: dict[str, Callable[..., Iterator[Example]]] = {
    "cluener": read_cluener,
    "bio": lambda path, corpus: read_char_tags(path, corpus, "BIO"),
    "bmes": lambda path, corpus: read_char_tags(path, corpus, "BMES"),
    "pku": read_pku,
    "records": read_record_examples,
}


def read_corpus(fmt: str, path: str | Path, corpus: str) -> Iterator[Example]:
    if fmt not in READERS:
        raise ValueError(f"unknown corpus format {fmt!r}; choose from {sorted(READERS)}")
    return READERS[fmt](path, corpus)


def to_dataset(examples: Iterator[Example]):
    """A `datasets.Dataset` of examples (columns id, text, spans, corpus)."""
    from datasets import Dataset

    rows = list(examples)
    return Dataset.from_list(rows) if rows else Dataset.from_dict({"id": [], "text": [], "spans": [], "corpus": []})
