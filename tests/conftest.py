from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from pipeline.model import CharVocab, MultiHeadTagger, NERModel, bio_labels
from pipeline.schema import ENTITY_LABELS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SAMPLE = DATA / "samples" / "guangzhou-high-quality-development-2026-02-25.txt"
EXAMPLE = REPO / "examples" / "2024-work-report-targets.txt"

needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"shared corpora not found at {DATA}")


def tiny_vocab(text: str) -> CharVocab:
    chars = sorted(set(text) - {" ", "\n", "\t", "\u3000"})
    return CharVocab(["[PAD]", "[unused1]", "[UNK]", "[CLS]", "[SEP]"] + chars)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A randomly initialised tagger with a tiny encoder, saved like a real model."""
    from transformers import AlbertConfig

    torch.manual_seed(0)
    text = "白云区委书记洪谦表示今年GDP增长5.5%广州市长孙志洋０１２３４５６７８９１２．３％一二三四五六七八九十百千万亿元"
    vocab = tiny_vocab(text)
    heads = {"domain": bio_labels(ENTITY_LABELS)}
    config = AlbertConfig(vocab_size=len(vocab.tokens), embedding_size=16, hidden_size=32, num_hidden_layers=1,
                          num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    model = NERModel(MultiHeadTagger(config, heads), vocab, heads)
    out = tmp_path_factory.mktemp("tiny") / "model"
    model.save(out)
    return out


@pytest.fixture(scope="session")
def default_nlp():
    import pipeline

    return pipeline.load()


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path
