"""Numbers in Chinese news text: full-width digits, Chinese numerals, 万/亿 scaling, bound words.

`parse_value("超万亩")` → {"number": 10000.0, "unit": "亩", "bound": "ge"}. Pure functions, used by
the values component and by anyone who wants the figures out of a VALUE span.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4,
          "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 1e4, "亿": 1e8, "萬": 1e4, "億": 1e8}
BOUND_PREFIX = [("不超过", "le"), ("不到", "le"), ("超过", "ge"), ("大约", "approx"), ("约", "approx"),
                ("超", "ge"), ("逾", "ge"), ("近", "le"), ("达", "eq")]
BOUND_SUFFIX = [("以上", "ge"), ("以下", "le"), ("以内", "le"), ("左右", "approx"), ("上下", "approx"),
                ("多", "ge"), ("余", "ge"), ("强", "ge")]
CN_NUMBER = "零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億点"
NUMBER = re.compile(rf"[0-9][0-9,]*(?:\.[0-9]+)?|[{CN_NUMBER}]+")


def _cn_to_number(s: str) -> float | None:
    """三千五百 → 3500; 一九九八 → 1998; 十五 → 15; 二点五 → 2.5."""
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = _cn_to_number(whole) if whole else 0.0
        digits = "".join(str(DIGITS[c]) for c in frac if c in DIGITS)
        return None if w is None else w + (float("0." + digits) if digits else 0.0)
    if s and all(c in DIGITS for c in s) and len(s) > 1:
        return float("".join(str(DIGITS[c]) for c in s))
    total, section, digit = 0.0, 0.0, None
    for c in s:
        if c in DIGITS:
            digit = DIGITS[c]
        elif c in SMALL_UNITS:
            section += (1 if digit is None else digit) * SMALL_UNITS[c]
            digit = None
        elif c in BIG_UNITS:
            section += digit or 0
            total = (total + section) * BIG_UNITS[c] if total and BIG_UNITS[c] > 1e4 else total + section * BIG_UNITS[c]
            if section == 0 and total == 0:
                total = BIG_UNITS[c]
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def parse_value(text: str) -> dict[str, Any] | None:
    """Normalise a VALUE span. RETURNS (dict | None): number, unit, bound; None if no number."""
    s = unicodedata.normalize("NFKC", text).strip()
    bound = "eq"
    if s.startswith("百分之"):
        n = _cn_to_number(s[3:].rstrip("以上下内左右多余"))
        rest = s[3:]
        for word, b in BOUND_SUFFIX:
            if rest.endswith(word):
                bound = b
        return None if n is None else {"number": n, "unit": "%", "bound": bound}
    for word, b in BOUND_PREFIX:
        if s.startswith(word):
            bound, s = b, s[len(word):]
            break
    for word, b in BOUND_SUFFIX:
        if s.endswith(word) and len(s) > len(word):
            bound, s = b, s[: -len(word)]
            break
    m = NUMBER.search(s)
    if m is None:
        # 超万亩: a bare scale word stands for one of it
        if s and s[0] in BIG_UNITS:
            return {"number": BIG_UNITS[s[0]], "unit": s[1:], "bound": bound}
        return None
    raw = m.group(0)
    if raw[0].isdigit():
        number = float(raw.replace(",", ""))
    else:
        number = _cn_to_number(raw)
        if number is None:
            return None
    rest = s[m.end():]
    # 3500亿元, 1.2万亿元: scale words after digits multiply
    while rest and rest[0] in BIG_UNITS:
        number *= BIG_UNITS[rest[0]]
        rest = rest[1:]
    for word, b in BOUND_SUFFIX:  # 两千多人: the bound word sits between number and unit
        if rest.startswith(word) and bound == "eq":
            bound, rest = b, rest[len(word):]
    unit = rest.strip()
    if unit.startswith("％"):
        unit = "%"
    return {"number": number, "unit": unit, "bound": bound}
