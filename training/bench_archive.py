"""Archive throughput with 1 and 2 workers and peak memory per worker (issue: batch processing).

    python -m training.bench_archive [--limit N] [--workers 1 2]

Runs `chengnuo extract … -o` through the batch runner on the People's Daily January-1998 archive
(3,124 articles) and prints a table; compare the ratios of one run, not times across machines.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from itertools import islice
from pathlib import Path

from pipeline.batch import BatchOptions, run_batch
from pipeline.io.readers import read_inputs

from .corpora.gold import data_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads per worker (default: cores // workers)")
    args = ap.parse_args()
    src = data_dir(args.data) / "pku_peoples_daily_199801" / "articles.jsonl"
    rows = []
    outputs = []
    with tempfile.TemporaryDirectory() as tmp:
        for w in args.workers:
            out = Path(tmp) / f"out-{w}.jsonl"
            items = read_inputs([str(src)])
            if args.limit:
                items = islice(items, args.limit)
            s = run_batch(items, out, BatchOptions(model=args.model, workers=w, threads=args.threads, progress=False))
            outputs.append(out.read_bytes())
            rows.append((w, s))
        same = all(o == outputs[0] for o in outputs)
    base = rows[0][1].characters / rows[0][1].seconds
    print(f"archive: {src} ({rows[0][1].documents} documents, {rows[0][1].characters:,} characters); "
          f"torch threads per worker: {args.threads or 'cores // workers'}")
    print("| workers | seconds | docs/s | chars/s | speed-up | peak RSS per worker (MB) |\n|---|---|---|---|---|---|")
    for w, s in rows:
        cps = s.characters / s.seconds
        print(f"| {w} | {s.seconds:.1f} | {s.documents / s.seconds:.1f} | {cps:,.0f} | {cps / base:.2f}x | "
              f"{', '.join(f'{v:.0f}' for v in s.peak_rss_mb.values())} |")
    print(f"outputs identical across worker counts: {same}")
    print(json.dumps({str(w): {"seconds": round(s.seconds, 1), "chars_per_s": round(s.characters / s.seconds),
                               "peak_rss_mb": list(s.peak_rss_mb.values())} for w, s in rows}))


if __name__ == "__main__":
    main()
