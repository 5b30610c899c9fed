"""Retraining on new annotations: import, fine-tune from the current model with its original data
mixed in, compare both models on the same held-out documents, and promote the new one only if it
is not worse.

    chengnuo train --from models/chengnuo-albert-tiny-v1 --annotations corrected.json --out models/new
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.registry import REGISTRY, load_registry, register

from .corpora.gold import ANNOTATIONS, REPO, data_dir
from .evaluate import Scores, gold_records, predict_records, score
from .interchange import import_annotations
from .train import CorpusConfig, TrainConfig, corpus_path, train

HEADLINE = ("entities", "relations", "commitment_triples", "commitments")


@dataclass
class RetrainArgs:
    base: Path = field(metadata={"help": "the current model folder to continue from"})
    annotations: list[str] = field(metadata={"help": "annotation files in any supported format"})
    out: Path = field(metadata={"help": "folder of the new model"})
    steps: int = field(default=400, metadata={"help": "training steps"})
    lr: float = field(default=1e-4, metadata={"help": "peak learning rate (lower than training from scratch)"})
    weight: float = field(default=3.0, metadata={"help": "sampling weight of the new annotations"})
    holdout: float = field(default=0.2, metadata={"help": "share of the new documents kept for the comparison"})
    eval: list[str] = field(default_factory=lambda: ["gold:dev"],
                            metadata={"help": "further held-out sets: gold:<split> or record files"})
    tolerance: float = field(default=0.01, metadata={"help": "largest F1 drop on a headline score that still promotes"})
    triples_tolerance: float = field(default=0.03, metadata={
        "help": "the same for commitment triples, which are fewer (about 100 in dev) and so noisier"})
    force: bool = field(default=False, metadata={"help": "promote even if the gate refuses"})
    registry: Path = field(default=REGISTRY, metadata={"help": "the registry to record the model in"})
    data: Path | None = field(default=None, metadata={"help": "folder of the shared corpora"})
    format: str | None = field(default=None, metadata={"help": "annotation format (default: detected per file)"})
    head: str = field(default="domain", metadata={"help": "the head the annotations train"})
    against: Path | None = field(default=None, metadata={"help": "the model the gate compares with (default: base)"})
    seed: int = 13
    resume: bool = False
    quiet: bool = False


@dataclass
class Comparison:
    base: Scores
    new: Scores
    tolerance: float
    promoted: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {"base": self.base.as_dict(), "new": self.new.as_dict(), "tolerance": self.tolerance,
                "passed": self.passed, "promoted": self.promoted, "reasons": self.reasons}


def split_holdout(records: list[dict], share: float, seed: int) -> tuple[list[dict], list[dict]]:
    """Split documents (not sentences) into train and held-out parts, reproducibly."""
    order = sorted(records, key=lambda r: r["id"])
    random.Random(seed).shuffle(order)
    n = max(1, round(len(order) * share)) if share > 0 and len(order) > 1 else 0
    return order[n:], order[:n]


def gate(base: Scores, new: Scores, tolerance: float, triples_tolerance: float = 0.03) -> list[str]:
    """The reasons to refuse the new model: each headline F1 that dropped by more than `tolerance`
    (`triples_tolerance` for commitment triples: who pledged which figure for which metric is what
    users read, so a model that tags better but attributes worse must not slip through)."""
    reasons = []
    for name in HEADLINE:
        allowed = triples_tolerance if name == "commitment_triples" else tolerance
        b, n = getattr(base, name)["f1"], getattr(new, name)["f1"]
        if n < b - allowed:
            reasons.append(f"{name} F1 {n:.3f} < {b:.3f} - {allowed}")
    return reasons


def compare_models(base: str | Path, new: str | Path, gold: dict[str, dict], tolerance: float,
                   triples_tolerance: float = 0.03) -> Comparison:
    """Evaluate both models on the same gold documents and apply the gate."""
    sb = score(gold, predict_records(base, gold.values()))
    sn = score(gold, predict_records(new, gold.values()))
    return Comparison(sb, sn, tolerance, reasons=gate(sb, sn, tolerance, triples_tolerance))


def format_comparison(c: Comparison, base_name: str, new_name: str, sets: list[str]) -> str:
    def row(name: str, b: dict, n: dict) -> str:
        d = n["f1"] - b["f1"]
        return (f"| {name} | {b['p']:.3f} | {b['r']:.3f} | {b['f1']:.3f} | {n['p']:.3f} | {n['r']:.3f} | "
                f"{n['f1']:.3f} | {d:+.3f} |")

    zero = {"p": 0.0, "r": 0.0, "f1": 0.0}
    lines = [f"# {new_name} against {base_name}", "",
             f"Held-out documents: {c.new.documents} ({', '.join(sets)}). Gate: no headline F1 may drop by "
             f"more than {c.tolerance}.", "",
             f"| score | {base_name} P | R | F1 | {new_name} P | R | F1 | ΔF1 |", "|---|---|---|---|---|---|---|---|"]
    for name in ("entities", "relations", "commitment_triples", "commitments"):
        lines.append(row(name, getattr(c.base, name), getattr(c.new, name)))
    for lab in sorted(set(c.base.per_label) | set(c.new.per_label)):
        lines.append(row(f"  {lab}", c.base.per_label.get(lab, zero), c.new.per_label.get(lab, zero)))
    verdict = "passed" if c.passed else "refused: " + "; ".join(c.reasons)
    lines += ["", f"Gate {verdict}. {'Promoted to default.' if c.promoted else 'Not promoted.'}"]
    return "\n".join(lines) + "\n"


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _replay_corpora(meta: dict, data: Path) -> tuple[list[CorpusConfig], list[str]]:
    """The corpora the base model was trained on that are still readable here, and the missing ones."""
    keep, missing = [], []
    for c in meta.get("training", {}).get("corpora", []):
        c = CorpusConfig(**c)
        if c.path.startswith("gold:"):
            ok = (ANNOTATIONS / "gold" / f"{c.path[5:]}.jsonl").exists() and data.exists()
        else:
            ok = Path(corpus_path(c, data)).exists()
        (keep if ok else missing).append(c if ok else c.path)
    return keep, missing


def _portable(path: Path) -> str:
    """A path inside this repository relative to it, so that a model moved or cloned with the
    repository still finds the annotations it was trained on; others absolute."""
    path = path.resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _heads(meta: dict) -> dict[str, list[str]]:
    heads = meta.get("training", {}).get("heads")
    if heads:
        return heads
    return {h: sorted({t[2:] for t in tags if t != "O"}) for h, tags in meta["heads"].items()}


def _eval_set(specs: list[str], data: Path, say) -> tuple[dict[str, dict], list[str]]:
    gold: dict[str, dict] = {}
    used = []
    for spec in specs:
        if spec.startswith("gold:") and not data.exists():
            say(f"warning: {spec} skipped: the shared corpora are not at {data}")
            continue
        docs = gold_records(spec, data)
        gold.update(docs)
        used.append(f"{spec} ({len(docs)})")
    return gold, used


def retrain(args: RetrainArgs, say=print) -> Comparison:
    """Run the whole loop; RETURNS the comparison (with `promoted` set)."""
    data = data_dir(args.data)
    imported = import_annotations(args.annotations, args.format)
    for r in imported.rejected:
        say(f"rejected {r}")
    if not imported.records:
        raise SystemExit("no usable annotated documents in " + ", ".join(map(str, args.annotations)))
    new_train, heldout = split_holdout(imported.records, args.holdout, args.seed)
    own = args.out / "data"
    _write_jsonl(own / "new-train.jsonl", new_train)
    _write_jsonl(own / "new-heldout.jsonl", heldout)
    say(f"{len(imported.records)} documents imported ({len(imported.rejected)} rejected): "
        f"{len(new_train)} to train on, {len(heldout)} held out")

    meta = json.loads((Path(args.base) / "tagger.json").read_text(encoding="utf-8"))
    base_cfg = meta.get("training", {})
    replay, missing = _replay_corpora(meta, data)
    if missing:
        say(f"warning: the base model's corpora {missing} are not here; old labels may be forgotten")
    corpora = replay + [CorpusConfig(head=args.head, format="records", path=_portable(own / "new-train.jsonl"),
                                     weight=args.weight)]
    cfg = TrainConfig(heads=_heads(meta), corpora=corpora, init=str(args.base), steps=args.steps, lr=args.lr,
                      seed=args.seed, batch_size=base_cfg.get("batch_size", 32), max_len=base_cfg.get("max_len", 128),
                      checkpoint_every=min(200, max(1, args.steps // 4)))
    train(cfg, args.out, data, resume=args.resume, quiet=args.quiet)

    gold, sets = _eval_set(args.eval, data, say)
    for r in heldout:
        gold[r["id"]] = r
    if heldout:
        sets.append(f"held-out new annotations ({len(heldout)})")
    if not gold:
        raise SystemExit("nothing to compare the models on: give --eval or a --holdout above 0")
    rival = args.against or args.base
    cmp = compare_models(rival, args.out, gold, args.tolerance, args.triples_tolerance)
    cmp.promoted = cmp.passed or args.force
    base_name, new_name = Path(rival).name, Path(args.out).name
    (args.out / "comparison.md").write_text(format_comparison(cmp, base_name, new_name, sets), encoding="utf-8")
    (args.out / "comparison.json").write_text(json.dumps(dict(cmp.as_dict(), sets=sets), ensure_ascii=False, indent=1),
                                              encoding="utf-8")
    entry = {
        "parent": Path(args.base).name,
        "compared_with": base_name,
        "comparison": os.path.relpath((args.out / "comparison.md").resolve(), Path(args.registry).resolve().parent),
        "trained_on": [c.path for c in replay] + [f"{p} ({len(new_train)} documents)" for p in map(str, args.annotations)],
        "heldout": [r["id"] for r in heldout],
        "evaluated_on": sets,
        "scores": {name: getattr(cmp.new, name)["f1"] for name in HEADLINE}
        | {"per_label": {lab: v["f1"] for lab, v in cmp.new.per_label.items()}},
        "compared_scores": {name: getattr(cmp.base, name)["f1"] for name in HEADLINE},
        "gate": "passed" if cmp.passed else "refused: " + "; ".join(cmp.reasons),
        "forced": bool(args.force and not cmp.passed),
        "settings": {k: getattr(args, k) for k in ("steps", "lr", "weight", "holdout", "tolerance",
                                                         "triples_tolerance", "seed")},
    }
    register(args.out, entry, make_default=cmp.promoted, path=args.registry)
    default = load_registry(args.registry)["default"]
    say(format_comparison(cmp, base_name, new_name, sets) + f"registry {args.registry}: default is {default}")
    return cmp
