"""Parquet in and out: one row per document, entities/relations/commitments as nested columns."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from .readers import InputDoc, InputError, Item

def _schema():
    """The Parquet schema (built on use: pyarrow is imported only where Parquet is read or written)."""
    import pyarrow as pa

    norm = pa.struct([("number", pa.float64()), ("unit", pa.string()), ("bound", pa.string())])
    entity = pa.struct([("id", pa.string()), ("label", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                        ("text", pa.string()), ("confidence", pa.float64()), ("normalized", norm)])
    relation = pa.struct([("type", pa.string()), ("head", pa.string()), ("tail", pa.string())])
    commitment = pa.struct([("speaker", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
                            ("metric", pa.string()), ("value", pa.string()), ("date", pa.string()),
                            ("polarity", pa.string()), ("confidence", pa.float64())])
    return pa.schema([("id", pa.string()), ("text", pa.string()), ("entities", pa.list_(entity)),
                      ("relations", pa.list_(relation)), ("commitments", pa.list_(commitment)),
                      ("extra", pa.string())])


CORE = ("id", "text", "entities", "relations", "commitments")


def records_to_table(records: list[dict]):
    """A pyarrow Table of records; input fields passed through go into `extra` as JSON."""
    import pyarrow as pa

    rows = []
    for r in records:
        row = {k: r.get(k) for k in CORE}
        extra = {k: v for k, v in r.items() if k not in CORE}
        row["extra"] = json.dumps(extra, ensure_ascii=False) if extra else None
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=_schema())


def table_to_records(table) -> list[dict]:
    out = []
    for row in table.to_pylist():
        extra = json.loads(row.pop("extra") or "{}")
        for e in row["entities"]:
            if e.get("normalized") is None:
                e.pop("normalized", None)
        out.append({**extra, **row})
    return out


class ParquetWriter:
    """Append record batches to one Parquet file (memory stays at one batch)."""

    def __init__(self, path: str | Path):
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(str(path), _schema())

    def write(self, records: list[dict]) -> None:
        if records:
            self._writer.write_table(records_to_table(records))

    def close(self) -> None:
        self._writer.close()


def read_parquet_records(path: str | Path) -> Iterator[dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=256):
        yield from table_to_records(pa.Table.from_batches([batch]))


def read_parquet_inputs(path: str | Path, text_column: str = "text", id_column: str = "id",
                        batch_size: int = 256) -> Iterator[Item]:
    """Documents from a Parquet file's text and id columns, streamed batch by batch."""
    import pyarrow.parquet as pq

    f = pq.ParquetFile(str(path))
    names = f.schema_arrow.names
    if text_column not in names:
        yield InputError(str(path), str(path), f"{path}: no column {text_column!r} (columns: {', '.join(names)})")
        return
    row = 0
    for batch in f.iter_batches(batch_size=batch_size):
        cols = batch.to_pydict()
        for i in range(batch.num_rows):
            row += 1
            where = f"{path}:row {row}"
            doc_id = str(cols[id_column][i]) if id_column in cols and cols[id_column][i] is not None else where
            text = cols[text_column][i]
            if not isinstance(text, str) or not text.strip():
                yield InputError(doc_id, where, f"{where}: empty or missing text")
                continue
            extra = {k: v[i] for k, v in cols.items() if k not in (text_column, id_column) and _jsonable(v[i])}
            yield InputDoc(doc_id, text, where, extra)


def _jsonable(v) -> bool:
    return isinstance(v, (str, int, float, bool)) or v is None
