"""The speed comparison: alternating timed runs in fresh processes, the median reported."""
from training.benchmark import compare_speed, format_markdown


def test_benchmark_speed_reports_median_of_repeats(tiny_model):
    texts = ["白云区委书记洪谦表示今年GDP增长5.5%"] * 30
    sp = compare_speed(str(tiny_model), texts, threads=1, repeats=3, with_lac=False)
    runs = sp["chengnuo"]["all_chars_per_s"]
    assert len(runs) == 3 and sp["chengnuo"]["chars_per_s"] == sorted(runs)[1]
    res = {"model": "tiny", "tasks": {}, "speed": dict(sp, threads=1, characters=570, repeats=3)}
    md = format_markdown(res, "chengnuo benchmark")
    assert "median of 3 alternating run(s)" in md and ", ".join(f"{v:,}" for v in runs) in md
