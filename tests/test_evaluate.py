"""The scorer on hand-computed cases, and against seqeval and the shared reference scorer."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from training.evaluate import entity_sequences, score

TOOLS = Path(__file__).resolve().parents[2] / "shared" / "tools"

TEXT = "白云区委书记洪谦表示，今年GDP增长5.5%，完成固投1400亿元。"


def ent(i, label, surface, start=None, text=TEXT):
    s = text.index(surface) if start is None else start
    return {"id": i, "label": label, "start": s, "end": s + len(surface), "text": surface}


GOLD = {"id": "d1", "text": TEXT, "entities": [
    ent("T1", "ORG", "白云区委"), ent("T2", "TITLE", "书记"), ent("T3", "OFFICIAL", "洪谦"), ent("T4", "DATE", "今年"),
    ent("T5", "METRIC", "GDP"), ent("T6", "VALUE", "5.5%"), ent("T7", "METRIC", "固投"), ent("T8", "VALUE", "1400亿元")],
    "relations": [{"type": "HOLDS", "head": "T3", "tail": "T2"}, {"type": "MEASURES", "head": "T5", "tail": "T6"},
                  {"type": "MEASURES", "head": "T7", "tail": "T8"}],
    "commitments": [
        {"speaker": "T3", "start": 11, "end": 22, "metric": "T5", "value": "T6", "date": "T4", "polarity": "increase"},
        {"speaker": "T3", "start": 23, "end": 33, "metric": "T7", "value": "T8", "date": None, "polarity": "reach"}]}

PRED = {"id": "d1", "text": TEXT, "entities": [
    ent("T1", "DISTRICT", "白云区委"),          # right span, wrong label
    ent("T2", "TITLE", "书记"), ent("T3", "OFFICIAL", "洪谦"),
    ent("T4", "DATE", "今年GDP"),               # boundary error
    ent("T5", "VALUE", "5.5%"), ent("T6", "METRIC", "固投"), ent("T7", "VALUE", "1400亿元"),
    ent("T8", "VALUE", "5.5%")],                # a duplicate prediction counts once
    "relations": [{"type": "HOLDS", "head": "T3", "tail": "T2"}, {"type": "MEASURES", "head": "T6", "tail": "T7"}],
    "commitments": [
        {"speaker": "T3", "start": 11, "end": 16, "metric": None, "value": "T5", "date": None, "polarity": "increase"},
        {"speaker": "T3", "start": 23, "end": 33, "metric": "T6", "value": "T7", "date": None, "polarity": "reach"},
        {"speaker": "T3", "start": 24, "end": 33, "metric": "T6", "value": "T7", "date": None, "polarity": "reach"}]}

MISSING = {"id": "d2", "text": "市长讲话", "entities": [ent("T1", "TITLE", "市长", text="市长讲话")],
           "relations": [], "commitments": []}


def test_evaluate_hand_computed():
    s = score({"d1": GOLD, "d2": MISSING}, {"d1": PRED})
    # entities: gold 9, pred distinct 7; tp = 书记, 洪谦, 5.5%, 固投, 1400亿元 = 5
    assert (s.entities["tp"], s.entities["fp"], s.entities["fn"]) == (5, 2, 4)
    assert s.missing_documents == ["d2"]
    assert s.per_label["ORG"]["fn"] == 1 and s.per_label["DISTRICT"]["fp"] == 1
    assert s.errors["confusion"] == {"ORG->DISTRICT": 1}
    assert s.errors["boundary"] == {"DATE": 1}
    # relations: HOLDS and 固投→1400亿元 match; GDP→5.5% missed
    assert (s.relations["tp"], s.relations["fp"], s.relations["fn"]) == (2, 0, 1)
    # triples: (洪谦, 固投, 1400亿元) matches (twice predicted, a set); (洪谦, None, 5.5%) is wrong
    assert (s.commitment_triples["tp"], s.commitment_triples["fp"], s.commitment_triples["fn"]) == (1, 1, 1)
    # all commitments: gold 11..22 vs pred 11..16: overlap 5 >= half of 5 → match; the 23..33 pair
    # matches once, the second near-duplicate is a false positive
    assert (s.commitments["tp"], s.commitments["fp"], s.commitments["fn"]) == (2, 1, 0)


def test_evaluate_partial_overlap_below_half_does_not_match():
    gold = dict(GOLD, commitments=[dict(GOLD["commitments"][0], start=11, end=31)])
    pred = dict(PRED, commitments=[dict(PRED["commitments"][0], start=11, end=15)])  # 4 chars; half of 4 = 2 → match
    assert score({"d1": gold}, {"d1": pred}).commitments["tp"] == 1
    pred = dict(PRED, commitments=[dict(PRED["commitments"][0], start=29, end=40)])  # overlap 2 < half of 11
    assert score({"d1": gold}, {"d1": pred}).commitments["tp"] == 0


def test_evaluate_agrees_with_seqeval_classification_report():
    gold, pred = {"d1": GOLD, "d2": MISSING}, {"d1": PRED}
    s = score(gold, pred)
    y_true, y_pred = entity_sequences(gold, pred)
    rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    assert s.entities["f1"] == pytest.approx(rep["micro avg"]["f1-score"], abs=1e-4)
    for lab, r in s.per_label.items():
        assert r["f1"] == pytest.approx(rep[lab]["f1-score"], abs=1e-4), lab


@pytest.mark.skipif(not (TOOLS / "score_records.py").exists(), reason="shared reference scorer not present")
def test_evaluate_agrees_with_reference_scorer(tmp_path):
    g, p = tmp_path / "g.jsonl", tmp_path / "p.jsonl"
    g.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (GOLD, MISSING)) + "\n", encoding="utf-8")
    p.write_text(json.dumps(PRED, ensure_ascii=False) + "\n", encoding="utf-8")
    ref = json.loads(subprocess.run([sys.executable, str(TOOLS / "score_records.py"), str(g), str(p), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    ours = score({"d1": GOLD, "d2": MISSING}, {"d1": PRED}).as_dict()
    for key in ("entities", "relations", "commitment_triples", "commitments"):
        assert {k: ours[key][k] for k in ("tp", "fp", "fn")} == {k: ref[key][k] for k in ("tp", "fp", "fn")}, key
    assert ours["missing_documents"] == ref["missing_documents"]


def test_evaluate_confusion_matrix_pairs_overlapping_entities():
    from training.evaluate import confusion_matrix

    text = "广州市长孙志洋表示今年增长"
    gold = {"d": {"id": "d", "text": text, "entities": [
        {"id": "T1", "label": "DISTRICT", "start": 0, "end": 2, "text": "广州"},
        {"id": "T2", "label": "TITLE", "start": 2, "end": 4, "text": "市长"},
        {"id": "T3", "label": "OFFICIAL", "start": 4, "end": 7, "text": "孙志洋"},
        {"id": "T4", "label": "DATE", "start": 9, "end": 11, "text": "今年"}]}}
    pred = {"d": {"id": "d", "text": text, "entities": [
        {"id": "T1", "label": "DISTRICT", "start": 0, "end": 3, "text": "广州市"},  # boundary: still DISTRICT
        {"id": "T2", "label": "PERSON", "start": 4, "end": 7, "text": "孙志洋"},
        {"id": "T3", "label": "METRIC", "start": 11, "end": 13, "text": "增长"}]}}
    m = confusion_matrix(gold, pred)
    assert m == {("DISTRICT", "DISTRICT"): 1, ("TITLE", "DISTRICT"): 1, ("OFFICIAL", "PERSON"): 1,
                 ("DATE", "O"): 1, ("O", "METRIC"): 1}
