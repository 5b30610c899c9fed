"""Running the pipeline over input documents: records out, one error record per broken document."""
from __future__ import annotations

import logging
from typing import Iterable, Iterator

from spacy.language import Language

from .io.readers import InputDoc, InputError, Item
from .records import doc_to_record

log = logging.getLogger(__name__)


def extract_items(nlp: Language, items: Iterable[Item], batch_size: int = 8) -> Iterator[dict]:
    """Records (or {"id", "source", "error"} records) for each input item, in input order.

    A batch is processed together; if a component fails on it, its documents are retried one by
    one, so that a crash inside a component costs only the document that caused it.
    """
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            yield from _run(nlp, batch)
            batch = []
    if batch:
        yield from _run(nlp, batch)


def _run(nlp: Language, batch: list[Item]) -> list[dict]:
    docs = [b for b in batch if isinstance(b, InputDoc)]
    try:
        done = dict(zip((id(d) for d in docs), nlp.pipe(d.text for d in docs)))
    except Exception:  # noqa: BLE001 - isolate the document that fails
        done = {}
        for d in docs:
            try:
                done[id(d)] = nlp(d.text)
            except Exception as exc:  # noqa: BLE001
                log.warning("%s: extraction failed: %s", d.source, exc)
                done[id(d)] = exc
    out = []
    for b in batch:
        if isinstance(b, InputError):
            out.append(b.record())
            continue
        res = done[id(b)]
        if isinstance(res, Exception):
            out.append(InputError(b.id, b.source, f"{b.source}: extraction failed: {type(res).__name__}: {res}").record())
        else:
            out.append(doc_to_record(res, doc_id=b.id, extra=b.extra))
    return out
