"""A tiny model trained for a few steps must learn: loss drops and a memorised sentence comes back."""
import json

from pipeline.model import NERModel
from training.train import CorpusConfig, TrainConfig, chunk_example, corpus_path, train

from conftest import tiny_vocab, write_jsonl

SENTENCES = [
    ("白云区委书记洪谦表示今年GDP增长5.5%", [("白云区委", "ORG"), ("书记", "TITLE"), ("洪谦", "OFFICIAL"), ("今年", "DATE"),
                                     ("GDP", "METRIC"), ("5.5%", "VALUE")]),
    ("市长孙志洋主持会议", [("市长", "TITLE"), ("孙志洋", "OFFICIAL")]),
]


def _record(i, text, ents):
    out, pos = [], 0
    for n, (surface, label) in enumerate(ents, 1):
        s = text.index(surface, pos)
        out.append({"id": f"T{n}", "label": label, "start": s, "end": s + len(surface), "text": surface})
        pos = s + len(surface)
    return {"id": f"s{i}", "text": text, "entities": out, "relations": [], "commitments": []}


def test_train_tiny_model_learns(tmp_path):
    data = write_jsonl(tmp_path / "train.jsonl", [_record(i, t, e) for i, (t, e) in enumerate(SENTENCES)])
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(tiny_vocab("".join(t for t, _ in SENTENCES)).tokens) + "\n", encoding="utf-8")
    cfg = TrainConfig(heads={"domain": ["OFFICIAL", "PERSON", "TITLE", "ORG", "DISTRICT", "METRIC", "VALUE", "DATE"]},
                      corpora=[{"head": "domain", "format": "records", "path": str(data)}], init="scratch",
                      vocab=str(vocab), encoder=dict(embedding_size=32, hidden_size=64, num_hidden_layers=2,
                                                     num_attention_heads=4, intermediate_size=128),
                      steps=120, batch_size=2, lr=3e-3, warmup=0.05, checkpoint_every=60, seed=1)
    from training.train import CorpusConfig
    cfg.corpora = [CorpusConfig(**c) for c in cfg.corpora]
    train(cfg, tmp_path / "model", tmp_path, quiet=True)
    losses = [l for _, _, l in json.loads((tmp_path / "model" / "losses.json").read_text())]
    assert sum(losses[-10:]) / 10 < 0.2 * sum(losses[:10]) / 10
    model = NERModel.load(tmp_path / "model")
    text, ents = SENTENCES[0]
    got = [(text[s:e], lab) for s, e, lab, _ in model.predict_spans([text])[0]]
    assert got == ents
    assert (tmp_path / "model" / "checkpoint.pt").exists()


def test_train_resume_continues_from_checkpoint(tmp_path):
    data = write_jsonl(tmp_path / "train.jsonl", [_record(i, t, e) for i, (t, e) in enumerate(SENTENCES)])
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(tiny_vocab("".join(t for t, _ in SENTENCES)).tokens) + "\n", encoding="utf-8")
    from training.train import CorpusConfig
    kw = dict(heads={"domain": ["OFFICIAL", "TITLE"]}, init="scratch", vocab=str(vocab),
              corpora=[CorpusConfig(head="domain", format="records", path=str(data),
                                    )],
              encoder=dict(embedding_size=16, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=64), batch_size=2, checkpoint_every=5, seed=3)
    # the second sentence only: its labels are within the head
    write_jsonl(data, [_record(1, *SENTENCES[1])])
    train(TrainConfig(steps=10, **kw), tmp_path / "a", tmp_path, quiet=True)
    train(TrainConfig(steps=5, **kw), tmp_path / "b", tmp_path, quiet=True)
    train(TrainConfig(steps=10, **kw), tmp_path / "b", tmp_path, resume=True, quiet=True)
    la = json.loads((tmp_path / "a" / "losses.json").read_text())
    lb = json.loads((tmp_path / "b" / "losses.json").read_text())
    assert len(lb) == 10 and [round(x[2], 4) for x in la] != [] and la[0] == lb[0]


def test_train_chunks_never_cut_a_span():
    text = "甲" * 100 + "。" + "广州市发展和改革委员会" + "乙" * 100
    ex = {"id": "x", "text": text, "spans": [[101, 112, "ORG"]], "corpus": "c"}
    pieces = list(chunk_example(ex, 105))
    assert "".join(p["text"] for p in pieces) == text
    assert any(p["spans"] == [[0, 11, "ORG"]] for p in pieces)


