"""Scores as the schema's "Scores that count" defines them.

Entities: seqeval in strict IOB2 mode over per-character tags, micro and macro, per label.
Relations: type and both entities' exact spans. Commitments: (a) quantitative triples (speaker
name, metric span, value span), exact; (b) all commitments, greedy one-to-one matching with the
same speaker name and clauses overlapping by at least half of the shorter. A gold document missing
from the predictions counts as all missed, and is listed.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from pipeline.model import spans_to_bio

EMPTY = {"entities": [], "relations": [], "commitments": []}


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def records_by_id(path: str | Path) -> dict[str, dict]:
    """The records of a JSONL file keyed by document id, for scoring; the error records of a batch
    run are skipped, so those documents count as missing."""
    docs: dict[str, dict] = {}
    for n, line in enumerate(Path(path).open(encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if "error" in rec and "text" not in rec:
            continue  # an error record of a batch run: the document counts as missing
        if "id" not in rec:
            raise ValueError(f"{path}:{n}: record without 'id'")
        docs[str(rec["id"])] = rec
    return docs


def gold_records(spec: str, data: str | Path | None = None) -> dict[str, dict]:
    """Gold records keyed by id: `gold:<split>` for the project's splits, else a JSONL file."""
    if spec.startswith("gold:"):
        from .corpora.gold import load_gold

        return {r["id"]: r for r in load_gold(spec[5:], data)}
    return records_by_id(spec)


def _ents(rec: dict) -> dict[str, dict]:
    return {e["id"]: e for e in rec.get("entities", [])}


def _speaker(rec: dict, c: dict) -> str | None:
    e = _ents(rec).get(c.get("speaker"))
    return e["text"] if e else None


def relation_keys(rec: dict) -> set[tuple]:
    ents = _ents(rec)
    out = set()
    for r in rec.get("relations", []):
        h, t = ents.get(r["head"]), ents.get(r["tail"])
        if h and t:
            out.add((r["type"], h["start"], h["end"], t["start"], t["end"]))
    return out


def triple_keys(rec: dict) -> set[tuple]:
    ents = _ents(rec)
    out = set()
    for c in rec.get("commitments", []):
        m, v = ents.get(c.get("metric")), ents.get(c.get("value"))
        if v:
            out.add((_speaker(rec, c), (m["start"], m["end"]) if m else None, (v["start"], v["end"])))
    return out


