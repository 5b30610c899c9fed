"""The command line on real files: formats, encodings, bad input, render, evaluate, validate."""
import json

from typer.testing import CliRunner

from pipeline.cli import app

from conftest import write_jsonl

runner = CliRunner()
TEXT = "白云区委书记洪谦表示，今年ＧＤＰ增长５．５％。"


def _lines(out: str) -> list[dict]:
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def test_cli_extract_mixed_inputs_isolates_errors(tiny_model, tmp_path):
    (tmp_path / "a.md").write_text("# 标题\n\n" + TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(TEXT.encode("gb18030"))
    (tmp_path / "c.txt").write_text("", encoding="utf-8")
    jl = write_jsonl(tmp_path / "d.jsonl", [{"id": "j1", "text": TEXT, "title": "t"}, "{broken", {"id": "j3"}])
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["extract", str(tmp_path / "a.md"), str(tmp_path / "b.txt"), str(tmp_path / "c.txt"),
                              str(jl), str(tmp_path / "nope.txt"), "--model", str(tiny_model), "-o", str(out)])
    assert res.exit_code == 1
    ok = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    bad = [json.loads(l) for l in (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in ok] == [str(tmp_path / "a.md"), str(tmp_path / "b.txt"), "j1"]
    assert ok[1]["text"] == TEXT and ok[2]["title"] == "t"
    assert [r["source"] for r in bad] == [str(tmp_path / "c.txt"), f"{jl}:2", f"{jl}:3", str(tmp_path / "nope.txt")]
    for r in ok:
        for e in r["entities"]:
            assert r["text"][e["start"]:e["end"]] == e["text"] and 0 <= e["confidence"] <= 1


def test_cli_extract_stdin_and_pretty(tiny_model):
    res = runner.invoke(app, ["extract", "-", "--model", str(tiny_model), "--format", "pretty"], input=TEXT)
    assert res.exit_code == 0, res.output
    assert res.output.startswith("== stdin")


def test_cli_render_writes_html(tiny_model, tmp_path):
    recs = write_jsonl(tmp_path / "r.jsonl", [{
        "id": "d", "text": TEXT, "entities": [{"id": "T1", "label": "OFFICIAL", "start": 6, "end": 8, "text": "洪谦"}],
        "relations": [], "commitments": [{"speaker": "T1", "start": 11, "end": 22, "metric": None, "value": None,
                                          "date": None, "polarity": "action"}]}])
    out = tmp_path / "page.html"
    res = runner.invoke(app, ["render", str(recs), "--records", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "洪谦" in page and "今年ＧＤＰ增长５．５％" in page and "OFFICIAL" in page


def test_cli_evaluate_table_json_and_report(tmp_path):
    gold = {"id": "d", "text": TEXT, "entities": [{"id": "T1", "label": "OFFICIAL", "start": 6, "end": 8, "text": "洪谦"},
                                                  {"id": "T2", "label": "DATE", "start": 11, "end": 13, "text": "今年"}],
            "relations": [], "commitments": []}
    pred = dict(gold, entities=gold["entities"][:1])
    g, p = write_jsonl(tmp_path / "g.jsonl", [gold]), write_jsonl(tmp_path / "p.jsonl", [pred])
    res = runner.invoke(app, ["evaluate", str(g), str(p), "--json", "--report", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.output)
    assert scores["entities"]["tp"] == 1 and scores["entities"]["fn"] == 1 and scores["entities"]["r"] == 0.5
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "False negatives" in html and "今年" in html
    table = runner.invoke(app, ["evaluate", str(g), str(p)]).output
    assert "entities" in table and "DATE" in table


def test_cli_validate_names_file_and_line(tmp_path):
    f = write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "text": "洪谦", "entities": [
        {"id": "T1", "label": "OFFICIAL", "start": 0, "end": 2, "text": "洪谦"}]},
        {"id": "b", "text": "洪谦", "entities": [{"id": "T1", "label": "NAME", "start": 0, "end": 2, "text": "洪谦"}]}])
    res = runner.invoke(app, ["validate", str(f)])
    assert res.exit_code == 1
    assert f"{f}:2: b: entity T1 has unknown label 'NAME'" in res.output


def test_cli_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("chengnuo ")


def test_cli_annotate_export_least_confident_first_then_import(tiny_model, tmp_path):
    docs = write_jsonl(tmp_path / "in.jsonl", [{"id": f"d{i}", "text": TEXT[: 8 + 4 * i]} for i in range(4)])
    res = runner.invoke(app, ["annotate", "export", str(docs), "--to", "label-studio", "-o", str(tmp_path / "ls.json"),
                              "--model", str(tiny_model), "--limit", "3"])
    assert res.exit_code == 0, res.output
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    scores = [t["predictions"][0]["score"] for t in tasks]
    assert len(tasks) == 3 and scores == sorted(scores)
    assert (tmp_path / "ls.label_config.xml").exists()
    # an annotator accepts the first task's predictions as they are and skips the others
    tasks[0]["annotations"] = [{"result": tasks[0]["predictions"][0]["result"]}]
    (tmp_path / "done.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(app, ["annotate", "import", str(tmp_path / "done.json"), "-o", str(tmp_path / "gold.jsonl")])
    assert res.exit_code == 1  # two tasks were not annotated: named, and left out
    assert "no completed annotation" in res.output and "1 record(s)" in res.output
    (rec,) = _lines((tmp_path / "gold.jsonl").read_text(encoding="utf-8"))
    assert rec["id"] == tasks[0]["data"]["doc_id"] and rec["text"] == tasks[0]["data"]["text"]


def test_cli_models_lists_and_switches_default(tiny_model, tmp_path):
    from pipeline.registry import register

    reg = tmp_path / "registry.json"
    register(tiny_model, {"scores": {"entities": 0.5}}, make_default=True, path=reg)
    register(tmp_path / "other", {}, make_default=False, path=reg)
    res = runner.invoke(app, ["models", "--registry", str(reg)])
    assert res.exit_code == 0 and f"* {tiny_model.name}" in res.output and "entities 0.500" in res.output
    res = runner.invoke(app, ["models", "--registry", str(reg), "--default", "other"])
    assert "* other" in res.output
    assert runner.invoke(app, ["models", "--registry", str(reg), "--default", "nope"]).exit_code != 0