def _tiny_cnn_config(tmp_path, **kw) -> TrainConfig:
    """A tiny character CNN on the two sentences, 150 steps."""
    from training.train import CorpusConfig

    data = write_jsonl(tmp_path / "train.jsonl", [_record(i, t, e) for i, (t, e) in enumerate(SENTENCES)])
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(tiny_vocab("".join(t for t, _ in SENTENCES)).tokens) + "\n", encoding="utf-8")
    return TrainConfig(heads={"domain": ["OFFICIAL", "PERSON", "TITLE", "ORG", "DISTRICT", "METRIC", "VALUE", "DATE"]},
                       corpora=[CorpusConfig(head="domain", format="records", path=str(data))], init="scratch",
                       vocab=str(vocab), encoder=dict(type="cnn", embedding_size=16, bigram_size=8, bigram_buckets=101,
                                                      hidden_size=32, dilations=[1, 2]),
                       steps=150, batch_size=2, lr=1e-2, warmup=0.05, checkpoint_every=150, seed=1, **kw)


def test_train_cnn_encoder_learns_and_reloads(tmp_path):
    trained = train(_tiny_cnn_config(tmp_path), tmp_path / "cnn", tmp_path, quiet=True)
    losses = [l for _, _, l in json.loads((tmp_path / "cnn" / "losses.json").read_text())]
    assert sum(losses[-10:]) / 10 < 0.2 * sum(losses[:10]) / 10
    model = NERModel.load(tmp_path / "cnn")
    assert json.loads((tmp_path / "cnn" / "tagger.json").read_text())["encoder"]["type"] == "cnn"
    text, ents = SENTENCES[0]
    got = [(text[s:e], lab) for s, e, lab, _ in model.predict_spans([text])[0]]
    assert got == ents == [(text[s:e], lab) for s, e, lab, _ in trained.predict_spans([text])[0]]


def test_train_config_extends_another(tmp_path):
    (tmp_path / "base.toml").write_text('steps = 7\nlr = 0.1\n[heads]\nd = ["ORG"]\n', encoding="utf-8")
    (tmp_path / "child.toml").write_text('extends = "base.toml"\nlr = 0.5\n', encoding="utf-8")
    cfg = TrainConfig.from_toml(tmp_path / "child.toml", seed=3)
    assert (cfg.steps, cfg.lr, cfg.seed, cfg.heads) == (7, 0.5, 3, {"d": ["ORG"]})


def test_train_never_reads_held_out_pku_articles(tmp_path):
    import random

    from training.corpora.gold import held_out_sources
    from training.train import CorpusConfig, load_examples

    article = sorted(a for a in held_out_sources() if a[:4] == "1998")[0]
    (tmp_path / "pku.txt").write_text(f"{article}-001/m  江/nr 泽民/nr\n19980199-01-001-001/m  北京/ns\n",
                                      encoding="utf-8")
    got = load_examples(CorpusConfig(head="pku", format="pku", path="pku.txt"), tmp_path, random.Random(0),
                        ["PER", "LOC"])
    assert [ex["text"] for ex in got] == ["北京"]


def test_train_label_weights_reach_the_loss(tmp_path):
    """A label whose tags weigh nothing in the loss is never learned; the others still are."""
    cfg = _tiny_cnn_config(tmp_path, device="cpu", label_weights={"OFFICIAL": 0.0})
    model = train(cfg, tmp_path / "w", tmp_path, quiet=True)
    text, _ = SENTENCES[0]
    got = {text[s:e]: lab for s, e, lab, _ in model.predict_spans([text])[0]}
    assert got.get("GDP") == "METRIC" and got.get("今年") == "DATE" and "OFFICIAL" not in got.values()


def test_train_corpus_paths_resolve_in_data_then_in_the_repository(tmp_path):
    from training.corpora.gold import REPO

    # a shipped model records its new annotations as models/<name>/data/new-train.jsonl (not in git:
    # they hold licensed text); any file of the repository resolves the same way
    in_repo = "annotations/gold/dev.jsonl"
    assert corpus_path(CorpusConfig("domain", "records", in_repo), tmp_path) == str(REPO / in_repo)
    (tmp_path / "msra").mkdir()
    (tmp_path / "msra" / "train.bio").write_text("", encoding="utf-8")
    assert corpus_path(CorpusConfig("msra", "bio", "msra/train.bio"), tmp_path) == str(tmp_path / "msra" / "train.bio")
    assert corpus_path(CorpusConfig("msra", "bio", "absent.bio"), tmp_path) == str(tmp_path / "absent.bio")
    assert corpus_path(CorpusConfig("domain", "records", "gold:dev"), tmp_path) == "gold:dev"
