"""Archive runs: streaming, N worker processes, progress, atomic chunked output, resume, errors apart.

Input items are numbered in input order and cut into chunks of `chunk_size`. Each finished chunk
is written to `<output>.parts/part-NNNNNN.jsonl` through a temporary file and a rename, so a crash or
kill -9 leaves only whole chunks behind; `--resume` skips the chunks already there. When every chunk
is done the parts are merged, in input order, into the output (JSONL or Parquet) and the errors
file, again through a rename, and the parts folder is removed. The final files are therefore the
same whether or not the run was interrupted.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from tqdm.auto import tqdm

from .io.readers import Item

_WORKER_NLP = None


@dataclass
class BatchOptions:
    model: str | None = None
    workers: int = 1
    chunk_size: int = 64
    batch_size: int = 8
    resume: bool = False
    engine: str = "local"  # local | ray
    ray_address: str | None = None
    progress: bool = True
    threads: int | None = None  # torch threads per worker (default: cores // workers)


@dataclass
class Summary:
    documents: int = 0
    characters: int = 0
    errors: int = 0
    skipped_chunks: int = 0
    seconds: float = 0.0
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # per worker process
    output: str = ""
    errors_file: str = ""

    def line(self) -> str:
        rate = self.documents / self.seconds if self.seconds else 0.0
        crate = self.characters / self.seconds if self.seconds else 0.0
        return (f"{self.documents} documents, {self.characters:,} characters, {self.errors} errors in "
                f"{self.seconds:.1f} s ({rate:.1f} docs/s, {crate:,.0f} chars/s)"
                + (f"; {self.skipped_chunks} chunk(s) already done were skipped" if self.skipped_chunks else ""))


def errors_path_for(output: Path) -> Path:
    return output.with_name(output.name.rsplit(".", 1)[0] + ".errors.jsonl")


def _threads(opts: BatchOptions) -> int:
    return opts.threads or max(1, (os.cpu_count() or 1) // max(1, opts.workers))


def _init_worker(model: str | None, threads: int) -> None:
    global _WORKER_NLP
    import torch

    torch.set_num_threads(threads)
    from . import load

    _WORKER_NLP = load(model)


def _process_chunk(args: tuple[int, list[Item], int]) -> tuple[int, list[dict], list[dict], int, tuple[int, float]]:
    from .extract import extract_items
    from .memory import peak_rss_mb

    k, items, batch_size = args
    recs, errs, chars = [], [], 0
    for rec in extract_items(_WORKER_NLP, items, batch_size):
        if "error" in rec:
            errs.append(rec)
        else:
            recs.append(rec)
            chars += len(rec["text"])
    return k, recs, errs, chars, (os.getpid(), peak_rss_mb())


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(line)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def count_inputs(inputs: list[str]) -> int | None:
    """How many documents the inputs hold (for the progress bar); None when stdin is read."""
    from .io.readers import JSONL_SUFFIXES, PARQUET_SUFFIXES, iter_paths

    n = 0
    for p in iter_paths(inputs):
        if p == "-":
            return None
        path = Path(p)
        if path.suffix in JSONL_SUFFIXES and path.exists():
            with path.open("rb") as f:
                n += sum(1 for line in f if line.strip())
        elif path.suffix in PARQUET_SUFFIXES and path.exists():
            import pyarrow.parquet as pq

            n += pq.ParquetFile(str(path)).metadata.num_rows
        else:
            n += 1
    return n


def _chunks(items: Iterator[Item], size: int) -> Iterator[tuple[int, list[Item]]]:
    k = 0
    while True:
        chunk = list(islice(items, size))
        if not chunk:
            return
        yield k, chunk
        k += 1


def _fingerprint(inputs: list[str], opts: BatchOptions) -> str:
    key = json.dumps({"inputs": [str(Path(i).resolve()) if i != "-" else "-" for i in inputs],
                      "chunk_size": opts.chunk_size, "model": str(opts.model)}, sort_keys=True)
    return hashlib.sha1(key.encode()).hexdigest()


def run_batch(items: Iterable[Item], output: str | Path, opts: BatchOptions, inputs: list[str] | None = None,
              total: int | None = None) -> Summary:
    """Extract every item into `output` (.jsonl or .parquet) with an errors file beside it."""
    output = Path(output)
    parts = output.with_name(output.name + ".parts")
    errors_file = errors_path_for(output)
    state = parts / "state.json"
    fp = _fingerprint(inputs or [], opts)
    if parts.exists() and not opts.resume:
        raise SystemExit(f"{parts} exists from an interrupted run: add --resume to continue it, or remove it")
    parts.mkdir(parents=True, exist_ok=True)
    if state.exists() and json.loads(state.read_text())["fingerprint"] != fp:
        raise SystemExit(f"{parts} belongs to a run with other inputs or options; remove it to start afresh")
    state.write_text(json.dumps({"fingerprint": fp, "options": asdict(opts), "inputs": inputs}), encoding="utf-8")
    done = {int(p.stem.split("-")[1]) for p in parts.glob("part-*.jsonl")}
    summary = Summary(output=str(output), errors_file=str(errors_file), skipped_chunks=len(done))
    t0 = time.time()
    bar = tqdm(total=total, unit="doc", desc="extract", disable=not opts.progress, file=sys.stderr, smoothing=0.05)

    def todo() -> Iterator[tuple[int, list[Item], int]]:
        for k, chunk in _chunks(iter(items), opts.chunk_size):
            if k in done:
                bar.update(len(chunk))
                continue
            yield k, chunk, opts.batch_size

    def finish(k: int, recs: list[dict], errs: list[dict], chars: int, rss: tuple[int, float] | None = None) -> None:
        if rss:
            summary.peak_rss_mb[rss[0]] = max(summary.peak_rss_mb.get(rss[0], 0.0), round(rss[1], 1))
        _write_atomic(parts / f"errors-{k:06d}.jsonl", (json.dumps(r, ensure_ascii=False) + "\n" for r in errs))
        _write_atomic(parts / f"part-{k:06d}.jsonl", (json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
        summary.documents += len(recs)
        summary.characters += chars
        summary.errors += len(errs)
        bar.update(len(recs) + len(errs))
        el = max(time.time() - t0, 1e-9)
        bar.set_postfix_str(f"{summary.characters / el:,.0f} chars/s, {summary.errors} errors")

    if opts.engine == "ray":
        from .ray_engine import run_chunks_on_ray

        for res in run_chunks_on_ray(todo(), opts):
            finish(*res)
    elif opts.workers <= 1:
        _init_worker(opts.model, _threads(opts))
        for task in todo():
            finish(*_process_chunk(task))
    else:
        _run_pool(todo(), opts, finish)
    bar.close()
    _merge(parts, output, errors_file)
    summary.seconds = time.time() - t0
    return summary


def _run_pool(tasks: Iterator, opts: BatchOptions, finish) -> None:
    """Keep at most 2 chunks per worker in flight (memory stays flat) and finish them in order."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    with ctx.Pool(opts.workers, initializer=_init_worker, initargs=(opts.model, _threads(opts))) as pool:
        pending: list = []
        for task in tasks:
            pending.append(pool.apply_async(_process_chunk, (task,)))
            while len(pending) >= 2 * opts.workers:
                finish(*pending.pop(0).get())
        for p in pending:
            finish(*p.get())


def _merge(parts: Path, output: Path, errors_file: Path) -> None:
    keys = sorted(int(p.stem.split("-")[1]) for p in parts.glob("part-*.jsonl"))
    part_files = [parts / f"part-{k:06d}.jsonl" for k in keys]

    def lines(files: list[Path]) -> Iterator[str]:
        for f in files:
            with f.open(encoding="utf-8") as fh:
                yield from fh

    if output.suffix == ".parquet":
        from .io.parquet import ParquetWriter

        tmp = output.with_name(output.name + ".tmp")
        writer = ParquetWriter(tmp)
        for f in part_files:
            writer.write([json.loads(line) for line in f.open(encoding="utf-8")])
        writer.close()
        tmp.replace(output)
    else:
        _write_atomic(output, lines(part_files))
    _write_atomic(errors_file, lines([parts / f"errors-{k:06d}.jsonl" for k in keys]))
    shutil.rmtree(parts)
