"""Components on hand-built docs: no trained model involved."""
import spacy

from pipeline.components.commitments import find_commitments
from pipeline.components.ner import consistent_names, merge_adjacent, set_entities, snap_to_words
from spacy.tokens import Doc
from pipeline.components.metric_terms import MetricTerms, read_terms
from pipeline.components.relations import holds_and_title_of, measures
from pipeline.components.values import ValueNormalizer


def make_doc(text: str, spans: list[tuple[str, str]]):
    """A doc with entities given as (surface, label) in order of appearance."""
    nlp = spacy.blank("zh")  # character segmentation: any span boundary is a token boundary
    doc = nlp(text)
    out, pos = [], 0
    for surface, label in spans:
        s = text.index(surface, pos)
        out.append((s, s + len(surface), label, 0.9))
        pos = s + len(surface)
    return set_entities(doc, out)


HONG = "白云区委书记洪谦表示，白云今年将狠抓城中村改造，推动全年GDP向3500亿元迈进，增长5.5%，完成固投1400亿元。"
HONG_ENTS = [("白云区委", "ORG"), ("书记", "TITLE"), ("洪谦", "OFFICIAL"), ("白云", "DISTRICT"), ("今年", "DATE"),
             ("全年", "DATE"), ("GDP", "METRIC"), ("3500亿元", "VALUE"), ("5.5%", "VALUE"), ("固投", "METRIC"),
             ("1400亿元", "VALUE")]


def _rels(doc, rels):
    return {(t, h.text, x.text) for t, h, x in rels}


def test_ner_set_entities_splits_tokens_and_keeps_offsets():
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    text = "## 标题\n\n白云区委书记洪谦：增长１２．３％"
    doc = nlp(text)
    s = text.index("区委")
    doc = set_entities(doc, [(s - 2, s + 2, "ORG", 0.9), (s + 2, s + 4, "TITLE", 0.8), (s + 4, s + 6, "OFFICIAL", 0.7),
                             (len(text) - 5, len(text), "VALUE", 0.6)])
    assert doc.text == text
    assert [(e.text, e.label_) for e in doc.ents] == [("白云区委", "ORG"), ("书记", "TITLE"), ("洪谦", "OFFICIAL"),
                                                       ("１２．３％", "VALUE")]
    assert doc.ents[1]._.confidence == 0.8


def test_ner_spans_never_end_in_white_space():
    doc = spacy.blank("zh")("国务院总理\u3000李强")
    doc = set_entities(doc, [(3, 6, "TITLE", 0.9), (6, 8, "OFFICIAL", 0.9)])
    assert [(e.text, e.start_char, e.end_char) for e in doc.ents] == [("总理", 3, 5), ("李强", 6, 8)]


def test_ner_one_label_per_name():
    text = "市长王明讲话。王明表示"
    spans = [(2, 4, "OFFICIAL", 0.9), (7, 9, "PERSON", 0.6)]
    assert [lab for *_, lab, _ in consistent_names(text, spans)] == ["OFFICIAL", "OFFICIAL"]


def test_relations_holds_title_of_and_measures():
    doc = make_doc(HONG, HONG_ENTS)
    rels = _rels(doc, holds_and_title_of(doc))
    assert rels == {("HOLDS", "洪谦", "书记"), ("TITLE_OF", "书记", "白云区委")}
    assert _rels(doc, measures(doc)) == {("MEASURES", "GDP", "3500亿元"), ("MEASURES", "GDP", "5.5%"),
                                         ("MEASURES", "固投", "1400亿元")}


def test_relations_title_lists_and_shared_values():
    text = "市委副书记、市长孙志洋主持。地区生产总值、固定资产投资均增长6%以上"
    doc = make_doc(text, [("市委副书记", "TITLE"), ("市长", "TITLE"), ("孙志洋", "OFFICIAL"), ("地区生产总值", "METRIC"),
                          ("固定资产投资", "METRIC"), ("6%以上", "VALUE")])
    assert _rels(doc, holds_and_title_of(doc)) == {("HOLDS", "孙志洋", "市委副书记"), ("HOLDS", "孙志洋", "市长")}
    assert _rels(doc, measures(doc)) == {("MEASURES", "地区生产总值", "6%以上"), ("MEASURES", "固定资产投资", "6%以上")}


