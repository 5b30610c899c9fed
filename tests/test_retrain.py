"""The retraining loop on tiny models: annotations from Label Studio, continue training, compare on
held-out documents, and a promotion gate that accepts a better model and refuses a worse one."""
import json

from pipeline.registry import load_registry, register
from training.interchange import export_records
from training.retrain import RetrainArgs, gate, retrain, split_holdout
from training.train import CorpusConfig, TrainConfig, train

from conftest import tiny_vocab, write_jsonl
from test_train import SENTENCES, _record

LABELS = ["OFFICIAL", "PERSON", "TITLE", "ORG", "DISTRICT", "METRIC", "VALUE", "DATE"]
SWAP = {"OFFICIAL": "TITLE", "TITLE": "OFFICIAL", "ORG": "DATE", "DATE": "ORG", "METRIC": "VALUE", "VALUE": "METRIC"}


def _base(tmp_path, steps):
    """A tiny, barely trained model, registered as the default."""
    data = write_jsonl(tmp_path / "orig.jsonl", [_record(i, t, e) for i, (t, e) in enumerate(SENTENCES)])
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(tiny_vocab("".join(t for t, _ in SENTENCES)).tokens) + "\n", encoding="utf-8")
    cfg = TrainConfig(heads={"domain": LABELS}, corpora=[CorpusConfig(head="domain", format="records", path=str(data))],
                      init="scratch", vocab=str(vocab), steps=steps, batch_size=2, lr=1e-5, seed=1, checkpoint_every=100,
                      encoder=dict(embedding_size=32, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                   intermediate_size=128))
    out = tmp_path / "models" / "base"
    train(cfg, out, tmp_path, quiet=True)
    register(out, {}, make_default=True, path=tmp_path / "models" / "registry.json")
    return out


def _args(tmp_path, base, annotations, out, **kw):
    return RetrainArgs(base=base, annotations=[str(annotations)], out=tmp_path / "models" / out, steps=kw.pop("steps", 150),
                       lr=3e-3, holdout=0.0, eval=[str(tmp_path / "eval.jsonl")], registry=tmp_path / "models" / "registry.json",
                       data=tmp_path, quiet=True, **kw)


def test_retrain_promotes_a_better_model_and_refuses_a_worse_one(tmp_path):
    base = _base(tmp_path, steps=1)
    gold = [_record(i, t, e) for i, (t, e) in enumerate(SENTENCES)]
    write_jsonl(tmp_path / "eval.jsonl", gold)
    export_records(gold, tmp_path / "corrected.json", "label-studio")  # as annotators would hand them back

    better = retrain(_args(tmp_path, base, tmp_path / "corrected.json", "better"), say=lambda *_: None)
    assert better.passed and better.promoted
    assert better.new.entities["f1"] > better.base.entities["f1"] + 0.5
    reg = load_registry(tmp_path / "models" / "registry.json")
    assert reg["default"] == "better" and reg["models"]["better"]["parent"] == "base"
    assert reg["models"]["better"]["gate"] == "passed"
    comparison = (tmp_path / "models" / "better" / "comparison.md").read_text(encoding="utf-8")
    assert "| entities |" in comparison and "OFFICIAL" in comparison
    # the base model's own training data was mixed in
    trained = json.loads((tmp_path / "models" / "better" / "tagger.json").read_text())["training"]["corpora"]
    assert str(tmp_path / "orig.jsonl") in [c["path"] for c in trained]

    wrong = [dict(r, entities=[dict(e, label=SWAP.get(e["label"], e["label"])) for e in r["entities"]],
                  relations=[], commitments=[]) for r in gold]
    export_records(wrong, tmp_path / "wrong.jsonl", "doccano")
    worse = retrain(_args(tmp_path, tmp_path / "models" / "better", tmp_path / "wrong.jsonl", "worse", weight=20.0),
                    say=lambda *_: None)
    assert not worse.passed and not worse.promoted
    assert "entities F1" in worse.reasons[0]
    reg = load_registry(tmp_path / "models" / "registry.json")
    assert reg["default"] == "better"
    assert reg["models"]["worse"]["gate"].startswith("refused")


def test_retrain_gate_tolerance():
    from training.evaluate import score

    gold = {"d": _record(0, *SENTENCES[0])}
    half = {"d": dict(gold["d"], entities=gold["d"]["entities"][:3])}
    full, part = score(gold, gold), score(gold, half)
    assert gate(full, full, 0.0) == []
    assert gate(full, part, 0.01) and not gate(part, full, 0.0)
    assert gate(full, part, 1.0) == []


def test_retrain_gate_watches_commitment_triples_with_their_own_tolerance():
    from dataclasses import replace

    from training.evaluate import score

    gold = {"d": _record(0, *SENTENCES[0])}
    full = score(gold, gold)
    worse = replace(full, commitment_triples=dict(full.commitment_triples, f1=full.commitment_triples["f1"] - 0.02))
    assert gate(full, worse, 0.01, triples_tolerance=0.03) == []
    assert "commitment_triples" in gate(full, worse, 0.01, triples_tolerance=0.01)[0]


def test_retrain_holdout_splits_by_document_reproducibly():
    recs = [{"id": f"d{i}"} for i in range(10)]
    a, b = split_holdout(recs, 0.2, 5)
    assert len(b) == 2 and {r["id"] for r in a} | {r["id"] for r in b} == {f"d{i}" for i in range(10)}
    assert split_holdout(list(reversed(recs)), 0.2, 5) == (a, b)
    assert len(split_holdout(recs[:3], 0.1, 5)[1]) == 1


def test_retrain_cli_compares_against_another_model(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    base = _base(tmp_path, steps=1)
    gold = [_record(i, t, e) for i, (t, e) in enumerate(SENTENCES)]
    write_jsonl(tmp_path / "eval.jsonl", gold)
    export_records(gold, tmp_path / "new.jsonl", "doccano")
    reg = tmp_path / "models" / "registry.json"
    args = ["train", "--from", str(base), "--annotations", str(tmp_path / "new.jsonl"), "--registry", str(reg),
            "--eval", str(tmp_path / "eval.jsonl"), "--holdout", "0", "--steps", "3", "--lr", "1e-6",
            "--data", str(tmp_path)]
    # against itself after three tiny steps: the gate passes within tolerance, exit 0
    res = CliRunner().invoke(app, args + ["--out", str(tmp_path / "models" / "same"), "--tolerance", "1.0"])
    assert res.exit_code == 0, res.output
    # against a model that knows the sentences: refused, exit 3, default unchanged
    better = retrain(_args(tmp_path, base, tmp_path / "new.jsonl", "better", force=False), say=lambda *_: None)
    assert better.promoted
    res = CliRunner().invoke(app, args + ["--out", str(tmp_path / "models" / "weak"), "--against",
                                          str(tmp_path / "models" / "better"), "--tolerance", "0.0"])
    assert res.exit_code == 3, res.output
    entry = load_registry(reg)["models"]["weak"]
    assert entry["parent"] == "base" and entry["compared_with"] == "better" and entry["gate"].startswith("refused")
    assert load_registry(reg)["default"] == "better"
