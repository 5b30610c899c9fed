"""Reading text files whatever their encoding: UTF-8, UTF-8 with BOM, GB18030."""
from __future__ import annotations

from pathlib import Path

class DecodeError(ValueError):
    pass


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode with the first encoding that reads the bytes cleanly.

    RETURNS (tuple[str, str]): the text and the encoding used ("utf-8-sig", "utf-8" or "gb18030").
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if b"\x00" in data[:4096]:
        raise DecodeError(f"{name}: binary data (NUL bytes), not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise DecodeError(f"{name}: neither UTF-8 nor GB18030 text (first bad byte at {bad})") from None


def read_text(path: str | Path) -> tuple[str, str]:
    path = Path(path)
    return decode_bytes(path.read_bytes(), str(path))
