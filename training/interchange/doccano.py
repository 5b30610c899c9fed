"""Doccano's JSONL: the relation-project form (`entities` with start_offset/end_offset and
`relations` with from_id/to_id/type) and the plain sequence-labelling form (`label`: [[start,
end, label]]).

Doccano has no per-span attributes, so a commitment is a span labelled COMMITMENT:<polarity> over
its clause, linked to its speaker, metric, value and date by relations of those names.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.schema import COMMITMENT_SLOTS

from .lines import json_lines

PREFIX = "COMMITMENT:"
SLOT_RELATIONS = ("speaker", *COMMITMENT_SLOTS)


def to_line(rec: dict[str, Any], n: int) -> dict[str, Any]:
    ids = {e["id"]: k for k, e in enumerate(rec.get("entities", []), 1)}
    entities = [{"id": ids[e["id"]], "label": e["label"], "start_offset": e["start"], "end_offset": e["end"]}
                for e in rec.get("entities", [])]
    relations = [{"id": k, "from_id": ids[r["head"]], "to_id": ids[r["tail"]], "type": r["type"]}
                 for k, r in enumerate(rec.get("relations", []), 1)]
    next_id = len(entities) + 1
    for c in rec.get("commitments", []):
        entities.append({"id": next_id, "label": PREFIX + c["polarity"], "start_offset": c["start"],
                         "end_offset": c["end"]})
        for slot in SLOT_RELATIONS:
            if c.get(slot):
                relations.append({"id": len(relations) + 1, "from_id": next_id, "to_id": ids[c[slot]], "type": slot})
        next_id += 1
    return {"id": n, "doc_id": rec["id"], "text": rec["text"], "entities": entities, "relations": relations}


def write(records: Iterable[dict[str, Any]], path: Path, kind: str = "annotations") -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for n, rec in enumerate(records, 1):
            line = to_line(rec, n)
            if kind == "predictions":
                from . import document_confidence

                line["confidence"] = document_confidence(rec)
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return n


def from_line(obj: dict[str, Any], doc_id: str) -> dict[str, Any]:
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("line has no 'text'")
    if "entities" in obj:
        spans = [(e["id"], e["label"], int(e["start_offset"]), int(e["end_offset"])) for e in obj["entities"]]
    else:  # sequence labelling: [[start, end, label], ...]
        spans = [(k, lab, int(s), int(e)) for k, (s, e, lab) in enumerate(obj.get("label") or [], 1)]
    ents = sorted((s for s in spans if not str(s[1]).startswith(PREFIX)), key=lambda s: (s[2], s[3]))
    new_id = {s[0]: f"T{i}" for i, s in enumerate(ents, 1)}
    entities = [{"id": new_id[k], "label": lab, "start": s, "end": e, "text": text[s:e] if 0 <= s < e <= len(text) else ""}
                for k, lab, s, e in ents]
    relations, slots = [], {}
    for r in obj.get("relations") or []:
        if r["type"] in SLOT_RELATIONS:
            slots.setdefault(r["from_id"], {})[r["type"]] = new_id.get(r["to_id"], f"<missing {r['to_id']}>")
        else:
            relations.append({"type": r["type"], "head": new_id.get(r["from_id"], f"<missing {r['from_id']}>"),
                              "tail": new_id.get(r["to_id"], f"<missing {r['to_id']}>")})
    commitments = []
    for k, lab, s, e in sorted((s for s in spans if str(s[1]).startswith(PREFIX)), key=lambda s: (s[2], s[3])):
        slot = slots.get(k, {})
        commitments.append({"speaker": slot.get("speaker"), "start": s, "end": e,
                            **{name: slot.get(name) for name in COMMITMENT_SLOTS}, "polarity": lab[len(PREFIX):]})
    return {"id": doc_id, "text": text, "entities": entities, "relations": relations, "commitments": commitments}


def read(path: Path) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    for n, obj in json_lines(path):
        if isinstance(obj, Exception):
            yield f"line {n}", obj
            continue
        doc_id = str(obj.get("doc_id") or obj.get("id") or f"line {n}") if isinstance(obj, dict) else f"line {n}"
        try:
            yield doc_id, from_line(obj, doc_id)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            yield doc_id, ValueError(f"line {n}: {exc.__class__.__name__}: {exc}")
