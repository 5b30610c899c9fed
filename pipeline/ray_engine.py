"""The same extractor on Ray Data: `map_batches` with an actor that loads the model once.

`ray.init(address=...)` joins an existing cluster (`--ray-address auto` or `ray://head:10001`);
without an address a local Ray instance is started. Records are the local engine's exactly: the same
`extract_items` runs inside the actor, and chunks come back in input order.
"""
from __future__ import annotations

import json
import pickle
from typing import Iterator

from .batch import BatchOptions


class ExtractorActor:
    """A Ray Data callable class: one pipeline per actor, reused for every batch."""

    def __init__(self, model: str | None, threads: int, batch_size: int):
        import torch

        torch.set_num_threads(threads)
        from . import load

        self.nlp = load(model)
        self.batch_size = batch_size

    def __call__(self, batch: dict) -> dict:
        from .extract import extract_items

        items = [pickle.loads(b) for b in batch["item"]]
        out = list(extract_items(self.nlp, items, self.batch_size))
        return {"k": batch["k"], "pos": batch["pos"], "record": [json.dumps(r, ensure_ascii=False) for r in out]}


def run_chunks_on_ray(tasks: Iterator, opts: BatchOptions, window: int = 8) -> Iterator[tuple[int, list, list, int]]:
    """Run chunks through Ray Data, `window` chunks per dataset, yielding finished chunks in order."""
    import ray

    if not ray.is_initialized():
        ray.init(address=opts.ray_address, num_cpus=None if opts.ray_address else max(1, opts.workers),
                 include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    threads = opts.threads or 1
    buffer: list = []

    def flush(buf: list) -> Iterator[tuple[int, list, list, int]]:
        rows = [{"k": k, "pos": i, "item": pickle.dumps(it)} for k, items, _ in buf for i, it in enumerate(items)]
        ds = ray.data.from_items(rows).map_batches(
            ExtractorActor, fn_constructor_kwargs={"model": opts.model, "threads": threads, "batch_size": opts.batch_size},
            batch_size=opts.batch_size, concurrency=max(1, opts.workers), num_cpus=threads)
        got: dict[int, list] = {}
        for row in ds.iter_rows():
            got.setdefault(int(row["k"]), []).append((int(row["pos"]), json.loads(row["record"])))
        for k, _, _ in buf:
            recs = [r for _, r in sorted(got.get(k, []), key=lambda x: x[0])]
            ok = [r for r in recs if "error" not in r]
            yield k, ok, [r for r in recs if "error" in r], sum(len(r["text"]) for r in ok)

    for task in tasks:
        buffer.append(task)
        if len(buffer) >= window:
            yield from flush(buffer)
            buffer = []
    if buffer:
        yield from flush(buffer)
