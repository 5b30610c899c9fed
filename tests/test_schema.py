from pipeline.schema import validate_record

GOOD = {"id": "d1", "text": "市委书记冯忠华讲话",
        "entities": [{"id": "T1", "label": "TITLE", "start": 0, "end": 4, "text": "市委书记"},
                     {"id": "T2", "label": "OFFICIAL", "start": 4, "end": 7, "text": "冯忠华"}],
        "relations": [{"type": "HOLDS", "head": "T2", "tail": "T1"}], "commitments": []}


def test_schema_accepts_good_record():
    assert validate_record(GOOD) == []


def test_schema_rejects_each_problem_with_document_id():
    bad = dict(GOOD, entities=[{"id": "T1", "label": "BOSS", "start": 0, "end": 4, "text": "市委书记"},
                               {"id": "T2", "label": "OFFICIAL", "start": 3, "end": 7, "text": "冯忠华"},
                               {"id": "T3", "label": "DATE", "start": 5, "end": 99, "text": "x"}],
               relations=[{"type": "HOLDS", "head": "T2", "tail": "T9"}],
               commitments=[{"speaker": "T1", "start": 0, "end": 3, "polarity": "up"}])
    errs = validate_record(bad)
    text = "\n".join(errs)
    assert all(e.startswith("d1:") for e in errs)
    for needle in ("unknown label 'BOSS'", "!= text[3:7]", "outside the text", "overlap", "missing entity",
                   "speaker", "polarity"):
        assert needle in text, needle
