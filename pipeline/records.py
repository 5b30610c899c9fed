"""From a processed `Doc` to the schema's JSONL record, and back to hand-built docs for tests."""
from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span


def doc_to_record(doc: Doc, doc_id: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record of ../shared/spec/SCHEMA.md for `doc`.

    doc (Doc): a document processed by the pipeline.
    doc_id (str): the record id (default: `doc._.doc_id`, else "doc").
    extra (dict): input fields passed through (title, date, url, …).
    RETURNS (dict): {"id", "text", "entities", "relations", "commitments", **extra}.
    """
    ids: dict[tuple[int, int], str] = {}
    entities = []
    for n, ent in enumerate(doc.ents, 1):
        eid = f"T{n}"
        ids[(ent.start_char, ent.end_char)] = eid
        e = {"id": eid, "label": ent.label_, "start": ent.start_char, "end": ent.end_char, "text": ent.text,
             "confidence": ent._.confidence if ent._.confidence is not None else 1.0}
        if ent.label_ == "VALUE" and ent._.normalized:
            e["normalized"] = ent._.normalized
        entities.append(e)

    def ref(span: Span | None) -> str | None:
        return None if span is None else ids.get((span.start_char, span.end_char))

    relations = [{"type": typ, "head": ref(h), "tail": ref(t)} for typ, h, t in (doc._.relations or [])]
    commitments = [{"speaker": ref(c["speaker"]), "start": c["start"], "end": c["end"], "text": doc.text[c["start"]:c["end"]],
                    "metric": ref(c.get("metric")), "value": ref(c.get("value")), "date": ref(c.get("date")),
                    "polarity": c["polarity"], "confidence": c.get("confidence", 1.0)}
                   for c in (doc._.commitments or [])]
    rec = dict(extra or {})
    rec.update({"id": doc_id or doc._.doc_id or rec.get("id") or "doc", "text": doc.text, "entities": entities,
                "relations": relations, "commitments": commitments})
    return rec
