"""Label Studio's JSON export format (tasks with `data`, `annotations` and `predictions`).

Entities are `labels` regions on the text; HOLDS/TITLE_OF/MEASURES are `relation` results. A
commitment is a region labelled COMMITMENT over its clause, with a per-region `choices` result
for its polarity and relations named speaker/metric/value/date to its entities, so a round trip
through Label Studio loses nothing. `label_config()` is the matching labelling interface.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.schema import COMMITMENT_SLOTS, ENTITY_LABELS, POLARITIES, RELATION_TYPES

COMMITMENT = "COMMITMENT"
SLOT_RELATIONS = ("speaker", *COMMITMENT_SLOTS)
COLOURS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45")


def label_config() -> str:
    """The labelling interface (XML) that matches the tasks `write` produces."""
    labels = "\n".join(f'    <Label value="{lab}" background="{c}"/>' for lab, c in zip(ENTITY_LABELS, COLOURS))
    rels = "\n".join(f'    <Relation value="{r}"/>' for r in (*RELATION_TYPES, *SLOT_RELATIONS))
    pols = "\n".join(f'    <Choice value="{p}"/>' for p in POLARITIES)
    return f"""<View>
  <Relations>
{rels}
  </Relations>
  <Labels name="label" toName="text">
{labels}
  </Labels>
  <Labels name="commitment" toName="text">
    <Label value="{COMMITMENT}" background="#ffe119"/>
  </Labels>
  <Text name="text" value="$text" granularity="symbol"/>
  <Choices name="polarity" toName="text" perRegion="true" whenLabelValue="{COMMITMENT}">
{pols}
  </Choices>
</View>
"""


def to_result(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's entities, relations and commitments as one Label Studio `result` list."""
    text = rec["text"]
    out: list[dict[str, Any]] = []
    for e in rec.get("entities", []):
        out.append({"id": e["id"], "from_name": "label", "to_name": "text", "type": "labels",
                    "value": {"start": e["start"], "end": e["end"], "text": e["text"], "labels": [e["label"]]}})
    for r in rec.get("relations", []):
        out.append({"from_id": r["head"], "to_id": r["tail"], "type": "relation", "direction": "right",
                    "labels": [r["type"]]})
    for i, c in enumerate(rec.get("commitments", []), 1):
        cid = f"C{i}"
        span = {"start": c["start"], "end": c["end"], "text": text[c["start"]:c["end"]]}
        out.append({"id": cid, "from_name": "commitment", "to_name": "text", "type": "labels",
                    "value": dict(span, labels=[COMMITMENT])})
        out.append({"id": cid, "from_name": "polarity", "to_name": "text", "type": "choices",
                    "value": dict(span, choices=[c["polarity"]])})
        for slot in SLOT_RELATIONS:
            if c.get(slot):
                out.append({"from_id": cid, "to_id": c[slot], "type": "relation", "direction": "right",
                            "labels": [slot]})
    return out


def to_task(rec: dict[str, Any], kind: str = "annotations", score: float | None = None,
            model_version: str = "chengnuo") -> dict[str, Any]:
    """One Label Studio task; kind "predictions" makes it a pre-annotation to correct."""
    data = {"text": rec["text"], "doc_id": rec["id"]}
    if kind == "predictions":
        pred: dict[str, Any] = {"model_version": model_version, "result": to_result(rec)}
        if score is not None:
            pred["score"] = score
        return {"data": data, "predictions": [pred]}
    return {"data": data, "annotations": [{"result": to_result(rec), "was_cancelled": False}]}


def write(records: Iterable[dict[str, Any]], path: Path, kind: str = "annotations") -> int:
    from . import document_confidence

    tasks = [to_task(r, kind, document_confidence(r) if kind == "predictions" else None) for r in records]
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    path.with_name(path.stem + ".label_config.xml").write_text(label_config(), encoding="utf-8")
    return len(tasks)


def from_task(task: dict[str, Any]) -> dict[str, Any]:
    """The record of one exported task, from its latest completed annotation."""
    data = task.get("data") or {}
    text = data.get("text")
    if not isinstance(text, str):
        raise ValueError("task has no data.text")
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not done:
        raise ValueError("task has no completed annotation (predictions alone are not gold)")
    result = max(done, key=lambda a: a.get("updated_at") or a.get("created_at") or "").get("result") or []
    regions, polarity, links = [], {}, []
    for item in result:
        kind = item.get("type")
        if kind == "labels":
            regions.append(item)
        elif kind == "choices" and item.get("from_name") == "polarity":
            polarity[item["id"]] = (item["value"].get("choices") or [None])[0]
        elif kind == "relation":
            links.append(item)
    ents = [r for r in regions if COMMITMENT not in r["value"].get("labels", [])]
    clauses = [r for r in regions if COMMITMENT in r["value"].get("labels", [])]
    ents.sort(key=lambda r: (r["value"]["start"], r["value"]["end"]))
    new_id = {r["id"]: f"T{i}" for i, r in enumerate(ents, 1)}
    entities = []
    for r in ents:
        v = r["value"]
        labels = v.get("labels") or []
        if len(labels) != 1:
            raise ValueError(f"region {r['id']} has {len(labels)} labels, expected one")
        s, e = int(v["start"]), int(v["end"])
        entities.append({"id": new_id[r["id"]], "label": labels[0], "start": s, "end": e,
                         "text": v.get("text", text[s:e])})
    relations, slots = [], {}
    for link in links:
        name = (link.get("labels") or [None])[0]
        head, tail = link.get("from_id"), link.get("to_id")
        if name in SLOT_RELATIONS:
            slots.setdefault(head, {})[name] = new_id.get(tail, f"<missing {tail}>")
        else:
            relations.append({"type": name, "head": new_id.get(head, f"<missing {head}>"),
                              "tail": new_id.get(tail, f"<missing {tail}>")})
    commitments = []
    for r in sorted(clauses, key=lambda r: (r["value"]["start"], r["value"]["end"])):
        s = slots.get(r["id"], {})
        commitments.append({"speaker": s.get("speaker"), "start": int(r["value"]["start"]), "end": int(r["value"]["end"]),
                            **{k: s.get(k) for k in COMMITMENT_SLOTS}, "polarity": polarity.get(r["id"])})
    doc_id = str(data.get("doc_id") or data.get("id") or f"task-{task.get('id')}")
    return {"id": doc_id, "text": text, "entities": entities, "relations": relations, "commitments": commitments}


def read(path: Path) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a Label Studio JSON export ({exc.msg} at line {exc.lineno})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    for n, task in enumerate(tasks, 1):
        data = task.get("data") or {} if isinstance(task, dict) else {}
        doc_id = str(data.get("doc_id") or data.get("id") or f"task-{task.get('id', n) if isinstance(task, dict) else n}")
        try:
            yield doc_id, from_task(task)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            yield doc_id, ValueError(f"task {n}: {exc.__class__.__name__}: {exc}")
