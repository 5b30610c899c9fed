"""The NER tagger: a small ALBERT encoder with one token-classification head per label set.

One character is one token, so offsets map back to the original text one to one; the text is
normalised per character (NFKC, lower case) only to look up the vocabulary. Heads: `domain` (the
schema's labels) plus auxiliary heads for the public corpora it was trained on (msra, cluener,
pku), which share the encoder and give the benchmark numbers on those corpora's own labels.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch
from torch import nn
from transformers import AlbertConfig, AlbertModel

from .cnn import CharCNNConfig, CharCNNEncoder

SPACE_TOKEN = "[unused1]"  # whitespace carries layout (headings, bylines), so it keeps a token


def bio_labels(entity_labels: Sequence[str]) -> list[str]:
    return ["O"] + [f"{p}-{lab}" for lab in entity_labels for p in ("B", "I")]


class CharVocab:
    """Maps each character of a text to a vocabulary id, exactly one id per character."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        self.unk = self.index["[UNK]"]
        self.cls, self.sep, self.pad = self.index["[CLS]"], self.index["[SEP]"], self.index["[PAD]"]
        self.space = self.index[SPACE_TOKEN]
        self._cache: dict[str, int] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> "CharVocab":
        tokens = Path(path).read_text(encoding="utf-8").split("\n")
        return cls(tokens[:-1] if tokens[-1] == "" else tokens)

    def char_id(self, ch: str) -> int:
        i = self._cache.get(ch)
        if i is None:
            if ch.isspace():
                i = self.space
            else:
                norm = unicodedata.normalize("NFKC", ch).lower() or ch
                i = self.index.get(norm, self.index.get(norm[0], self.unk))
            self._cache[ch] = i
        return i

    def encode(self, text: str) -> list[int]:
        return [self.char_id(c) for c in text]


def encoder_config(raw: dict):
    """The encoder config saved in a model's tagger.json: ALBERT unless it says type = cnn."""
    if raw.get("type") == "cnn":
        return CharCNNConfig(**raw)
    return AlbertConfig(**raw)


class MultiHeadTagger(nn.Module):
    def __init__(self, config: AlbertConfig | CharCNNConfig, heads: dict[str, list[str]]):
        super().__init__()
        self.encoder = CharCNNEncoder(config) if isinstance(config, CharCNNConfig) \
            else AlbertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(0.1)
        self.heads = nn.ModuleDict({name: nn.Linear(config.hidden_size, len(labels)) for name, labels in heads.items()})

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, head: str) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.heads[head](self.dropout(hidden))

    def forward_heads(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                      heads: Sequence[str]) -> dict[str, torch.Tensor]:
        """Several heads over one encoder pass."""
        hidden = self.dropout(self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state)
        return {h: self.heads[h](hidden) for h in heads}


@dataclass
class Window:
    doc: int
    start: int  # character offset of the window in its text
    ids: list[int]


