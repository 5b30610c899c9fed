import json

from pipeline.io.encodings import decode_bytes
from pipeline.io.readers import InputDoc, InputError, read_inputs

TEXT = "白云区委书记洪谦表示，今年ＧＤＰ增长５．５％。"


def test_readers_detect_encodings(tmp_path):
    (tmp_path / "a.txt").write_bytes(TEXT.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    (tmp_path / "c.txt").write_bytes(TEXT.encode("gb18030"))
    docs = list(read_inputs([str(tmp_path)]))
    assert [d.text for d in docs] == [TEXT] * 3
    assert decode_bytes(TEXT.encode("gb18030"))[1] == "gb18030"
    assert decode_bytes(b"\xef\xbb\xbf" + TEXT.encode())[1] == "utf-8-sig"


def test_readers_jsonl_passes_fields_and_reports_bad_lines(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text("\n".join([json.dumps({"id": "a", "text": TEXT, "url": "u"}, ensure_ascii=False),
                            "{not json", json.dumps({"id": "c"}), json.dumps({"id": "d", "text": "  "}),
                            json.dumps({"doc": "e", "body": TEXT}, ensure_ascii=False)]) + "\n", encoding="utf-8")
    items = list(read_inputs([str(p)]))
    assert isinstance(items[0], InputDoc) and items[0].extra == {"url": "u"}
    errs = [i for i in items if isinstance(i, InputError)]
    assert [e.source for e in errs] == [f"{p}:2", f"{p}:3", f"{p}:4", f"{p}:5"]
    assert "not valid JSON" in errs[0].reason and "'text'" in errs[1].reason and "empty" in errs[2].reason
    alt = list(read_inputs([str(p)], text_field="body", id_field="doc"))
    assert [i.id for i in alt if isinstance(i, InputDoc)] == ["e"]


def test_readers_bad_files_are_errors_not_crashes(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    items = list(read_inputs([str(tmp_path / "empty.txt"), str(tmp_path / "bin.txt"), str(tmp_path / "missing.txt")]))
    assert all(isinstance(i, InputError) for i in items)
    assert "empty" in items[0].reason and "binary" in items[1].reason and "cannot read" in items[2].reason
    assert all(str(tmp_path) in i.reason or str(tmp_path) in i.source for i in items)
