"""The PKU People's Daily 1998 corpus: `word/TAG` tokens, one paragraph per line, compounds in
brackets ([中共中央/nt 办公厅/n]nt). Person names written as surname + given name (江/nr 泽民/nr)
are joined into one span."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from .example import Example

TAG_MAP = {"nr": "PER", "ns": "LOC", "nt": "ORG", "t": "TIME", "m": "NUM"}
TOKEN = re.compile(r"(\[)?([^\s/]+)/([a-zA-Z]+)(\][a-z]+)?")


def article_id(paragraph_id: str) -> str:
    """The article a PKU paragraph belongs to (19980101-01-001-002 → 19980101-01-001)."""
    return paragraph_id.rsplit("-", 1)[0]


def read_pku(path: str | Path, corpus: str = "pku") -> Iterator[Example]:
    path = Path(path)
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        line = line.strip()
        if not line:
            continue
        toks = line.split()
        text_parts: list[str] = []
        spans: list[list] = []
        pos = 0
        compound_start: int | None = None
        for tok in toks[1:]:  # the first token is the paragraph id
            m = TOKEN.fullmatch(tok)
            if not m:
                raise ValueError(f"{path}:{n}: cannot read token {tok!r}")
            opening, word, tag, closing = m.groups()
            if opening:
                compound_start = pos
            start, pos = pos, pos + len(word)
            text_parts.append(word)
            label = TAG_MAP.get(tag)
            if compound_start is None and label:
                prev = spans[-1] if spans else None
                # adjacent pieces of one name, number or time (江/nr 泽民/nr; 一九九七年/t 十二月/t)
                if prev and prev[1] == start and prev[2] == label and label in ("PER", "TIME"):
                    prev[1] = pos
                else:
                    spans.append([start, pos, label])
            if tag == "q" and spans and spans[-1][1] == start and spans[-1][2] == "NUM":
                spans[-1][1] = pos  # a numeral with its measure word is one quantity
            if closing:
                outer = TAG_MAP.get(closing[1:])
                if outer and compound_start is not None:
                    spans = [s for s in spans if s[0] < compound_start]
                    spans.append([compound_start, pos, outer])
                compound_start = None
        yield Example(id=toks[0].rsplit("/", 1)[0], text="".join(text_parts), spans=spans, corpus=corpus)