class NERModel:
    """Loads a saved tagger and tags whole texts of any length in overlapping windows."""

    def __init__(self, module: MultiHeadTagger, vocab: CharVocab, heads: dict[str, list[str]],
                 meta: dict | None = None, window: int = 256, stride: int = 192):
        self.module, self.vocab, self.heads = module.eval(), vocab, heads
        self.meta = meta or {}
        self.window, self.stride = window, stride

    @classmethod
    def load(cls, path: str | Path, **kwargs) -> "NERModel":
        path = Path(path)
        meta = json.loads((path / "tagger.json").read_text(encoding="utf-8"))
        module = MultiHeadTagger(encoder_config(meta["encoder"]), meta["heads"])
        state = _load_state(path)
        module.load_state_dict(state)
        return cls(module, CharVocab.from_file(path / "vocab.txt"), meta["heads"], meta, **kwargs)

    def save(self, path: str | Path, extra: dict | None = None) -> None:
        from safetensors.torch import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.float16).contiguous() for k, v in self.module.state_dict().items()}
        save_file(state, str(path / "tagger.safetensors"))
        (path / "vocab.txt").write_text("\n".join(self.vocab.tokens) + "\n", encoding="utf-8")
        meta = dict(self.meta, heads=self.heads, encoder=self.module.encoder.config.to_diff_dict(), **(extra or {}))
        meta["encoder"].pop("transformers_version", None)
        (path / "tagger.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    def windows(self, texts: Sequence[str]) -> list[Window]:
        size = self.window - 2
        out = []
        for d, text in enumerate(texts):
            ids = self.vocab.encode(text)
            starts = list(range(0, max(len(ids) - size, 0) + 1, self.stride)) or [0]
            if starts[-1] + size < len(ids):
                starts.append(len(ids) - size)
            out.extend(Window(d, s, ids[s:s + size]) for s in starts)
        return out

    def predict_proba(self, texts: Sequence[str], head: str = "domain", batch_size: int = 16) -> list[np.ndarray]:
        """Per-character label probabilities (len(text) x n_labels) for each text."""
        return self.predict_heads(texts, (head,), batch_size)[head]

    @torch.inference_mode()
    def predict_heads(self, texts: Sequence[str], heads: Sequence[str] = ("domain",),
                      batch_size: int = 16) -> dict[str, list[np.ndarray]]:
        """Per-character label probabilities of several heads from one encoder pass.

        Overlapping windows are merged by keeping, for each character, the prediction of the window
        in which it stands furthest from an edge: context on both sides is what the model needs.
        """
        probs = {h: [np.zeros((len(t), len(self.heads[h])), dtype=np.float32) for t in texts] for h in heads}
        margin = [np.full(len(t), -1, dtype=np.int32) for t in texts]
        wins = sorted(self.windows(texts), key=lambda w: len(w.ids))
        for b in range(0, len(wins), batch_size):
            batch = wins[b:b + batch_size]
            width = max(len(w.ids) for w in batch) + 2
            ids = torch.full((len(batch), width), self.vocab.pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for i, w in enumerate(batch):
                seq = [self.vocab.cls, *w.ids, self.vocab.sep]
                ids[i, :len(seq)] = torch.tensor(seq)
                mask[i, :len(seq)] = 1
            out = {h: torch.softmax(x.float(), dim=-1).numpy() for h, x in self.module.forward_heads(ids, mask, heads).items()}
            for i, w in enumerate(batch):
                n = len(w.ids)
                pos = np.arange(n)
                m = np.minimum(pos, n - 1 - pos)
                # a window that starts at 0 or ends at the text's end has no edge on that side
                if w.start == 0:
                    m = np.maximum(m, n - 1 - pos)
                if w.start + n == len(texts[w.doc]):
                    m = np.maximum(m, pos)
                sl = slice(w.start, w.start + n)
                better = m > margin[w.doc][sl]
                for h in heads:
                    probs[h][w.doc][sl][better] = out[h][i, 1:n + 1][better]
                margin[w.doc][sl][better] = m[better]
        return probs

    def predict_spans(self, texts: Sequence[str], head: str = "domain",
                      batch_size: int = 16) -> list[list[tuple[int, int, str, float]]]:
        labels = self.heads[head]
        return [decode_bio(p, labels) for p in self.predict_proba(texts, head, batch_size)]


def decode_bio(probs: np.ndarray, labels: Sequence[str]) -> list[tuple[int, int, str, float]]:
    """Constrained Viterbi decoding: the most probable tag sequence in which every I-X follows a
    B-X or I-X, so a span never starts in its middle ("党组书记" is not cut to "记").

    RETURNS (list): (start, end, label, confidence) with confidence the mean probability of the
    chosen tags over the span.
    """
    n, k = probs.shape
    if n == 0:
        return []
    allowed, start_ok = _transitions(tuple(labels))
    best = probs.argmax(1)
    # the score is a sum over positions with hard constraints only, so when the per-character best
    # tags already form a valid sequence (the usual case) they are the Viterbi path
    if not (start_ok[best[0]] and allowed[best[:-1], best[1:]].all()):
        best = _viterbi(np.log(np.clip(probs, 1e-9, 1.0)), allowed, start_ok)
    kinds, names = _tag_kinds(tuple(labels))
    kind = kinds[best]
    starts = np.flatnonzero(kind == 1)  # B- tags; on a valid path each span runs to the next non-I tag
    if not len(starts):
        return []
    stops = np.flatnonzero(kind != 2)
    at = np.searchsorted(stops, starts, side="right")
    ends = np.where(at < len(stops), stops[np.minimum(at, len(stops) - 1)], n)
    total = np.concatenate([[0.0], np.cumsum(probs[np.arange(n), best], dtype=np.float64)])
    conf = (total[ends] - total[starts]) / (ends - starts)
    return [(int(a), int(b), names[best[a]], float(c)) for a, b, c in zip(starts, ends, conf)]


def _viterbi(logp: np.ndarray, allowed: np.ndarray, start_ok: np.ndarray) -> np.ndarray:
    n, k = logp.shape
    penalty = np.where(allowed, 0.0, -np.inf)  # from (rows) → to (columns)
    score = np.where(start_ok, logp[0], -np.inf)
    back = np.zeros((n, k), dtype=np.int32)
    for i in range(1, n):
        cand = score[:, None] + penalty
        back[i] = cand.argmax(0)
        score = cand.max(0) + logp[i]
    best = np.empty(n, dtype=np.int32)
    best[-1] = int(score.argmax())
    for i in range(n - 1, 0, -1):
        best[i - 1] = back[i, best[i]]
    return best


@lru_cache(maxsize=8)
def _transitions(labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Which tag may follow which (I-X only after B-X or I-X), and which may start a text."""
    allowed = np.ones((len(labels), len(labels)), dtype=bool)
    for j, to in enumerate(labels):
        if to.startswith("I-"):
            for i, frm in enumerate(labels):
                allowed[i, j] = frm[2:] == to[2:] and frm != "O"
    return allowed, np.array([not lab.startswith("I-") for lab in labels])


@lru_cache(maxsize=8)
def _tag_kinds(labels: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Per tag id: 0 for O, 1 for B-, 2 for I-; and the entity label it names."""
    kinds = np.array([0 if lab == "O" else 1 if lab.startswith("B-") else 2 for lab in labels])
    return kinds, [lab[2:] for lab in labels]


def _load_state(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return {k: v.float() for k, v in load_file(str(path / "tagger.safetensors")).items()}


def spans_to_bio(length: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * length
    for s, e, lab in spans:
        tags[s] = f"B-{lab}"
        for i in range(s + 1, e):
            tags[i] = f"I-{lab}"
    return tags