def match_commitments(gold: dict, pred: dict) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one matching in gold order. RETURNS matched pairs, unmatched pred, unmatched gold."""
    g = [(_speaker(gold, c), c["start"], c["end"]) for c in gold.get("commitments", [])]
    p = [(_speaker(pred, c), c["start"], c["end"]) for c in pred.get("commitments", [])]
    used: set[int] = set()
    pairs = []
    for i, (gs, a, b) in enumerate(g):
        for j, (ps, c, d) in enumerate(p):
            if j in used or gs != ps:
                continue
            ov = min(b, d) - max(a, c)
            if ov > 0 and ov >= 0.5 * min(b - a, d - c):
                used.add(j)
                pairs.append((i, j))
                break
    matched_g = {i for i, _ in pairs}
    return pairs, [j for j in range(len(p)) if j not in used], [i for i in range(len(g)) if i not in matched_g]


@dataclass
class Scores:
    documents: int
    missing_documents: list[str]
    entities: dict
    entities_macro_f1: float
    per_label: dict[str, dict]
    relations: dict
    commitment_triples: dict
    commitments: dict
    errors: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, with_errors: bool = False) -> dict:
        d = dict(self.__dict__)
        if not with_errors:
            d.pop("errors")
        return d


def entity_sequences(gold: dict[str, dict], pred: dict[str, dict]) -> tuple[list[list[str]], list[list[str]]]:
    y_true, y_pred = [], []
    for did, g in gold.items():
        p = pred.get(did, EMPTY)
        n = len(g["text"])
        y_true.append(spans_to_bio(n, ((e["start"], e["end"], e["label"]) for e in g.get("entities", []))))
        y_pred.append(spans_to_bio(n, ((e["start"], e["end"], e["label"]) for e in p.get("entities", []) if e["end"] <= n)))
    return y_true, y_pred


def score(gold: dict[str, dict], pred: dict[str, dict], context: int = 12) -> Scores:
    """Score predictions against gold records (both keyed by document id)."""
    y_true, y_pred = entity_sequences(gold, pred)
    labels_seen = {t[2:] for seq in y_true + y_pred for t in seq if t != "O"}
    rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0) \
        if labels_seen else {}
    per_label, tot = {}, Counter()
    errors: dict[str, Any] = {"confusion": Counter(), "boundary": Counter(), "false_positives": [], "false_negatives": [],
                              "commitments_missed": [], "commitments_spurious": []}
    for did, g in gold.items():
        p = pred.get(did, EMPTY)
        ge = {(e["start"], e["end"], e["label"]) for e in g.get("entities", [])}
        pe = {(e["start"], e["end"], e["label"]) for e in p.get("entities", [])}
        for k in ge & pe:
            tot[(k[2], "tp")] += 1
        for k in pe - ge:
            tot[(k[2], "fp")] += 1
        for k in ge - pe:
            tot[(k[2], "fn")] += 1
        _entity_errors(did, g["text"], ge, pe, errors, context)
    for lab in sorted({lab for lab, _ in tot}):
        per_label[lab] = prf(tot[(lab, "tp")], tot[(lab, "fp")], tot[(lab, "fn")])
        if lab in rep:  # seqeval agrees with the span count; keep its support figure for the table
            per_label[lab]["support"] = int(rep[lab]["support"])
    ent = prf(sum(v for (l, k), v in tot.items() if k == "tp"), sum(v for (l, k), v in tot.items() if k == "fp"),
              sum(v for (l, k), v in tot.items() if k == "fn"))
    if rep:
        ent["seqeval_f1"] = round(rep["micro avg"]["f1-score"], 4)
    c = Counter()
    for did, g in gold.items():
        p = pred.get(did, EMPTY)
        gr, pr = relation_keys(g), relation_keys(p)
        c["rtp"] += len(gr & pr); c["rfp"] += len(pr - gr); c["rfn"] += len(gr - pr)
        gt, pt = triple_keys(g), triple_keys(p)
        c["ttp"] += len(gt & pt); c["tfp"] += len(pt - gt); c["tfn"] += len(gt - pt)
        pairs, spurious, missed = match_commitments(g, p)
        c["ctp"] += len(pairs); c["cfp"] += len(spurious); c["cfn"] += len(missed)
        for i in missed:
            cm = g["commitments"][i]
            errors["commitments_missed"].append({"doc": did, "speaker": _speaker(g, cm), "clause": g["text"][cm["start"]:cm["end"]]})
        for j in spurious:
            cm = p["commitments"][j]
            errors["commitments_spurious"].append({"doc": did, "speaker": _speaker(p, cm), "clause": p["text"][cm["start"]:cm["end"]]
                                                   if "text" in p else ""})
    errors["confusion"] = {f"{a}->{b}": n for (a, b), n in errors["confusion"].most_common()}
    errors["boundary"] = dict(errors["boundary"].most_common())
    macro = round(sum(v["f1"] for v in per_label.values()) / len(per_label), 4) if per_label else 0.0
    return Scores(documents=len(gold), missing_documents=sorted(set(gold) - set(pred)), entities=ent,
                  entities_macro_f1=macro, per_label=per_label, relations=prf(c["rtp"], c["rfp"], c["rfn"]),
                  commitment_triples=prf(c["ttp"], c["tfp"], c["tfn"]), commitments=prf(c["ctp"], c["cfp"], c["cfn"]),
                  errors=errors)


def _entity_errors(did: str, text: str, ge: set, pe: set, errors: dict, context: int) -> None:
    gold_by_span = {(s, e): lab for s, e, lab in ge}

    def ctx(s: int, e: int) -> str:
        return f"{text[max(0, s - context):s]}【{text[s:e]}】{text[e:e + context]}"

    for s, e, lab in sorted(pe - ge):
        if (s, e) in gold_by_span:
            errors["confusion"][(gold_by_span[(s, e)], lab)] += 1
            kind = f"label ({gold_by_span[(s, e)]}→{lab})"
        elif any(gs < e and s < ge_ and glab == lab for gs, ge_, glab in ge):
            errors["boundary"][lab] += 1
            kind = "boundary"
        else:
            kind = "spurious"
        errors["false_positives"].append({"doc": did, "label": lab, "text": text[s:e], "kind": kind, "context": ctx(s, e)})
    pred_spans = {(s, e) for s, e, _ in pe}
    for s, e, lab in sorted(ge - pe):
        kind = "label" if (s, e) in pred_spans else \
            "boundary" if any(ps < e and s < pe_ and plab == lab for ps, pe_, plab in pe) else "missed"
        errors["false_negatives"].append({"doc": did, "label": lab, "text": text[s:e], "kind": kind, "context": ctx(s, e)})


def confusion_matrix(gold: dict[str, dict], pred: dict[str, dict]) -> Counter:
    """Entity label confusion by overlap: (gold label, predicted label) counts, with "O" for a gold
    entity no prediction overlaps (missed) and for a prediction that overlaps no gold entity
    (spurious). Each gold entity is paired with the prediction it overlaps most."""
    out: Counter = Counter()
    for did, g in gold.items():
        pe = [(e["start"], e["end"], e["label"]) for e in pred.get(did, EMPTY).get("entities", [])]
        hit = set()
        for e in g.get("entities", []):
            overlaps = [(min(e["end"], t) - max(e["start"], s), k) for k, (s, t, _) in enumerate(pe)
                        if s < e["end"] and e["start"] < t]
            if overlaps:
                k = max(overlaps)[1]
                hit.update(k for _, k in overlaps)
                out[(e["label"], pe[k][2])] += 1
            else:
                out[(e["label"], "O")] += 1
        for k, (_, _, lab) in enumerate(pe):
            if k not in hit:
                out[("O", lab)] += 1
    return out


def format_table(s: Scores) -> str:
    lines = [f"documents {s.documents} (missing {len(s.missing_documents)}"
             + (f": {', '.join(s.missing_documents[:10])}" if s.missing_documents else "") + ")",
             f"{'':22s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>6s} {'fp':>6s} {'fn':>6s}"]
    for name in ("entities", "relations", "commitment_triples", "commitments"):
        r = getattr(s, name)
        lines.append(f"{name:22s} {r['p']:6.3f} {r['r']:6.3f} {r['f1']:6.3f} {r['tp']:6d} {r['fp']:6d} {r['fn']:6d}")
    lines.append(f"{'entities (macro F1)':22s} {'':6s} {'':6s} {s.entities_macro_f1:6.3f}")
    for lab, r in s.per_label.items():
        lines.append(f"  {lab:20s} {r['p']:6.3f} {r['r']:6.3f} {r['f1']:6.3f} {r['tp']:6d} {r['fp']:6d} {r['fn']:6d}")
    return "\n".join(lines)


def predict_records(model: str | Path | None, gold: Iterable[dict], batch_size: int = 8) -> dict[str, dict]:
    """Run extraction on the gold texts with a model folder (None: the default model)."""
    import pipeline
    from pipeline.extract import extract_items
    from pipeline.io.readers import InputDoc

    nlp = pipeline.load(model)
    items = [InputDoc(str(g["id"]), g["text"], str(g["id"])) for g in gold]
    return {r["id"]: r for r in extract_items(nlp, items, batch_size) if "error" not in r}
