"""Masked-character pre-training: the masking rule, a tiny encoder that learns, and fine-tuning from it."""
import json

import torch

from pipeline.model import CharVocab, NERModel
from training.pretrain import PretrainConfig, TextSource, mask_batch, pretrain, raw_texts
from training.train import CorpusConfig, TrainConfig, train

from conftest import write_jsonl

TEXTS = ["白云区委书记洪谦表示今年GDP增长5.5%", "市长孙志洋主持会议并讲话", "全市地区生产总值增长百分之六"]
CNN = dict(type="cnn", embedding_size=16, bigram_size=8, bigram_buckets=101, hidden_size=32, dilations=[1, 2])


def _vocab(tmp_path):
    chars = sorted(set("".join(TEXTS)))
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(["[PAD]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n",
                    encoding="utf-8")
    return path


def test_pretrain_masking_spares_special_tokens(tmp_path):
    vocab = CharVocab.from_file(_vocab(tmp_path))
    rows = [[vocab.cls, *vocab.encode(t), vocab.sep] for t in TEXTS * 40]
    ids, attn, targets = mask_batch(rows, vocab, 0.15, torch.Generator().manual_seed(0))
    original = torch.full_like(ids, vocab.pad)
    for i, r in enumerate(rows):
        original[i, :len(r)] = torch.tensor(r)
    asked = targets >= 0
    assert torch.equal(targets[asked], original[asked])
    special = (original == vocab.cls) | (original == vocab.sep) | (attn == 0)
    assert not (asked & special).any()
    assert torch.equal(ids[~asked], original[~asked])  # only the chosen characters change
    share = asked.sum() / (~special).sum()
    assert 0.1 < share < 0.2
    masked = (ids[asked] == vocab.index["[MASK]"]).float().mean()
    assert 0.7 < masked < 0.9


def test_pretrain_leaves_out_held_out_documents(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "keep", "text": "甲"}, {"id": "gone", "text": "乙"}])
    got = [ex["text"] for ex in raw_texts(TextSource(path=src.name), tmp_path, {"gone"})]
    assert got == ["甲"]


def test_pretrain_tiny_encoder_learns_and_fine_tunes(tmp_path):
    write_jsonl(tmp_path / "raw.jsonl", [{"id": f"d{i}", "text": t} for i, t in enumerate(TEXTS * 10)])
    vocab = _vocab(tmp_path)
    cfg = PretrainConfig(encoder=CNN, texts=[TextSource(path="raw.jsonl")], vocab=str(vocab), steps=150,
                         batch_size=8, lr=1e-2, checkpoint_every=150, device="cpu")
    pre = pretrain(cfg, tmp_path / "pre", tmp_path, quiet=True)
    losses = [l for _, _, l in json.loads((tmp_path / "pre" / "losses.json").read_text())]
    assert sum(losses[-20:]) / 20 < 0.5 * sum(losses[:20]) / 20
    assert pre.heads == {} and NERModel.load(tmp_path / "pre").meta["pretraining"]["steps_run"] == 150

    gold = write_jsonl(tmp_path / "gold.jsonl", [{"id": "g", "text": TEXTS[1], "entities": [
        {"id": "T1", "label": "TITLE", "start": 0, "end": 2, "text": "市长"},
        {"id": "T2", "label": "OFFICIAL", "start": 2, "end": 5, "text": "孙志洋"}], "relations": [], "commitments": []}])
    tuned = train(TrainConfig(heads={"domain": ["OFFICIAL", "TITLE"]}, init=str(tmp_path / "pre"), steps=1, lr=0.0,
                              corpora=[CorpusConfig(head="domain", format="records", path=str(gold))], device="cpu"),
                  tmp_path / "tuned", tmp_path, quiet=True)
    start = pre.module.encoder.state_dict()
    assert all(torch.allclose(v, start[k], atol=1e-3) for k, v in tuned.module.encoder.state_dict().items())
    assert set(tuned.heads) == {"domain"} and "pretraining" in tuned.meta
