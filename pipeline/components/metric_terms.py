"""`chengnuo_metric_terms`: standard statistical indicators as a lexicon for METRIC.

The tagger learns METRIC from a few hundred gold documents, most of them from 1998, and both
misses and cuts short the indicators that modern local-government news is built on (地区生产总值
tagged as 生产总值, 社消零总额 missed). These names are a closed, well-known vocabulary (the
indicators that statistics bureaus publish), so a lexicon completes what the tagger found:

- a tagged METRIC lying inside a longer indicator name becomes that name (生产总值 → 地区生产总值);
- an untagged indicator name becomes a METRIC when schema rule 5 allows it: a VALUE or a change
  verb follows it in the same clause, or a governing verb stands right before it.

It never overrides another label and never shortens a METRIC. Extra terms (one per line, `#`
comments) come from the `terms_path` setting.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from .ner import CHANGE_VERBS, GOVERNING_VERBS, set_entities

INDICATORS = """
GDP 国内生产总值 地区生产总值 国民生产总值 人均GDP 人均地区生产总值 人均国内生产总值
工业增加值 规上工业增加值 规模以上工业增加值 工业总产值 规上工业总产值 规模以上工业总产值 规上工业产值
规上工业 建筑业总产值 服务业增加值 第三产业增加值 高技术制造业增加值 战略性新兴产业增加值
数字经济核心产业增加值 农业总产值 农林牧渔业总产值
固定资产投资 固投 工业投资 制造业投资 民间投资 基础设施投资 房地产开发投资 工业技改投资
社会消费品零售总额 社消零总额 社消零 社零 社零总额 网上零售额 商品销售总额 批发零售业销售额
外贸进出口 外贸进出口总额 进出口总额 货物进出口总额 出口总额 进口总额 外贸出口
实际使用外资 实际利用外资 合同利用外资 外商直接投资
一般公共预算收入 地方一般公共预算收入 一般公共预算支出 财政收入 地方财政收入 财政总收入 财政支出 税收收入
财政赤字 赤字率 地方政府专项债券 货币供应量 广义货币供应量 社会融资规模 人民币贷款 外汇储备
城镇新增就业 城镇调查失业率 城镇登记失业率 居民消费价格 居民消费价格涨幅
居民人均可支配收入 城镇居民人均可支配收入 农村居民人均可支配收入 农民人均纯收入 城乡居民收入
粮食产量 粮食总产量 单位国内生产总值能耗 单位GDP能耗 能源消费总量 二氧化碳排放强度
研发投入 研发经费投入 研发投入强度 全社会研发投入 全社会研发经费投入 R&D经费支出
高新技术企业 规上工业企业 规模以上工业企业 专精特新企业 市场主体 常住人口 城镇化率 常住人口城镇化率
旅游收入 旅游总收入 接待游客 集装箱吞吐量 货物吞吐量 港口货物吞吐量 旅客吞吐量 快递业务量
商品房销售面积 森林覆盖率 空气质量优良天数比例
""".split()

CLAUSE_END = "，。；！？,;!?\n"
FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def read_terms(path: str | Path | None) -> list[str]:
    """The built-in indicators plus those in `path`; ASCII letters also in full width (ＧＤＰ, 1998 text)."""
    terms = list(INDICATORS)
    if path:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                terms.append(line)
    terms += [t.translate(FULLWIDTH) for t in terms if t.translate(FULLWIDTH) != t]
    return sorted(set(terms), key=len, reverse=True)


class MetricTerms:
    def __init__(self, name: str, terms: Iterable[str]):
        self.name = name
        self.terms = list(terms)
        self._pattern = re.compile("|".join(map(re.escape, self.terms))) if self.terms else None

    def __call__(self, doc: Doc) -> Doc:
        if self._pattern is None:
            return doc
        text = doc.text
        spans = [(e.start_char, e.end_char, e.label_, e._.confidence) for e in doc.ents]
        changed = False
        for m in self._pattern.finditer(text):
            s, e = m.span()
            overlapping = [sp for sp in spans if sp[0] < e and s < sp[1]]
            if not overlapping:
                if self._licensed(text, s, e, spans):
                    spans.append((s, e, "METRIC", 1.0))
                    changed = True
            elif all(lab == "METRIC" and s <= a and b <= e for a, b, lab, _ in overlapping) \
                    and (s, e) != overlapping[0][:2]:
                conf = min(c if c is not None else 1.0 for *_, c in overlapping)
                spans = [sp for sp in spans if sp not in overlapping] + [(s, e, "METRIC", conf)]
                changed = True
        return set_entities(doc, sorted(spans)) if changed else doc

    @staticmethod
    def _licensed(text: str, s: int, e: int, spans: list[tuple]) -> bool:
        """Schema rule 5: a METRIC needs a VALUE or an explicit change attached in its clause."""
        end = e
        while end < len(text) and text[end] not in CLAUSE_END:
            end += 1
        if any(lab == "VALUE" and e <= a < end for a, _, lab, _ in spans):
            return True
        rest = text[e:end]
        if any(rest.startswith(v, k) for k in range(min(len(rest), 4)) for v in CHANGE_VERBS):
            return True
        return any(text[max(0, s - n):s] in GOVERNING_VERBS for n in (2, 3))


@Language.factory("chengnuo_metric_terms", assigns=["doc.ents"], requires=["doc.ents"],
                  default_config={"terms_path": None})
def make_metric_terms(nlp: Language, name: str, terms_path: str | None) -> MetricTerms:
    return MetricTerms(name, read_terms(terms_path))
