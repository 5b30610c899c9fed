"""Masked-character pre-training of our own encoder on the raw text in the data folder.

No pretrained Chinese encoder of useful size installs offline, so this trains one: the encoder of a
config (the character CNN, or a small ALBERT) learns to restore masked characters (BERT's 80/10/10
masking) over People's Daily articles, the work reports and the public corpora's sentences. Text of
the gold dev and test documents is left out. The result is a model folder with no heads, which a
fine-tuning config names as `init`:

    chengnuo pretrain --config training/configs/cnn-mlm.toml --out runs/cnn-mlm
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from pipeline.model import CharVocab, MultiHeadTagger, NERModel, encoder_config

from .corpora import Example, read_corpus
from .corpora.gold import held_out_sources
from .corpora.pku import article_id
from .loop import Budget, RunConfig, load_checkpoint, make_optimizer, pick_device, save_checkpoint, set_lr
from .train import _envpos_dir, chunk_example


@dataclass
class TextSource:
    path: str = field(metadata={"help": "file relative to the data folder"})
    format: str = field(default="jsonl", metadata={"help": "'jsonl' (a text field per line) or a corpus format"})
    text_field: str = "text"
    id_field: str = "id"


@dataclass(kw_only=True)
class PretrainConfig(RunConfig):
    encoder: dict
    texts: list[TextSource]
    vocab: str = "envpos"
    steps: int = 20000
    batch_size: int = 128
    lr: float = 1e-3
    warmup: float = 0.03
    mask_prob: float = 0.15
    checkpoint_every: int = 1000

    @classmethod
    def nested(cls, raw: dict) -> dict:
        raw["texts"] = [t if isinstance(t, TextSource) else TextSource(**t) for t in raw.get("texts", [])]
        return raw


def raw_texts(src: TextSource, data: Path, held_out: set[str]) -> Iterator[Example]:
    """Texts of one source, without those of held-out documents."""
    path = data / src.path
    if src.format != "jsonl":
        for ex in read_corpus(src.format, path, "raw"):
            if article_id(ex["id"]) not in held_out:
                yield Example(id=ex["id"], text=ex["text"], spans=[], corpus="raw")
        return
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        rec = json.loads(line)
        key = str(rec.get(src.id_field, n))
        if key not in held_out and rec.get(src.text_field):
            yield Example(id=key, text=rec[src.text_field], spans=[], corpus="raw")


class MaskedLM(nn.Module):
    """The encoder with a character-prediction head on top (dropped after pre-training)."""

    def __init__(self, tagger: MultiHeadTagger, vocab_size: int):
        super().__init__()
        self.tagger = tagger
        hidden = tagger.encoder.config.hidden_size
        self.transform = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.LayerNorm(hidden))
        self.decoder = nn.Linear(hidden, vocab_size)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        hidden = self.tagger.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        picked = targets >= 0
        logits = self.decoder(self.transform(hidden[picked]))
        return nn.functional.cross_entropy(logits, targets[picked])


def mask_batch(rows: list[list[int]], vocab: CharVocab, prob: float,
               gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """BERT's masking: `prob` of the characters are chosen; of those 80% become [MASK], 10% a random
    character, 10% stay. RETURNS (ids, attention mask, targets with -100 where nothing is asked)."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), vocab.pad, dtype=torch.long)
    attn = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        attn[i, :len(r)] = 1
    special = (ids == vocab.cls) | (ids == vocab.sep) | (attn == 0)
    chosen = (torch.rand(ids.shape, generator=gen) < prob) & ~special
    targets = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand(ids.shape, generator=gen)
    masked = ids.clone()
    masked[chosen & (roll < 0.8)] = vocab.index["[MASK]"]
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    masked[swap] = torch.randint(len(vocab.tokens), (int(swap.sum()),), generator=gen)
    return masked, attn, targets


def pretrain(cfg: PretrainConfig, out: str | Path, data: str | Path, resume: bool = False,
             quiet: bool = False) -> NERModel:
    """Pre-train an encoder and save it as a model folder with no heads. RETURNS (NERModel)."""
    out, data = Path(out), Path(data)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(cfg.seed)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    vocab_path = _envpos_dir() / "vocab.txt" if cfg.vocab == "envpos" else Path(cfg.vocab)
    vocab = CharVocab.from_file(vocab_path)
    if "[MASK]" not in vocab.index:
        raise SystemExit(f"{vocab_path}: the vocabulary has no [MASK] token, which masking needs")
    tagger = MultiHeadTagger(encoder_config(dict(cfg.encoder, vocab_size=len(vocab.tokens))), {})
    held_out = held_out_sources()
    rows = [[vocab.cls, *vocab.encode(p["text"]), vocab.sep]
            for src in cfg.texts for ex in raw_texts(src, data, held_out)
            for p in chunk_example(ex, cfg.max_len - 2) if len(p["text"].strip()) > 4]
    if not rows:
        raise SystemExit("no pre-training text: check the texts' paths in the config")

    device = pick_device(cfg.device)
    mlm = MaskedLM(tagger, len(vocab.tokens)).to(device).train()
    opt = make_optimizer(mlm, cfg.lr)
    budget = Budget(cfg.steps, cfg.max_minutes, cfg.warmup)
    step, losses = 0, []
    ckpt = out / "checkpoint.pt"
    if resume and ckpt.exists():
        step, losses, elapsed = load_checkpoint(ckpt, mlm, opt, rng)
        budget = Budget(cfg.steps, cfg.max_minutes, cfg.warmup, elapsed)
    order: list[int] = []
    bar = tqdm(total=cfg.steps, initial=step, desc="pretrain", unit="step", disable=quiet)
    while not budget.done(step):
        if len(order) < cfg.batch_size:
            idx = list(range(len(rows)))
            rng.shuffle(idx)
            order.extend(idx)
        ids, attn, targets = mask_batch([rows[order.pop()] for _ in range(cfg.batch_size)], vocab, cfg.mask_prob, gen)
        set_lr(opt, cfg.lr, budget.lr_factor(step))
        loss = mlm(ids.to(device), attn.to(device), targets.to(device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(mlm.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        step += 1
        losses.append((step, "mlm", loss.item()))
        bar.update(1)
        bar.set_postfix(loss=f"{np.mean([l for _, _, l in losses[-100:]]):.3f}")
        if step % cfg.checkpoint_every == 0 or budget.done(step):
            save_checkpoint(ckpt, mlm, opt, step, losses, rng, budget)
    bar.close()
    tagger.to("cpu").eval()
    model = NERModel(tagger, vocab, {}, meta={"pretraining": dict(
        asdict(cfg), steps_run=step, seconds=round(budget.elapsed), device=str(device),
        characters=sum(len(r) - 2 for r in rows), sequences=len(rows))})
    model.save(out)
    (out / "losses.json").write_text(json.dumps(losses), encoding="utf-8")
    return model
