"""The server-rendered SVG charts: well-formed XML, a title and description, bars proportional to
the values (scale from 0), a text label on every bar and in the legend, escaping of hostile text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gazette.web import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:rect[@class='bar']", NS)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.findall(".//svg:text", NS)]


def burn_chart():
    return charts.bar_chart(
        chart_id="burn-nev", title="新能源汽车消费券：各地预算、已领、已核销", desc="预算、已领和已核销（万元）",
        categories=["南湖区", "秀洲区", "嘉兴港区"],
        series=[charts.Series("预算 Budget", [22_000_000_00, 1_000_000_00, 0], "预算"),
                charts.Series("已领 Issued", [5_000_000_00, 250_000_00, 0], "已领"),
                charts.Series("已核销 Redeemed", [11_000_000_00, 0, 0], "核销")],
        fmt=charts.wan)


def test_bar_chart_is_well_formed_with_title_and_desc():
    root = parse(burn_chart())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title.text == "新能源汽车消费券：各地预算、已领、已核销" and desc.text == "预算、已领和已核销（万元）"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(bars(root)) == 9  # 3 districts × 3 series


def test_bars_are_proportional_to_the_values():
    root = parse(burn_chart())
    rects = bars(root)
    values = [int(r.get("data-value")) for r in rects]
    widths = [float(r.get("width")) for r in rects]
    longest = max(widths)
    assert longest > 100
    top = max(values)
    for v, w in zip(values, widths, strict=True):
        assert w == pytest.approx(v / top * longest, abs=0.01)
    by = {(r.get("data-series"), i // 3): float(r.get("width")) for i, r in enumerate(rects)}
    assert by[("已核销 Redeemed", 0)] == pytest.approx(by[("预算 Budget", 0)] / 2, abs=0.01)
    assert by[("预算 Budget", 2)] == 0  # an empty pool draws no bar, but still a label
    # every bar of one group starts on the same axis
    assert len({r.get("x") for r in rects}) == 1


def test_every_bar_has_a_text_label_and_the_legend_names_each_series():
    root = parse(burn_chart())
    labels = texts(root)
    for cat in ("南湖区", "秀洲区", "嘉兴港区"):
        assert cat in labels
    for name in ("预算 Budget", "已领 Issued", "已核销 Redeemed"):
        assert name in labels  # legend: text beside the swatch, not colour alone
    assert "预算 2,200.00万" in labels and "核销 1,100.00万" in labels and "预算 0.00万" in labels
    values = [t for t in labels if t.startswith(("预算 ", "已领 ", "核销 ")) and "万" in t]
    assert len(values) == 9
    # each series has its own fill pattern besides its colour
    fills = {r.get("data-series"): r.get("fill") for r in bars(root)}
    assert len(set(fills.values())) == 3 and all(f.startswith("url(#burn-nev-p") for f in fills.values())
    assert len(root.findall(".//svg:pattern", NS)) == 3
    # tooltips repeat the exact label
    assert bars(root)[0].find("svg:title", NS).text == "南湖区 · 预算 Budget: 2,200.00万"


def test_column_chart_is_proportional_and_labelled():
    svg = charts.column_chart(chart_id="claims", title="每日领券数", desc="按日", categories=["10-07", "10-08", "10-09"],
                              series=[charts.Series("新能源 NEV", [4, 8, 2]), charts.Series("家电 Appliances", [1, 0, 3])])
    root = parse(svg)
    rects = bars(root)
    assert len(rects) == 6
    heights = {(r.get("data-series"), int(r.get("data-value"))): float(r.get("height")) for r in rects}
    full = heights[("新能源 NEV", 8)]
    assert heights[("新能源 NEV", 4)] == pytest.approx(full / 2, abs=0.01)
    assert heights[("家电 Appliances", 0)] == 0
    # columns stand on one baseline: y + height is the same for all
    assert len({round(float(r.get("y")) + float(r.get("height")), 2) for r in rects}) == 1
    labels = texts(root)
    assert {"10-07", "10-08", "10-09", "新能源 NEV", "家电 Appliances", "8", "4", "3"} <= set(labels)


def test_many_days_thin_out_the_axis_labels_but_keep_every_bar():
    days = [f"d{i}" for i in range(120)]
    root = parse(charts.column_chart(chart_id="many", title="t", desc="d", categories=days,
                                     series=[charts.Series("s", list(range(120)))]))
    assert len(bars(root)) == 120
    axis = [t for t in texts(root) if t.startswith("d")]
    assert 3 <= len(axis) < 20


def test_hostile_text_is_escaped_and_empty_data_is_said():
    root = parse(charts.bar_chart(chart_id="x\"><script>", title="<script>alert(1)</script>", desc="a & b",
                                  categories=["<b>区</b>"], series=[charts.Series("s&<", [5])]))
    assert root.find("svg:title", NS).text == "<script>alert(1)</script>"  # as text, not markup
    assert root.find(".//svg:script", NS) is None
    assert "<b>区</b>" in texts(root) and "s&<" in texts(root)
    assert '"' not in root.get("id") and "<" not in root.get("id")
    empty = parse(charts.bar_chart(chart_id="e", title="t", desc="d", categories=[], series=[charts.Series("s", [])]))
    assert "暂无数据 No data" in texts(empty) and bars(empty) == []
    empty = parse(charts.column_chart(chart_id="e2", title="t", desc="d", categories=[], series=[charts.Series("s", [])]))
    assert "暂无数据 No data" in texts(empty)


def test_wan_labels():
    assert charts.wan(22_000_000_00) == "2,200.00万"
    assert charts.wan(6_000_00) == "0.60万"
    assert charts.wan(0) == "0.00万"
    assert charts.wan(-1_000_000) == "-1.00万"


def test_one_bar_dwarfing_the_rest_is_drawn_broken_so_the_others_stay_readable():
    svg = charts.bar_chart(chart_id="dwarf", title="t", desc="d", categories=["南湖区", "秀洲区", "海宁市"],
                           series=[charts.Series("预算 Budget", [220_000_000_00, 10_000_000_00, 5_000_000_00])],
                           fmt=charts.wan, split=True)
    root = parse(svg)
    rects = bars(root)
    widths = [float(r.get("width")) for r in rects]
    assert rects[0].get("data-broken") == "true" and rects[1].get("data-broken") is None
    assert widths[1] > widths[0] * 0.5  # the second bar is no longer a sliver
    assert widths[2] == pytest.approx(widths[1] / 2, abs=0.01)  # the unbroken bars stay proportional
    assert root.findall(".//svg:path[@class='break']", NS)
    assert "22,000.00万" in " ".join(texts(root)) and "截断" in root.find("svg:desc", NS).text
    plain = parse(charts.bar_chart(chart_id="p", title="t", desc="d", categories=["a", "b"],
                                   series=[charts.Series("x", [100, 1])]))
    assert not plain.findall(".//svg:path[@class='break']", NS)  # only when asked
