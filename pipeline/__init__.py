"""chengnuo: Chinese information extraction for government and economic news."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language


def load(model: str | None = None, **kwargs: Any) -> "Language":
    """Load the extraction pipeline (the shipped default model unless `model` names another)."""
    from .language import load as _load

    return _load(model, **kwargs)


def to_record(doc: Any, **kwargs: Any) -> dict:
    """The schema's JSONL record for a processed `Doc`."""
    from .records import doc_to_record

    return doc_to_record(doc, **kwargs)
