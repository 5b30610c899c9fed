import pytest

from pipeline.normalize import parse_value


@pytest.mark.parametrize("text,number,unit,bound", [
    ("3500亿元", 3.5e11, "元", "eq"),
    ("5.5%", 5.5, "%", "eq"),
    ("6%以上", 6, "%", "ge"),
    ("超万亩", 1e4, "亩", "ge"),
    ("１２．３％", 12.3, "%", "eq"),
    ("百分之五", 5, "%", "eq"),
    ("三千五百亿元", 3.5e11, "元", "eq"),
    ("两千多人", 2000, "人", "ge"),
    ("近3000万", 3e7, "", "le"),
    ("1.2万亿元", 1.2e12, "元", "eq"),
    ("5%左右", 5, "%", "approx"),
    ("约200万吨", 2e6, "吨", "approx"),
    ("超百项", 100, "项", "ge"),
    ("十五万人", 1.5e5, "人", "eq"),
    ("三亿五千万元", 3.5e8, "元", "eq"),
    ("１９９８年", 1998, "年", "eq"),
    ("20个以上", 20, "个", "ge"),
])
def test_normalize_values(text, number, unit, bound):
    v = parse_value(text)
    assert v is not None
    assert v["number"] == pytest.approx(number)
    assert (v["unit"], v["bound"]) == (unit, bound)


def test_normalize_no_number():
    assert parse_value("若干") is None