def test_commitments_speaker_clauses_and_polarity():
    doc = make_doc(HONG, HONG_ENTS)
    rels = holds_and_title_of(doc) + measures(doc)
    found = find_commitments(doc, rels)
    got = [(c["speaker"].text, doc.text[c["start"]:c["end"]], c["metric"] and c["metric"].text,
            c["value"] and c["value"].text, c["polarity"]) for c in found]
    assert got == [
        ("洪谦", "白云今年将狠抓城中村改造", None, None, "action"),
        ("洪谦", "推动全年GDP向3500亿元迈进", "GDP", "3500亿元", "reach"),
        ("洪谦", "增长5.5%", "GDP", "5.5%", "increase"),
        ("洪谦", "完成固投1400亿元", "固投", "1400亿元", "reach"),
    ]
    assert found[1]["date"].text == "全年"
    assert all(0 <= c["confidence"] <= 1 for c in found)


def test_commitments_heading_and_past_results():
    text = ("### 白云区委书记洪谦: 狠抓产业园区建设\n\n"
            "去年白云地区生产总值增长5%。洪谦表示，今年将加快招商引资。\n\n"
            "## 其他\n\n会议很成功，要继续努力。")
    doc = make_doc(text, [("白云区委", "ORG"), ("书记", "TITLE"), ("洪谦", "OFFICIAL"), ("去年", "DATE"),
                          ("白云", "DISTRICT"), ("地区生产总值", "METRIC"), ("5%", "VALUE"), ("洪谦", "OFFICIAL"),
                          ("今年", "DATE")])
    found = find_commitments(doc, measures(doc))
    clauses = [doc.text[c["start"]:c["end"]] for c in found]
    assert clauses == ["狠抓产业园区建设", "今年将加快招商引资"]  # past result and speakerless section left out


def test_commitments_report_title_speaks_for_the_body():
    text = "2024年中华人民共和国国务院政府工作报告\n\n今年发展主要预期目标是：国内生产总值增长5%左右。"
    doc = make_doc(text, [("2024年", "DATE"), ("中华人民共和国国务院", "ORG"), ("今年", "DATE"),
                          ("国内生产总值", "METRIC"), ("5%左右", "VALUE")])
    found = find_commitments(doc, measures(doc))
    assert [(c["speaker"].text, c["metric"].text, c["value"].text, c["polarity"]) for c in found] == \
        [("中华人民共和国国务院", "国内生产总值", "5%左右", "increase")]


def test_values_component_normalises():
    doc = make_doc("增长１２．３％，超万亩", [("１２．３％", "VALUE"), ("超万亩", "VALUE")])
    ValueNormalizer("v")(doc)
    assert [e._.normalized for e in doc.ents] == [{"number": 12.3, "unit": "%", "bound": "eq"},
                                                 {"number": 10000.0, "unit": "亩", "bound": "ge"}]


def test_commitments_byline_names_the_author():
    text = "# 政府工作报告\n\n国务院总理　李强\n\n今年发展主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上。"
    doc = make_doc(text, [("国务院", "ORG"), ("总理", "TITLE"), ("李强", "OFFICIAL"), ("今年", "DATE"),
                          ("国内生产总值", "METRIC"), ("5%左右", "VALUE"), ("城镇新增就业", "METRIC"),
                          ("1200万人以上", "VALUE")])
    found = find_commitments(doc, measures(doc))
    assert [(c["speaker"].text, c["metric"].text, c["value"].text, c["polarity"]) for c in found] == [
        ("李强", "国内生产总值", "5%左右", "increase"), ("李强", "城镇新增就业", "1200万人以上", "reach")]


def test_relations_respective_lists_pair_one_to_one():
    text = "力促新型储能、美妆产业规模突破200亿元、450亿元，分别增长20%、10%。"
    doc = make_doc(text, [("新型储能", "METRIC"), ("美妆产业规模", "METRIC"), ("200亿元", "VALUE"), ("450亿元", "VALUE"),
                          ("20%", "VALUE"), ("10%", "VALUE")])
    assert _rels(doc, measures(doc)) == {("MEASURES", "新型储能", "200亿元"), ("MEASURES", "美妆产业规模", "450亿元"),
                                         ("MEASURES", "新型储能", "20%"), ("MEASURES", "美妆产业规模", "10%")}


