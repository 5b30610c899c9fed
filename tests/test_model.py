import numpy as np

from pipeline.model import NERModel, decode_bio


def test_model_windows_cover_long_text_end_to_end(tiny_model):
    model = NERModel.load(tiny_model, window=64, stride=48)
    text = ("白云区委书记洪谦表示，今年GDP增长5.5%。\n\n" * 1200)[:25000]
    probs = model.predict_proba([text, "短"])
    assert probs[0].shape == (25000, len(model.heads["domain"]))
    assert probs[1].shape == (1, len(model.heads["domain"]))
    # every character got a prediction from some window (rows are distributions)
    assert np.allclose(probs[0].sum(-1), 1.0, atol=1e-4)


def test_model_window_merge_matches_single_window(tiny_model):
    """A text tagged in small overlapping windows gets, for each character, the prediction of a
    window where it has context on both sides; with windows as long as the text, one pass."""
    text = "广州市长孙志洋表示今年GDP增长5.5%" * 3
    whole = NERModel.load(tiny_model, window=256, stride=192).predict_proba([text])[0]
    small = NERModel.load(tiny_model, window=40, stride=20).predict_proba([text])[0]
    assert whole.shape == small.shape
    # the first characters see the same left context in both settings
    assert np.allclose(whole[:5], small[:5], atol=0.2)


def test_model_decode_spans_and_confidence():
    labels = ["O", "B-ORG", "I-ORG", "B-TITLE", "I-TITLE"]
    p = np.full((5, 5), 0.01, dtype=np.float32)
    for i, k in enumerate([1, 2, 3, 4, 0]):  # 区委 书记 。
        p[i, k] = 0.96
    spans = decode_bio(p, labels)
    assert [(s, e, lab) for s, e, lab, _ in spans] == [(0, 2, "ORG"), (2, 4, "TITLE")]
    assert all(abs(c - 0.96) < 1e-6 for *_, c in spans)


def test_model_decode_viterbi_prefers_the_valid_path():
    labels = ["O", "B-TITLE", "I-TITLE"]
    # 党组书记: argmax would give O O O I (a lone 记); the best valid path is B I I I
    p = np.array([[0.4, 0.55, 0.05], [0.4, 0.05, 0.55], [0.4, 0.05, 0.55], [0.3, 0.05, 0.65]], dtype=np.float32)
    assert [(s, e, lab) for s, e, lab, _ in decode_bio(p, labels)] == [(0, 4, "TITLE")]
    q = np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.4, 0.05, 0.55]], dtype=np.float32)
    assert decode_bio(q, labels) == []  # O O I is invalid; O O O wins


def test_model_save_load_roundtrip(tiny_model, tmp_path):
    m = NERModel.load(tiny_model)
    m.save(tmp_path / "copy")
    again = NERModel.load(tmp_path / "copy")
    text = "洪谦表示今年GDP增长5.5%"
    assert np.allclose(m.predict_proba([text])[0], again.predict_proba([text])[0], atol=1e-3)


def test_model_decode_shortcut_matches_viterbi():
    import numpy as np

    from pipeline.model import _transitions, _viterbi, bio_labels, decode_bio

    labels = bio_labels(["ORG", "TITLE"])
    allowed, start_ok = _transitions(tuple(labels))
    rng = np.random.default_rng(0)
    shortcut = 0
    for n in range(1, 200):
        probs = rng.dirichlet(np.full(len(labels), 0.3), size=n % 17 + 1).astype(np.float32)
        path = _viterbi(np.log(np.clip(probs, 1e-9, 1.0)), allowed, start_ok)
        want = [(s, e, lab) for s, e, lab, _ in decode_bio(probs, labels)]
        tags = [labels[t] for t in path]
        got, cur = [], None
        for i, t in enumerate(tags + ["O"]):
            if cur and not t.startswith("I-"):
                got.append(tuple(cur))
                cur = None
            if t.startswith("B-"):
                cur = [i, i + 1, t[2:]]
            elif t.startswith("I-"):
                cur[1] = i + 1
        assert want == got
        best = probs.argmax(1)
        shortcut += bool(start_ok[best[0]] and allowed[best[:-1], best[1:]].all())
    assert 0 < shortcut < 199  # both branches ran
