"""spaCy's DocBin (`.spacy`): entities are `doc.ents`; our relations, commitments and document id
travel in `doc.user_data["chengnuo"]` when the file was written by us. A DocBin made by other
spaCy tools (Prodigy, `spacy convert`) gives entities only."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

KEY = "chengnuo"


def _blank():
    import spacy

    # one token per character, so every entity boundary is a token boundary
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})


def write(records: Iterable[dict[str, Any]], path: Path, kind: str = "annotations") -> int:
    from spacy.tokens import DocBin

    nlp, db, n = _blank(), DocBin(store_user_data=True), 0
    for n, rec in enumerate(records, 1):
        doc = nlp.make_doc(rec["text"])
        ents = sorted(rec.get("entities", []), key=lambda e: e["start"])
        doc.ents = [doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="expand") for e in ents]
        doc.user_data[KEY] = {"id": rec["id"], "entity_ids": [e["id"] for e in ents],
                              "relations": rec.get("relations", []), "commitments": rec.get("commitments", [])}
        db.add(doc)
    db.to_disk(path)
    return n


def read(path: Path) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    from spacy.tokens import DocBin

    nlp = _blank()
    try:
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    except Exception as exc:  # msgpack and zlib raise their own types
        raise ValueError(f"{path}: not a spaCy DocBin ({exc})") from None
    for n, doc in enumerate(docs, 1):
        extra = doc.user_data.get(KEY) or {}
        doc_id = str(extra.get("id") or f"{path.name}#{n}")
        ids = extra.get("entity_ids") or [f"T{i}" for i in range(1, len(doc.ents) + 1)]
        if len(ids) != len(doc.ents):
            yield doc_id, ValueError(f"{len(doc.ents)} entities but {len(ids)} entity ids in user_data")
            continue
        entities = [{"id": i, "label": e.label_, "start": e.start_char, "end": e.end_char, "text": e.text}
                    for i, e in zip(ids, doc.ents)]
        yield doc_id, {"id": doc_id, "text": doc.text, "entities": entities,
                       # msgpack gives tuples back for lists
                       "relations": [dict(r) for r in extra.get("relations", ())],
                       "commitments": [dict(c) for c in extra.get("commitments", ())]}
