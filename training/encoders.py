"""The encoder comparison table: one row per candidate model folder, from the `benchmark.json`
that `chengnuo benchmark --peer lac --out DIR` wrote there, so every row is measured by the same
command.

    python -m training.encoders models/chengnuo-albert-tiny-v2 runs/cnn
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path


def candidate_row(folder: Path) -> dict:
    bench = json.loads((folder / "benchmark.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "tagger.json").read_text(encoding="utf-8"))
    enc = meta["encoder"]
    if enc.get("type") == "cnn":
        start = "MLM-pretrained" if "pretraining" in meta else "scratch"
        kind = f"char CNN {len(enc['dilations'])}×{enc['hidden_size']} ({start})"
    else:
        kind = f"ALBERT {enc.get('num_hidden_layers', 12)}×{enc.get('hidden_size')}"
    from safetensors import safe_open

    with safe_open(str(folder / "tagger.safetensors"), "pt") as f:
        params = sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())
    t, speed = bench["tasks"], bench["speed"]
    return {"model": folder.name, "encoder": kind, "params_m": params / 1e6,
            "size_mb": (folder / "tagger.safetensors").stat().st_size / 2**20,
            "msra": t["MSRA test"]["chengnuo msra head"]["f1"],
            "cluener": t["CLUENER dev (mapped labels)"]["chengnuo cluener head (all 10 labels)"]["f1"],
            "domain": t["domain test"]["chengnuo"]["f1"],
            "speed": speed["chengnuo"]["chars_per_s"], "lac": speed.get("LAC", {}).get("chars_per_s"),
            "threads": speed["threads"]}


def format_table(rows: list[dict]) -> str:
    lines = ["| model | encoder | parameters | size (fp16) | MSRA test F1 | CLUENER dev F1 (10 labels) | "
             "domain test F1 (NER) | chars/s, 1 thread | LAC chars/s, same run |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lac = f"{r['lac']:,}" if r["lac"] else "—"
        lines.append(f"| {r['model']} | {r['encoder']} | {r['params_m']:.1f} M | {r['size_mb']:.1f} MB | {r['msra']:.3f} | "
                     f"{r['cluener']:.3f} | {r['domain']:.3f} | {r['speed']:,} | {lac} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    print(format_table([candidate_row(f) for f in ap.parse_args().folders]))


if __name__ == "__main__":
    main()
