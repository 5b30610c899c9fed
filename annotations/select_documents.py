"""Choose the documents of the gold corpus and assign them to splits.

Run once to (re)build `annotations/documents.jsonl` (ids, sources, splits, offsets into the
shared corpora; never the licensed texts themselves). Deterministic for a given seed.

    python annotations/select_documents.py --data ../shared/data
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

KEYWORDS = ["书记", "市长", "省长", "总理", "部长", "主席", "局长", "县长", "表示", "指出", "强调",
            "要求", "提出", "增长", "亿元", "％", "目标", "今年", "计划", "力争", "确保"]
TARGET_WORDS = ["预期目标", "左右", "力争", "今年", "要", "增长"]


def _score(text: str) -> float:
    return sum(min(text.count(k), 5) for k in KEYWORDS) / len(text) ** 0.5


def pick_articles(path: Path, n_top: int, n_random: int, rng: random.Random) -> list[dict]:
    articles = [json.loads(line) for line in path.open(encoding="utf-8")]
    pool = [a for a in articles if 400 <= len(a["text"]) <= 1500]
    pool.sort(key=lambda a: (-_score(a["text"]), a["id"]))
    chosen = pool[:n_top]
    rest = [a for a in pool[n_top:n_top * 6]]
    chosen += rng.sample(rest, n_random)
    return [{"id": f"pd-{a['id']}", "source": "pku_peoples_daily_199801/articles.jsonl",
             "source_id": a["id"], "start": 0, "end": len(a["text"])} for a in chosen]


def _chunks(content: str, size: int) -> list[tuple[int, int]]:
    """Paragraph-aligned windows of about `size` characters."""
    spans, start, pos = [], 0, 0
    for m in re.finditer(r"\n{2,}", content):
        pos = m.end()
        if pos - start >= size:
            spans.append((start, m.start()))
            start = pos
    return spans


def pick_report_sections(path: Path, n: int, rng: random.Random) -> list[dict]:
    out = []
    for line in path.open(encoding="utf-8"):
        rep = json.loads(line)
        if not rep.get("year") or int(rep["year"]) < 1995:
            continue
        content = rep["content"]
        # the second half of a report states the year's targets and tasks
        cands = [(s, e) for s, e in _chunks(content, 900) if s > len(content) // 3
                 and sum(content[s:e].count(w) for w in TARGET_WORDS) >= 6 and e - s <= 1600]
        if cands:
            s, e = rng.choice(cands)
            out.append({"id": f"wr-{rep['year']}-{s}", "source": "gov_work_reports/government_work_reports.jsonl",
                        "source_id": rep["title"], "start": s, "end": e,
                        "heading": rep["title"]})
    rng.shuffle(out)
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("documents.jsonl"))
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--add", nargs=3, metavar=("SPLIT", "ARTICLES", "SECTIONS"),
                    help="append this many new articles and report sections to SPLIT")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.add:
        add_documents(args, args.add[0], int(args.add[1]), int(args.add[2]), rng)
        return
    pd = pick_articles(args.data / "pku_peoples_daily_199801/articles.jsonl", 45, 15, rng)
    wr = pick_report_sections(args.data / "gov_work_reports/government_work_reports.jsonl", 24, rng)
    rng.shuffle(pd)
    splits = {}
    for docs, n_test, n_dev in ((pd, 16, 10), (wr, 6, 4)):
        for i, d in enumerate(docs):
            d["split"] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    sample = {"id": "gz-2026-02-25", "source": "samples/guangzhou-high-quality-development-2026-02-25.txt",
              "source_id": None, "start": 0, "end": None, "split": "dev"}
    with args.out.open("w", encoding="utf-8") as f:
        for d in pd + wr + [sample]:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
            splits[d["split"]] = splits.get(d["split"], 0) + 1
    print(f"wrote {args.out}: {splits}")


def add_documents(args: argparse.Namespace, split: str, n_articles: int, n_sections: int,
                  rng: random.Random) -> None:
    """A further round of documents, disjoint from every document already listed.

    Round 2 was `--add train 36 12` (then called `--add-train`); the `retrain` split (documents held back from the
    first model, for the retraining loop) was `--add retrain 16 8 --seed 2026`."""
    have = [json.loads(line) for line in args.out.open(encoding="utf-8")]
    taken = {d["id"] for d in have}
    used_reports = {d["source_id"] for d in have if d["id"].startswith("wr-")}
    pd = [d for d in pick_articles(args.data / "pku_peoples_daily_199801/articles.jsonl", 200, 100, random.Random(args.seed + 1))
          if d["id"] not in taken]
    wr = [d for d in pick_report_sections(args.data / "gov_work_reports/government_work_reports.jsonl", 100,
                                          random.Random(args.seed + 1)) if d["id"] not in taken]
    # other sections of reports already used are fine for training; prefer unused reports
    wr.sort(key=lambda d: d["source_id"] in used_reports)
    new = rng.sample(pd[: n_articles * 3], n_articles) + wr[:n_sections]
    with args.out.open("a", encoding="utf-8") as f:
        for d in new:
            f.write(json.dumps(dict(d, split=split), ensure_ascii=False) + "\n")
    print(f"appended {len(new)} {split} documents to {args.out}")


if __name__ == "__main__":
    main()
