"""`chengnuo_relations`: HOLDS, TITLE_OF and MEASURES from the order of entities in a clause.

Chinese news writes these links by adjacency: "[ORG]白云区委[TITLE]书记[OFFICIAL]洪谦",
"[TITLE]市委副书记、[TITLE]市长[OFFICIAL]孙志洋", "[METRIC]固投[VALUE]1400亿元", "[METRIC]GDP、
[METRIC]社零均增长[VALUE]6%以上". The rules read that order; what they link is measured by the
evaluation command like everything else.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import extensions  # noqa: F401

TITLE_GLUE = re.compile(r"^[、，,\s兼和及暨]*$")  # between titles of one person
NAME_GLUE = re.compile(r"^[\s　]*$")  # between a title and the name it introduces
CLAUSE_END = re.compile(r"[。；;！？!?\n]")
METRIC_LIST_GLUE = re.compile(r"^[、，,和及与以及]*$")
MAX_METRIC_GAP = 24  # characters between a metric and its value within a clause


def _gap(text: str, a: Span, b: Span) -> str:
    return text[a.end_char:b.start_char]


def holds_and_title_of(doc: Doc) -> list[tuple[str, Span, Span]]:
    text = doc.text  # once: Doc.text is rebuilt from the tokens on every access
    ents = list(doc.ents)
    rels: list[tuple[str, Span, Span]] = []
    for i, ent in enumerate(ents):
        if ent.label_ != "OFFICIAL":
            continue
        titles: list[Span] = []
        j = i - 1
        if j >= 0 and ents[j].label_ == "TITLE" and NAME_GLUE.match(_gap(text, ents[j], ent)):
            titles.append(ents[j])
            while j - 1 >= 0 and ents[j - 1].label_ in ("TITLE", "ORG", "DISTRICT") and TITLE_GLUE.match(_gap(text, ents[j - 1], ents[j])):
                j -= 1
                if ents[j].label_ == "TITLE":
                    titles.append(ents[j])
        elif i + 1 < len(ents) and ents[i + 1].label_ == "TITLE" and _gap(text, ent, ents[i + 1]) == "":
            titles.append(ents[i + 1])  # 冯忠华书记
        rels.extend(("HOLDS", ent, t) for t in reversed(titles))
    for i, ent in enumerate(ents):
        if ent.label_ != "TITLE":
            continue
        # the organisation in front of this title, or in front of the list of titles it ends
        j = i - 1
        while j >= 0 and ents[j].label_ == "TITLE" and TITLE_GLUE.match(_gap(text, ents[j], ents[j + 1])):
            j -= 1
        if j >= 0 and ents[j].label_ in ("ORG", "DISTRICT") and _gap(text, ents[j], ents[j + 1]) == "":
            rels.append(("TITLE_OF", ent, ents[j]))
    return rels


def _respective(text: str, ents: list[Span]) -> dict[int, int]:
    """新型储能、美妆产业规模突破200亿元、450亿元，分别增长20%、10%: lists of metrics and values
    of the same length joined by 分别 pair up one to one. RETURNS value index → metric index."""
    pairs: dict[int, int] = {}
    i = 0
    while i < len(ents):
        if ents[i].label_ != "VALUE":
            i += 1
            continue
        j = i
        while j + 1 < len(ents) and ents[j + 1].label_ == "VALUE" and METRIC_LIST_GLUE.match(_gap(text, ents[j], ents[j + 1])):
            j += 1
        values = list(range(i, j + 1))
        # the metric list: the nearest run of metrics before the values, in the same sentence
        k = i - 1
        while k >= 0 and ents[k].label_ != "METRIC" and not CLAUSE_END.search(text[ents[k].end_char:ents[i].start_char]):
            k -= 1
        metrics = []
        if k >= 0 and ents[k].label_ == "METRIC" and not CLAUSE_END.search(text[ents[k].end_char:ents[i].start_char]):
            metrics = [k]
            while k - 1 >= 0 and ents[k - 1].label_ == "METRIC" and METRIC_LIST_GLUE.match(_gap(text, ents[k - 1], ents[k])):
                k -= 1
                metrics.insert(0, k)
        between = text[ents[metrics[-1]].end_char:ents[i].start_char] if metrics else ""
        if len(values) > 1 and len(metrics) == len(values) and ("分别" in between or "，" in between or len(between) < 8):
            pairs.update(zip(values, metrics))
        i = j + 1
    return pairs


def measures(doc: Doc) -> list[tuple[str, Span, Span]]:
    text = doc.text
    ents = list(doc.ents)
    rels: list[tuple[str, Span, Span]] = []
    respective = _respective(text, ents)
    for i, val in enumerate(ents):
        if val.label_ != "VALUE":
            continue
        if i in respective:
            rels.append(("MEASURES", ents[respective[i]], val))
            continue
        metric = None
        for j in range(i - 1, -1, -1):
            gap = text[ents[j].end_char:val.start_char]
            if CLAUSE_END.search(gap) or len(gap) > MAX_METRIC_GAP:
                break
            if ents[j].label_ == "METRIC":
                metric = j
                break
        if metric is not None:
            group = [metric]
            k = metric
            while k - 1 >= 0 and ents[k - 1].label_ == "METRIC" and METRIC_LIST_GLUE.match(_gap(text, ents[k - 1], ents[k])):
                k -= 1
                group.append(k)
            rels.extend(("MEASURES", ents[m], val) for m in sorted(group))
        elif i + 1 < len(ents) and ents[i + 1].label_ == "METRIC" and len(_gap(text, val, ents[i + 1])) <= 4 \
                and not CLAUSE_END.search(_gap(text, val, ents[i + 1])):
            rels.append(("MEASURES", ents[i + 1], val))  # 100个未来产业场景: the counted noun follows
    return rels


class RelationComponent:
    def __init__(self, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.relations = holds_and_title_of(doc) + measures(doc)
        return doc


@Language.factory("chengnuo_relations", assigns=["doc._.relations"], requires=["doc.ents"])
def make_relations(nlp: Language, name: str) -> RelationComponent:
    return RelationComponent(name)
