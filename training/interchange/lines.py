"""JSON Lines input shared by the formats that use it: each line parsed on its own, so that one
broken line rejects one document and not the file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) for each non-empty line; a ValueError naming the line in place
    of the object when the line is not JSON."""
    for n, line in enumerate(path.open(encoding="utf-8-sig"), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, ValueError(f"line {n}: not valid JSON ({exc.msg})")