def test_ner_touching_metrics_become_one():
    text = "城镇新增就业1200万人，单位国内生产总值能耗、赤字率"
    spans = [(0, 2, "METRIC", 0.6), (2, 6, "METRIC", 0.9), (6, 12, "VALUE", 0.9), (13, 15, "METRIC", 0.5),
             (15, 23, "METRIC", 0.8), (24, 27, "METRIC", 0.9)]
    got = [(text[s:e], lab, c) for s, e, lab, c in merge_adjacent(spans)]
    assert got == [("城镇新增就业", "METRIC", 0.6), ("1200万人", "VALUE", 0.9), ("单位国内生产总值能耗", "METRIC", 0.5),
                   ("赤字率", "METRIC", 0.9)]


def _words_doc(words: list[str]) -> Doc:
    return Doc(spacy.blank("zh").vocab, words=words, spaces=[False] * len(words))


def test_ner_metric_edges_snap_to_words():
    doc = _words_doc(["人民", "收入", "水平", "提高", "5%", "，", "办公楼", "4858元"])
    text = doc.text
    at = text.index
    spans = [(0, 5, "METRIC", 0.9), (at("5%"), at("5%") + 2, "VALUE", 0.9),
             (at("公楼"), at("公楼") + 1, "METRIC", 0.8), (at("楼"), at("4858元") + 5, "VALUE", 0.9)]
    got = [(text[s:e], lab) for s, e, lab, _ in snap_to_words(doc, spans)]
    # the METRIC cannot widen into the VALUE that (wrongly) took its last character
    assert got == [("人民收入水平", "METRIC"), ("5%", "VALUE"), ("办公", "METRIC"), ("楼4858元", "VALUE")]
    assert snap_to_words(doc, spans, labels=()) == spans


def test_ner_metric_loses_a_governing_verb_but_not_a_word_that_starts_like_one():
    doc = _words_doc(["完成", "房地产", "开发", "投资", "，", "增加值", "增长", "，", "供", "应"])
    text = doc.text
    spans = [(0, 9, "METRIC", 0.9), (text.index("增加值"), text.index("增加值") + 3, "METRIC", 0.9)]
    got = [text[s:e] for s, e, _, _ in snap_to_words(doc, spans)]
    assert got == ["房地产开发投资", "增加值"]


def test_metric_terms_complete_and_add_indicators_but_respect_other_labels():
    text = "海珠区今年目标地区生产总值增长6%，社消零总额稳步增长，外贸进出口工作会议召开，ＧＤＰ增长８％。"
    doc = make_doc(text, [("海珠", "DISTRICT"), ("今年", "DATE"), ("生产总值", "METRIC"), ("6%", "VALUE"),
                          ("外贸进出口工作会议", "ORG"), ("８％", "VALUE")])
    doc = MetricTerms("t", read_terms(None))(doc)
    got = [(e.text, e.label_) for e in doc.ents]
    assert got == [("海珠", "DISTRICT"), ("今年", "DATE"), ("地区生产总值", "METRIC"), ("6%", "VALUE"),
                   ("社消零总额", "METRIC"), ("外贸进出口工作会议", "ORG"), ("ＧＤＰ", "METRIC"), ("８％", "VALUE")]
    assert doc.text == text


def test_metric_terms_need_a_value_or_a_change_and_read_extra_terms(tmp_path):
    text = "会议讨论了固定资产投资的管理办法。要扩大有效投资。"
    doc = MetricTerms("t", read_terms(None))(make_doc(text, []))
    assert list(doc.ents) == []  # an indicator named without a change is not a METRIC (schema rule 5)
    extra = tmp_path / "terms.txt"
    extra.write_text("# our own\n有效投资  # investment that adds capacity\n", encoding="utf-8")
    doc = MetricTerms("t", read_terms(extra))(make_doc(text, []))
    assert [(e.text, e.label_) for e in doc.ents] == [("有效投资", "METRIC")]
