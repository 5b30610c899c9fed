"""`chengnuo_values`: VALUE spans get `span._.normalized` {number, unit, bound}."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .. import extensions  # noqa: F401
from ..normalize import parse_value


class ValueNormalizer:
    def __init__(self, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        for ent in doc.ents:
            if ent.label_ == "VALUE":
                ent._.normalized = parse_value(ent.text)
        return doc


@Language.factory("chengnuo_values", assigns=["span._.normalized"], requires=["doc.ents"])
def make_values(nlp: Language, name: str) -> ValueNormalizer:
    return ValueNormalizer(name)
