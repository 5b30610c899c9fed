"""`chengnuo_commitments`: who pledged what.

Speaker attribution follows the schema: an explicit speech verb after an OFFICIAL or ORG
(X表示/指出/强调/介绍/称/说/提出/要求), a heading that names a speaker ("### 白云区委书记洪谦: 狠抓…"),
a report title that names the issuing body, and continuation of a speaker's passage until another
speaker takes over or a heading without a speaker ends it. Clauses are cut at ，；。 (schema C11);
a clause is a commitment when it states a future target or action and is not a past result.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import extensions  # noqa: F401

SPEECH = re.compile(r"(?:[^，。；\n]{0,12}?)(表示|指出|强调|介绍|称|说|提出|要求|认为|宣布|透露|承诺|希望)[，,：:]?")
HEADING = re.compile(r"^\s*#{1,6}\s")
REPORT_TITLE = re.compile(r"(报告|决定|纲要|意见|计划|规划)")
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
CLAUSE = re.compile(r"[^，；;。！？!?,:：]+")
FUTURE = re.compile(r"要|将|力争|确保|争取|努力|计划|目标|推动|推进|加快|加大|加强|实现|完成|实施|打造|建设|"
                    r"支持|深化|提升|提高|促进|扩大|构建|布局|培育|开展|落实|坚持|继续|进一步|着力|狠抓|抓好|"
                    r"办好|用好|做好|做强|做优|优化|引导|鼓励|健全|完善|稳定|保持|控制|降低|减少|增加|发展|迈进|突破|"
                    r"力促|聚焦|锚定|统筹|强化|拓展|建立|出台|擦亮|发挥|锻造|释放|建强|加速|营造|回应|满足|做到|"
                    r"学习|贯彻|增强|深入|围绕|加力|大力|积极|全面|切实|认真|千方百计|抓紧|抓实|抓住|形成|创造|"
                    r"改善|改进|保障|维护|防范|化解|巩固|推广|规范|严格|严控|兜牢|守住|实行|举办|引进|吸引|招引|"
                    r"培养|开发|放宽|取消|简化|压减|争创|成就|让|使")
# what a passage states rather than pledges: a copula, a comparison of what is, a description
DESCRIPTIVE = re.compile(r"^[^要将]*(?<![要将还])是|^作为|越.越|意义重大|的重要|的重点$")
PAST = re.compile(r"预计|预测|估计|预期将|去年|上年|过去|已经|已|曾|了$|了，|比上年|同比|此前|前年|上半年")
INCREASE = re.compile(r"增长|提高|增加|扩大|提升|上升|翻番|翻一番|增至")
DECREASE = re.compile(r"下降|降低|减少|压减|削减|控制在|降至|缩减")


@dataclass
class Passage:
    speaker: Span
    confidence: float


class _EntityIndex:
    """The doc's text and entities sorted by offset, so that the entities inside a clause are found
    by bisection: a scan of every entity (or a fresh `doc.text`) per clause is quadratic on a
    60,000-character report."""

    def __init__(self, doc: Doc, relations: list | None = None):
        self.doc = doc
        self.text = doc.text
        self.ents = list(doc.ents)
        self.starts = [e.start_char for e in self.ents]
        pairs = sorted(((v.start_char, m, v) for typ, m, v in (relations or []) if typ == "MEASURES"),
                       key=lambda x: x[0])
        self.measure_starts = [p[0] for p in pairs]
        self.measures = [(m, v) for _, m, v in pairs]

    def measures_in(self, start: int, end: int) -> list[tuple[Span, Span]]:
        """MEASURES pairs whose value starts inside [start, end)."""
        return self.measures[bisect_left(self.measure_starts, start):bisect_left(self.measure_starts, end)]

    def within(self, start: int, end: int, label: str | None = None) -> list[Span]:
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.ents) and self.ents[i].start_char < end:
            e = self.ents[i]
            if e.end_char <= end and (label is None or e.label_ == label):
                out.append(e)
            i += 1
        return out


def _speaker_before(ix: _EntityIndex, start: int, end: int) -> Span | None:
    """The last OFFICIAL (else ORG) in [start, end): the one a speech verb at `end` belongs to."""
    cands = ix.within(start, end)
    officials = [e for e in cands if e.label_ == "OFFICIAL"]
    if officials:
        return officials[-1]
    orgs = [e for e in cands if e.label_ == "ORG"]
    return orgs[-1] if orgs else None


def find_commitments(doc: Doc, relations: list | None = None) -> list[dict]:
    """Commitment dicts (speaker, start, end, metric, value, date: spans or None; polarity; confidence)."""
    ix = _EntityIndex(doc, relations)
    text = ix.text
    out: list[dict] = []
    passage: Passage | None = None
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    # a report or document title naming the issuing body speaks for the whole text
    if lines:
        s0, e0 = lines[0]
        orgs = ix.within(s0, e0, "ORG")
        if orgs and REPORT_TITLE.search(text[s0:e0]):
            passage = Passage(orgs[0], 0.6)
    for ls, le in lines:
        line = text[ls:le]
        byline = _byline_official(ix, ls, le)
        if byline is not None:
            # "国务院总理　李强" / "中共中央总书记、国家主席江泽民" on a line of its own: the author
            passage = Passage(byline, 0.6)
            continue
        if HEADING.match(line):
            # "### 白云区委书记洪谦: 狠抓…": the heading's speaker and its summary pledge
            head_speaker = _speaker_before(ix, ls, le)
            colon = re.search(r"[:：]", line)
            if head_speaker is not None and head_speaker.label_ == "OFFICIAL":
                passage = Passage(head_speaker, 0.7)
                if colon and ls + colon.start() >= head_speaker.end_char:
                    cs = ls + colon.end()
                    while cs < le and text[cs].isspace():
                        cs += 1
                    out += _clause_commitments(ix, cs, le, passage, heading=True)
            else:
                passage = None
            continue
        for sm in SENTENCE.finditer(line):
            ss, se = ls + sm.start(), ls + sm.end()
            body_start = ss
            v = _speech_verb(ix, ss, se)
            if v is not None:
                speaker, verb_end = v
                passage = Passage(speaker, 0.85)
                body_start = verb_end
            if passage is None:
                continue
            for cm in CLAUSE.finditer(text, body_start, se):
                cs, ce = cm.start(), cm.end()
                # leading spaces and quote marks are not part of the pledge
                while cs < ce and text[cs] in " \u3000“\"":
                    cs += 1
                if ce - cs >= 4:
                    out += _clause_commitments(ix, cs, ce, passage, sentence_start=ss)
    return out


def _byline_official(ix: _EntityIndex, ls: int, le: int) -> Span | None:
    """The OFFICIAL of a line made only of titles, organisations and that name."""
    ents = ix.within(ls, le)
    officials = [e for e in ents if e.label_ == "OFFICIAL"]
    if len(officials) != 1 or any(e.label_ not in ("OFFICIAL", "TITLE", "ORG", "DISTRICT") for e in ents):
        return None
    rest = ix.text[ls:le]
    for e in ents:
        rest = rest.replace(e.text, "", 1)
    return officials[0] if len(re.sub(r"[\s　、，,#（）()]", "", rest)) == 0 else None


def _speech_verb(ix: _EntityIndex, ss: int, se: int) -> tuple[Span, int] | None:
    """A speaker entity followed (within a few characters) by a speech verb in this sentence."""
    text = ix.text
    for ent in ix.within(ss, se):
        if ent.label_ not in ("OFFICIAL", "ORG"):
            continue
        m = SPEECH.match(text, ent.end_char)
        # 白云区委书记洪谦表示: the verb belongs to the official, not to the organisation before him
        if m and not ix.within(ent.end_char, m.start(1), "OFFICIAL"):
            return ent, m.end()
    return None


def _clause_commitments(ix: _EntityIndex, cs: int, ce: int, passage: Passage,
                        sentence_start: int | None = None, heading: bool = False) -> list[dict]:
    text = ix.text
    clause = text[cs:ce]
    if ce < len(text) and text[ce] in ":：":
        return []  # a lead-in (主要预期目标是：) announces the pledges that follow
    pairs = ix.measures_in(cs, ce)
    # a target figure takes its future sense from the sentence it stands in (目标是：…增长5%)
    lead = text[sentence_start:cs] if sentence_start is not None else ""
    future = FUTURE.search(clause) or (pairs and FUTURE.search(lead))
    if not heading and (not future or PAST.search(clause) or (DESCRIPTIVE.search(clause) and not pairs)):
        return []
    if passage.speaker.start_char >= cs and passage.speaker.end_char <= ce:
        return []
    values = ix.within(cs, ce, "VALUE")
    dates = ix.within(cs, ce, "DATE")
    if not dates and sentence_start is not None:
        dates = ix.within(sentence_start, cs, "DATE")[-1:]
    date = dates[0] if dates else None
    base = dict(speaker=passage.speaker, start=cs, end=ce, date=date)
    if not pairs and values:
        pairs = [(None, v) for v in values[:1]]
    if not pairs:
        return [dict(base, metric=None, value=None, polarity="action", confidence=round(passage.confidence * 0.8, 3))]
    recs = []
    for metric, value in pairs:
        before = text[cs:value.start_char]
        polarity = "increase" if INCREASE.search(before[-8:]) else "decrease" if DECREASE.search(before[-8:]) else "reach"
        conf = passage.confidence * min(value._.confidence or 0.5, (metric._.confidence if metric else 0.6) or 0.5)
        recs.append(dict(base, metric=metric, value=value, polarity=polarity, confidence=round(conf, 3)))
    return recs


class CommitmentComponent:
    def __init__(self, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.commitments = find_commitments(doc, doc._.relations)
        return doc


@Language.factory("chengnuo_commitments", assigns=["doc._.commitments"], requires=["doc.ents", "doc._.relations"])
def make_commitments(nlp: Language, name: str) -> CommitmentComponent:
    return CommitmentComponent(name)
