"""Annotation-tool formats: lossless round trips, and bad documents rejected with file, id and reason."""
import json

import pytest

from training.interchange import detect_format, document_confidence, export_records, import_annotations

TEXT = "白云区委书记洪谦表示，今年GDP增长5.5%，固投增长8%。"


def _ent(i, label, surface, start):
    return {"id": f"T{i}", "label": label, "start": start, "end": start + len(surface), "text": surface}


def full_record(doc_id="gz-1"):
    ents = [_ent(1, "ORG", "白云区委", 0), _ent(2, "TITLE", "书记", 4), _ent(3, "OFFICIAL", "洪谦", 6),
            _ent(4, "DATE", "今年", 11), _ent(5, "METRIC", "GDP", 13), _ent(6, "VALUE", "5.5%", 18),
            _ent(7, "METRIC", "固投", 23), _ent(8, "VALUE", "8%", 27)]
    return {"id": doc_id, "text": TEXT, "entities": ents,
            "relations": [{"type": "HOLDS", "head": "T3", "tail": "T2"}, {"type": "TITLE_OF", "head": "T2", "tail": "T1"},
                          {"type": "MEASURES", "head": "T5", "tail": "T6"}, {"type": "MEASURES", "head": "T7", "tail": "T8"}],
            "commitments": [
                {"speaker": "T3", "start": 11, "end": 22, "metric": "T5", "value": "T6", "date": "T4", "polarity": "increase"},
                {"speaker": "T3", "start": 23, "end": 29, "metric": "T7", "value": "T8", "date": "T4", "polarity": "increase"},
                {"speaker": "T3", "start": 23, "end": 29, "metric": None, "value": None, "date": None, "polarity": "action"}]}


@pytest.mark.parametrize("fmt,suffix", [("label-studio", ".json"), ("doccano", ".jsonl"), ("docbin", ".spacy")])
def test_interchange_round_trip_is_lossless(tmp_path, fmt, suffix):
    recs = [full_record("a"), dict(full_record("b"), relations=[], commitments=[])]
    path = tmp_path / f"export{suffix}"
    assert export_records(recs, path, fmt) == 2
    assert detect_format(path) == fmt
    got = import_annotations([path])
    assert got.rejected == []
    assert got.records == recs


def test_interchange_label_studio_writes_a_matching_label_config(tmp_path):
    export_records([full_record()], tmp_path / "tasks.json", "label-studio")
    config = (tmp_path / "tasks.label_config.xml").read_text(encoding="utf-8")
    for name in ("OFFICIAL", "METRIC", "HOLDS", "MEASURES", "COMMITMENT", "speaker", "increase"):
        assert f'value="{name}"' in config


def test_interchange_label_studio_uses_latest_annotation_and_renumbers_region_ids(tmp_path):
    task = {"id": 7, "data": {"text": "市长孙志洋"}, "annotations": [
        {"result": [], "updated_at": "2026-01-01T00:00:00"},
        {"updated_at": "2026-02-01T00:00:00", "result": [
            {"id": "xY9", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 2, "end": 5, "text": "孙志洋", "labels": ["OFFICIAL"]}},
            {"id": "a1", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": 2, "text": "市长", "labels": ["TITLE"]}},
            {"from_id": "xY9", "to_id": "a1", "type": "relation", "direction": "right", "labels": ["HOLDS"]}]},
        {"result": [], "was_cancelled": True, "updated_at": "2026-03-01T00:00:00"}]}
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    (rec,) = import_annotations([path]).records
    assert rec["id"] == "task-7"
    assert [(e["id"], e["text"]) for e in rec["entities"]] == [("T1", "市长"), ("T2", "孙志洋")]
    assert rec["relations"] == [{"type": "HOLDS", "head": "T2", "tail": "T1"}]


def test_interchange_rejects_bad_documents_and_keeps_good_ones(tmp_path):
    good = full_record("good")
    bad = []
    r = full_record("outside"); r["entities"][0] = dict(r["entities"][0], start=50, end=54); bad.append(r)
    r = full_record("mismatch"); r["entities"][1] = dict(r["entities"][1], text="市长"); bad.append(r)
    r = full_record("overlap"); r["entities"][1] = dict(r["entities"][1], start=3, text="委书记"); bad.append(r)
    r = full_record("unknown"); r["entities"][3] = dict(r["entities"][3], label="TIME"); bad.append(r)
    r = full_record("dangling"); r["relations"].append({"type": "HOLDS", "head": "T3", "tail": "T99"}); bad.append(r)
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in [bad[0], good, *bad[1:]]) + "{oops\n",
                    encoding="utf-8")
    res = import_annotations([path])
    assert [r["id"] for r in res.records] == ["good"]
    why = {r.doc_id: r.reason for r in res.rejected}
    assert all(r.file == str(path) for r in res.rejected)
    assert "outside the text" in why["outside"]
    assert "!=" in why["mismatch"]
    assert "overlap" in why["overlap"]
    assert "unknown label 'TIME'" in why["unknown"]
    assert "missing entity" in why["dangling"]
    assert "not valid JSON" in why["line 7"]


def test_interchange_rejects_bad_label_studio_tasks_by_document(tmp_path):
    export_records([full_record("ok"), full_record("bad")], tmp_path / "t.json", "label-studio")
    tasks = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    tasks[1]["annotations"][0]["result"][0]["value"]["end"] = 99
    tasks.append({"id": 3, "data": {"text": "无标注", "doc_id": "todo"}, "predictions": [{"result": []}]})
    (tmp_path / "t.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    res = import_annotations([tmp_path / "t.json"])
    assert [r["id"] for r in res.records] == ["ok"]
    assert {r.doc_id for r in res.rejected} == {"bad", "todo"}
    assert "no completed annotation" in str(next(r for r in res.rejected if r.doc_id == "todo"))


def test_interchange_doccano_sequence_labelling_form(tmp_path):
    path = tmp_path / "seq.jsonl"
    path.write_text(json.dumps({"id": 3, "text": "市长孙志洋", "label": [[2, 5, "OFFICIAL"], [0, 2, "TITLE"]]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    (rec,) = import_annotations([path]).records
    assert [(e["label"], e["text"]) for e in rec["entities"]] == [("TITLE", "市长"), ("OFFICIAL", "孙志洋")]


def test_interchange_conll_documents_and_entities(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("-DOCSTART- d1\n市\tB-TITLE\n长\tI-TITLE\n孙\tB-OFFICIAL\n志\tI-OFFICIAL\n洋\tI-OFFICIAL\n\n"
                    "说\tO\n\n-DOCSTART- d2\n广\tI-DISTRICT\n州\tI-DISTRICT\n", encoding="utf-8")
    res = import_annotations([path])
    d1, d2 = res.records
    assert d1["text"] == "市长孙志洋\n说"
    assert [(e["label"], e["text"]) for e in d1["entities"]] == [("TITLE", "市长"), ("OFFICIAL", "孙志洋")]
    assert [(e["label"], e["text"]) for e in d2["entities"]] == [("DISTRICT", "广州")]
    export_records(res.records, tmp_path / "back.conll", "conll")
    assert import_annotations([tmp_path / "back.conll"]).records == res.records


def test_interchange_document_confidence_orders_least_sure_first():
    sure = {"entities": [{"confidence": 0.99}], "commitments": []}
    unsure = {"entities": [{"confidence": 0.4}, {"confidence": 0.9}], "commitments": [{"confidence": 0.5}]}
    assert document_confidence(unsure) < document_confidence(sure) < document_confidence({"entities": []}) + 1e-9
