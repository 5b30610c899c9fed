"""Building the spaCy `Language`: Chinese segmentation plus the chengnuo components."""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from .registry import default_model
from .components import commitments, metric_terms, ner, relations, values  # noqa: F401  (registers the factories)

SEGMENTERS = ("jieba", "char", "pkuseg")


def pkuseg_model_dir() -> str | None:
    """The `default` model of the pkuseg package, when it is installed (it ships one; spacy-pkuseg does not)."""
    import importlib.util

    spec = importlib.util.find_spec("pkuseg")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "models" / "default"
    return str(path) if path.exists() else None


def default_model_path() -> Path:
    """The model named default in models/registry.json (or $CHENGNUO_MODEL)."""
    return default_model()


def build(model: str | Path | None = None, segmenter: str = "jieba", batch_size: int = 16) -> Language:
    """A fresh pipeline: tokenizer (segmenter) → chengnuo_ner → chengnuo_metric_terms → chengnuo_values →
    chengnuo_relations → chengnuo_commitments.

    model (str | Path): a model folder (default: the registry's default model).
    segmenter (str): "jieba" (words, the default), "pkuseg" (more accurate words; needs the pkuseg
        package, whose bundled model is used) or "char" (one token per character).
    RETURNS (Language): the pipeline.
    """
    if segmenter not in SEGMENTERS:
        raise ValueError(f"segmenter must be one of {SEGMENTERS}, not {segmenter!r}")
    path = Path(model) if model else default_model_path()
    if not (path / "tagger.json").exists():
        raise FileNotFoundError(f"{path} is not a chengnuo model folder (no tagger.json)")
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    if segmenter == "pkuseg":
        model_dir = pkuseg_model_dir()
        if model_dir is None:
            raise ImportError("segmenter='pkuseg' needs the pkuseg package (pip install numpy cython && "
                              "pip install --no-build-isolation pkuseg==0.0.25), which ships its model")
        nlp.tokenizer.initialize(pkuseg_model=model_dir)
    nlp.add_pipe("chengnuo_ner", config={"model": str(path), "batch_size": batch_size})
    nlp.add_pipe("chengnuo_metric_terms")
    nlp.add_pipe("chengnuo_values")
    nlp.add_pipe("chengnuo_relations")
    nlp.add_pipe("chengnuo_commitments")
    nlp.meta["name"] = path.name
    return nlp


def load(model: str | Path | None = None, segmenter: str = "jieba", batch_size: int = 16) -> Language:
    return build(model, segmenter=segmenter, batch_size=batch_size)
