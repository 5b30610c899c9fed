"""Archive runs: resume after kill -9, error isolation, Parquet, GB18030, workers and Ray equal local."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.batch import BatchOptions, run_batch
from pipeline.io.readers import read_inputs

from conftest import write_jsonl

TEXTS = ["白云区委书记洪谦表示，今年ＧＤＰ增长５．５％，完成固投1400亿元。", "市长孙志洋主持会议。新快报记者郭思杰摄",
         "广州市科技局局长谢明表示，力争全年获批国家、省重大科技项目超百项。"]


def _archive(path: Path, n: int, broken: bool = False) -> Path:
    rows = [{"id": f"a{i:04d}", "text": TEXTS[i % 3] * (1 + i % 4), "n": i} for i in range(n)]
    if broken:
        rows[3] = "{oops"
        rows[7] = {"id": "empty", "text": ""}
        rows[11] = {"id": "boom", "text": "BOOM 这一篇让组件崩溃"}
    return write_jsonl(path, rows)


def _read(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]


@Language.component("explode_on_boom")
def explode_on_boom(doc):
    if "BOOM" in doc.text:
        raise RuntimeError("component crashed")
    return doc


def test_batch_errors_are_isolated_and_recorded(tiny_model, tmp_path, monkeypatch):
    import pipeline

    real_load = pipeline.load

    def load_with_bomb(model=None, **kw):
        nlp = real_load(model, **kw)
        nlp.add_pipe("explode_on_boom", first=True)
        return nlp

    monkeypatch.setattr(pipeline, "load", load_with_bomb)
    src = _archive(tmp_path / "in.jsonl", 20, broken=True)
    out = tmp_path / "out.jsonl"
    s = run_batch(read_inputs([str(src)]), out, BatchOptions(model=str(tiny_model), chunk_size=4, progress=False))
    recs, errs = _read(out), _read(tmp_path / "out.errors.jsonl")
    assert s.documents == 17 and s.errors == 3 and len(recs) == 17
    assert [e["source"] for e in errs] == [f"{src}:4", f"{src}:8", f"{src}:12"]
    assert "component crashed" in errs[2]["error"] and errs[2]["id"] == "boom"
    assert [r["id"] for r in recs] == [f"a{i:04d}" for i in range(20) if i not in (3, 7, 11)]
    assert recs[0]["n"] == 0  # input fields pass through
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_batch_resume_after_kill_equals_uninterrupted(tiny_model, tmp_path):
    src = _archive(tmp_path / "in.jsonl", 600)
    ref = tmp_path / "ref.jsonl"
    run_batch(read_inputs([str(src)]), ref, BatchOptions(model=str(tiny_model), chunk_size=10, progress=False),
              inputs=[str(src)])
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "pipeline.cli", "extract", str(src), "-o", str(out), "--model", str(tiny_model),
           "--chunk-size", "10", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = tmp_path / "out.jsonl.parts"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(parts.glob("part-*.jsonl"))) < 3 and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed: make the archive larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert parts.exists() and not out.exists()
    done_before = len(list(parts.glob("part-*.jsonl")))
    res = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "already done were skipped" in res.stderr and done_before >= 3
    assert out.read_bytes() == ref.read_bytes()
    assert not parts.exists()


def test_batch_refuses_to_overwrite_an_interrupted_run(tiny_model, tmp_path):
    src = _archive(tmp_path / "in.jsonl", 5)
    (tmp_path / "out.jsonl.parts").mkdir()
    with pytest.raises(SystemExit, match="--resume"):
        run_batch(read_inputs([str(src)]), tmp_path / "out.jsonl", BatchOptions(model=str(tiny_model), progress=False))


def test_batch_parquet_roundtrip_and_gb18030(tiny_model, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from pipeline.io.parquet import read_parquet_records

    table = pa.table({"doc_id": ["p1", "p2", "p3"], "body": [TEXTS[0], None, TEXTS[2]], "source": ["x", "y", "z"]})
    pq.write_table(table, tmp_path / "in.parquet")
    (tmp_path / "gb.txt").write_bytes(TEXTS[1].encode("gb18030"))
    out = tmp_path / "out.parquet"
    items = read_inputs([str(tmp_path / "in.parquet"), str(tmp_path / "gb.txt")], text_field="body", id_field="doc_id")
    s = run_batch(items, out, BatchOptions(model=str(tiny_model), chunk_size=2, progress=False))
    assert s.errors == 1  # the row with no text
    recs = list(read_parquet_records(out))
    assert [r["id"] for r in recs] == ["p1", "p3", str(tmp_path / "gb.txt")]
    assert recs[2]["text"] == TEXTS[1] and recs[0]["source"] == "x"
    ref = tmp_path / "ref.jsonl"
    items = read_inputs([str(tmp_path / "in.parquet"), str(tmp_path / "gb.txt")], text_field="body", id_field="doc_id")
    run_batch(items, ref, BatchOptions(model=str(tiny_model), chunk_size=2, progress=False))
    assert recs == _read(ref)


def test_batch_two_workers_equal_one(tiny_model, tmp_path):
    src = _archive(tmp_path / "in.jsonl", 30)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(read_inputs([str(src)]), a, BatchOptions(model=str(tiny_model), chunk_size=4, progress=False))
    run_batch(read_inputs([str(src)]), b, BatchOptions(model=str(tiny_model), chunk_size=4, workers=2, progress=False))
    assert a.read_bytes() == b.read_bytes()


def test_batch_ray_equals_local(tiny_model, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is the optional 'ray' extra")
    src = _archive(tmp_path / "in.jsonl", 24, broken=True)
    a, b = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_batch(read_inputs([str(src)]), a, BatchOptions(model=str(tiny_model), chunk_size=5, progress=False))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        run_batch(read_inputs([str(src)]), b, BatchOptions(model=str(tiny_model), chunk_size=5, engine="ray",
                                                           workers=2, progress=False))
    finally:
        ray.shutdown()
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "local.errors.jsonl").read_bytes() == (tmp_path / "ray.errors.jsonl").read_bytes()
