"""A character CNN encoder: the fast alternative to ALBERT in the encoder comparison.

Character embeddings plus hashed character-bigram embeddings (left and right), then residual
dilated convolutions (the ID-CNN idea: a wide receptive field at convolution speed). It has the
ALBERT encoder's interface (`config`, `forward(input_ids, attention_mask).last_hidden_state`), so
the tagger, heads, training and windows are shared.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from types import SimpleNamespace

import torch
from torch import nn


@dataclass
class CharCNNConfig:
    vocab_size: int
    embedding_size: int = 128
    bigram_size: int = 64
    bigram_buckets: int = 50021
    hidden_size: int = 256
    kernel_size: int = 3
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 1, 2])
    dropout: float = 0.1
    type: str = "cnn"

    def to_diff_dict(self) -> dict:
        return asdict(self)

    to_dict = to_diff_dict


class CharCNNEncoder(nn.Module):
    def __init__(self, config: CharCNNConfig):
        super().__init__()
        self.config = config
        c = config
        self.chars = nn.Embedding(c.vocab_size, c.embedding_size)
        self.bigrams = nn.Embedding(c.bigram_buckets, c.bigram_size)
        self.project = nn.Linear(c.embedding_size + 2 * c.bigram_size, c.hidden_size)
        self.convs = nn.ModuleList(nn.Conv1d(c.hidden_size, c.hidden_size, c.kernel_size, dilation=d,
                                             padding=d * (c.kernel_size // 2)) for d in c.dilations)
        self.norms = nn.ModuleList(nn.LayerNorm(c.hidden_size) for _ in c.dilations)
        self.dropout = nn.Dropout(c.dropout)

    def _bigram(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.bigrams((a * 65599 + b) % self.config.bigram_buckets)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        prev = torch.nn.functional.pad(input_ids[:, :-1], (1, 0))
        nxt = torch.nn.functional.pad(input_ids[:, 1:], (0, 1))
        x = torch.cat([self.chars(input_ids), self._bigram(prev, input_ids), self._bigram(input_ids, nxt)], dim=-1)
        mask = attention_mask.unsqueeze(-1).to(x.dtype)
        h = self.project(self.dropout(x)) * mask
        for conv, norm in zip(self.convs, self.norms):
            h = norm(h + self.dropout(torch.nn.functional.gelu(conv(h.transpose(1, 2)).transpose(1, 2)))) * mask
        return SimpleNamespace(last_hidden_state=h)
