"""Custom attributes the components set on `Doc` and `Span` (registered once, on import)."""
from __future__ import annotations

from spacy.tokens import Doc, Span


def register() -> None:
    for name, default in (("confidence", None), ("normalized", None)):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name in ("relations", "commitments"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)  # set to a fresh list by the component
    if not Doc.has_extension("doc_id"):
        Doc.set_extension("doc_id", default=None)


register()
