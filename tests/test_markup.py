"""Annotation markup ↔ records, and the gold corpus itself."""
import pytest

from pipeline.schema import validate_record
from training.corpora.markup import parse_markup, to_markup

from conftest import needs_data

REC = {"id": "pd-x", "text": "白云区委书记洪谦表示，今年GDP增长5.5%。洪谦表示，今年GDP增长5.5%。",
       "entities": [{"id": "T1", "label": "ORG", "start": 0, "end": 4, "text": "白云区委"},
                    {"id": "T2", "label": "TITLE", "start": 4, "end": 6, "text": "书记"},
                    {"id": "T3", "label": "OFFICIAL", "start": 6, "end": 8, "text": "洪谦"},
                    {"id": "T4", "label": "METRIC", "start": 13, "end": 16, "text": "GDP"},
                    {"id": "T5", "label": "VALUE", "start": 18, "end": 22, "text": "5.5%"}],
       "relations": [{"type": "HOLDS", "head": "T3", "tail": "T2"}, {"type": "MEASURES", "head": "T4", "tail": "T5"}],
       "commitments": [{"speaker": "T3", "start": 28, "end": 39, "metric": None, "value": None, "date": None,
                        "polarity": "action"}]}
assert REC["text"][28:39] == "今年GDP增长5.5%" and REC["text"].index("今年GDP增长5.5%") == 11


def test_markup_roundtrip(tmp_path):
    f = tmp_path / "pd-x.ann"
    f.write_text(to_markup(REC), encoding="utf-8")
    back, errors = parse_markup(f)
    assert errors == []
    assert back["text"] == REC["text"] and back["entities"] == REC["entities"]
    assert back["relations"] == REC["relations"]
    assert back["commitments"] == REC["commitments"]  # the second occurrence of the clause, via "nth"


def test_markup_reports_problems_with_file(tmp_path):
    f = tmp_path / "bad.ann"
    f.write_text("# id: bad\n=== text\n[[BOSS:洪谦]]表示[[OFFICIAL:李强]]\n=== annotations\n"
                 '{"rel": "HOLDS", "head": "T2", "tail": "T9"}\n{"speaker": "T2", "clause": "不存在", "polarity": "action"}\n'
                 "not json\n", encoding="utf-8")
    _, errors = parse_markup(f)
    text = "\n".join(errors)
    assert "unknown label 'BOSS'" in text and "not found in the text" in text and "not JSON" in text
    assert "missing entity" in text and all(str(f) in e for e in errors)


@needs_data
@pytest.mark.parametrize("split,minimum", [("train", 40), ("dev", 10), ("test", 20), ("retrain", 20), ("round4", 30), ("round5", 15)])
def test_markup_gold_splits_are_valid(split, minimum):
    from training.corpora.gold import load_gold

    recs = list(load_gold(split))
    assert len(recs) >= minimum
    for rec in recs:
        assert validate_record(rec) == [], rec["id"]
