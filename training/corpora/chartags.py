"""One character and its tag per line, a blank line between sentences (MSRA, People's Daily NER,
Resume in BMES, Weibo with .NAM/.NOM suffixes)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .example import Example, spans_from_tags


def read_char_tags(path: str | Path, corpus: str, scheme: str = "BIO") -> Iterator[Example]:
    path = Path(path)
    chars: list[str] = []
    tags: list[str] = []
    n_sent = 0

    def flush() -> Example:
        nonlocal chars, tags, n_sent
        n_sent += 1
        ex = Example(id=f"{path.stem}-{n_sent}", text="".join(chars), spans=spans_from_tags(chars, tags, scheme),
                     corpus=corpus)
        chars, tags = [], []
        return ex

    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip():
            if chars:
                yield flush()
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"{path}:{n}: expected 'char tag', got {line!r}")
        ch, tag = parts
        # Weibo writes the character with a segment-position digit (科0) and tags with .NAM/.NOM
        chars.append(ch[0])
        tags.append(tag.replace("M-", "I-").split(".")[0] if tag != "O" else tag)
    if chars:
        yield flush()
