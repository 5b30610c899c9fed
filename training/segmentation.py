"""Word-segmentation accuracy and speed of the segmenters spaCy's Chinese tokenizer can use offline,
measured on the word-segmented People's Daily January 1998 corpus (PKU standard).

    python -m training.segmentation --limit 3000
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.language import pkuseg_model_dir

from .corpora.gold import data_dir


def gold_words(path: Path, limit: int | None) -> list[list[str]]:
    out = []
    for line in path.open(encoding="utf-8"):
        toks = line.split()[1:]
        if not toks:
            continue
        words = [t.rsplit("/", 1)[0].lstrip("[") for t in toks]
        out.append([w.split("]")[0] for w in words])
        if limit and len(out) >= limit:
            break
    return out


def _spans(words: list[str]) -> set[tuple[int, int]]:
    spans, pos = set(), 0
    for w in words:
        spans.add((pos, pos + len(w)))
        pos += len(w)
    return spans


def evaluate_segmenter(name: str, sentences: list[list[str]]) -> dict:
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": name}}})
    if name == "pkuseg":
        nlp.tokenizer.initialize(pkuseg_model=pkuseg_model_dir())
    texts = ["".join(s) for s in sentences]
    nlp.tokenizer(texts[0])
    t0 = time.perf_counter()
    docs = [nlp.tokenizer(t) for t in texts]
    secs = time.perf_counter() - t0
    tp = fp = fn = 0
    for doc, gold in zip(docs, sentences):
        pred = _spans([t.text for t in doc if not t.is_space])
        g = _spans(gold)
        tp, fp, fn = tp + len(pred & g), fp + len(pred - g), fn + len(g - pred)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return {"segmenter": name, "p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4),
            "chars_per_s": round(sum(map(len, texts)) / secs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=3000, help="paragraphs of the corpus to use")
    args = ap.parse_args()
    sents = gold_words(data_dir(args.data) / "pku_peoples_daily_199801" / "199801.pos.txt", args.limit)
    print(f"{len(sents)} paragraphs, {sum(len(''.join(s)) for s in sents):,} characters")
    print("| segmenter | P | R | F1 | characters/s |\n|---|---|---|---|---|")
    for name in ("char", "jieba") + (("pkuseg",) if pkuseg_model_dir() else ()):
        r = evaluate_segmenter(name, sents)
        print(f"| {name} | {r['p']:.3f} | {r['r']:.3f} | {r['f1']:.3f} | {r['chars_per_s']:,} |")


if __name__ == "__main__":
    main()
