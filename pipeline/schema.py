"""The record contract of ../shared/spec/SCHEMA.md, defined once and imported everywhere."""
from __future__ import annotations

from typing import Any, Iterable

ENTITY_LABELS: tuple[str, ...] = ("OFFICIAL", "PERSON", "TITLE", "ORG", "DISTRICT", "METRIC", "VALUE", "DATE")
RELATION_TYPES: dict[str, tuple[set[str], set[str]]] = {
    "HOLDS": ({"OFFICIAL"}, {"TITLE"}),
    "TITLE_OF": ({"TITLE"}, {"ORG", "DISTRICT"}),
    "MEASURES": ({"METRIC"}, {"VALUE"}),
}
POLARITIES: tuple[str, ...] = ("increase", "decrease", "reach", "action")
SPEAKER_LABELS: frozenset[str] = frozenset({"OFFICIAL", "ORG"})
BOUNDS: tuple[str, ...] = ("ge", "le", "approx", "eq")
# which entity label each commitment slot must point to
COMMITMENT_SLOTS: dict[str, str] = {"metric": "METRIC", "value": "VALUE", "date": "DATE"}


class RecordError(ValueError):
    """A record that breaks the schema; the message names the document and the reason."""


def validate_record(rec: dict[str, Any]) -> list[str]:
    """Check one record against the schema.

    rec (dict): a JSONL record with `id`, `text` and optional entities/relations/commitments.
    RETURNS (list[str]): one message per problem, empty when the record is valid.
    """
    errs: list[str] = []
    doc_id = rec.get("id", "<no id>")
    text = rec.get("text")
    if not isinstance(text, str):
        return [f"{doc_id}: 'text' is missing or not a string"]
    ents: dict[str, dict] = {}
    spans: list[tuple[int, int, str]] = []
    for e in rec.get("entities", []):
        eid = e.get("id")
        if eid in ents:
            errs.append(f"{doc_id}: duplicate entity id {eid}")
        ents[eid] = e
        if e.get("label") not in ENTITY_LABELS:
            errs.append(f"{doc_id}: entity {eid} has unknown label {e.get('label')!r}")
        s, t = e.get("start"), e.get("end")
        if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t <= len(text)):
            errs.append(f"{doc_id}: entity {eid} has offsets {s}..{t} outside the text (length {len(text)})")
            continue
        if text[s:t] != e.get("text"):
            errs.append(f"{doc_id}: entity {eid} text {e.get('text')!r} != text[{s}:{t}] {text[s:t]!r}")
        spans.append((s, t, eid))
    spans.sort()
    for (s1, t1, a), (s2, t2, b) in zip(spans, spans[1:]):
        if s2 < t1:
            errs.append(f"{doc_id}: entities {a} and {b} overlap")
    for r in rec.get("relations", []):
        typ = r.get("type")
        if typ not in RELATION_TYPES:
            errs.append(f"{doc_id}: unknown relation type {typ!r}")
            continue
        heads, tails = RELATION_TYPES[typ]
        h, t = ents.get(r.get("head")), ents.get(r.get("tail"))
        if h is None or t is None:
            errs.append(f"{doc_id}: relation {typ} {r.get('head')}->{r.get('tail')} refers to a missing entity")
        elif h["label"] not in heads or t["label"] not in tails:
            errs.append(f"{doc_id}: relation {typ} cannot link {h['label']} -> {t['label']}")
    for i, c in enumerate(rec.get("commitments", [])):
        sp = ents.get(c.get("speaker"))
        if sp is None or sp.get("label") not in SPEAKER_LABELS:
            errs.append(f"{doc_id}: commitment {i} speaker {c.get('speaker')!r} is not an OFFICIAL or ORG entity")
        s, t = c.get("start"), c.get("end")
        if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t <= len(text)):
            errs.append(f"{doc_id}: commitment {i} has offsets {s}..{t} outside the text")
        for slot, label in COMMITMENT_SLOTS.items():
            ref = c.get(slot)
            if ref is not None and (ref not in ents or ents[ref].get("label") != label):
                errs.append(f"{doc_id}: commitment {i} {slot} {ref!r} is not a {label} entity")
        if c.get("polarity") not in POLARITIES:
            errs.append(f"{doc_id}: commitment {i} has polarity {c.get('polarity')!r}")
        conf = c.get("confidence")
        if conf is not None and not 0.0 <= conf <= 1.0:
            errs.append(f"{doc_id}: commitment {i} confidence {conf} outside [0, 1]")
    return errs


def entity_by_id(rec: dict[str, Any]) -> dict[str, dict]:
    return {e["id"]: e for e in rec.get("entities", [])}


def iter_entity_spans(rec: dict[str, Any]) -> Iterable[tuple[int, int, str]]:
    for e in rec.get("entities", []):
        yield e["start"], e["end"], e["label"]
