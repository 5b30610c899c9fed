"""The encoder comparison table reads each candidate's benchmark.json and weights."""
import json
import shutil

from training.encoders import candidate_row, format_table


def test_encoders_table_row_from_benchmark_and_weights(tiny_model, tmp_path):
    folder = tmp_path / "candidate"
    shutil.copytree(tiny_model, folder)
    f1 = lambda x: {"p": x, "r": x, "f1": x}  # noqa: E731
    bench = {"tasks": {"MSRA test": {"chengnuo msra head": f1(0.9)},
                       "CLUENER dev (mapped labels)": {"chengnuo cluener head (all 10 labels)": f1(0.7)},
                       "domain test": {"chengnuo": f1(0.8)}},
             "speed": {"chengnuo": {"chars_per_s": 12345}, "LAC": {"chars_per_s": 30000}, "threads": 1}}
    (folder / "benchmark.json").write_text(json.dumps(bench), encoding="utf-8")
    row = candidate_row(folder)
    assert row["encoder"] == "ALBERT 1×32" and row["msra"] == 0.9 and row["speed"] == 12345
    assert 0 < row["params_m"] < 0.1
    table = format_table([row])
    assert "| candidate | ALBERT 1×32 |" in table and "12,345" in table and "30,000" in table
