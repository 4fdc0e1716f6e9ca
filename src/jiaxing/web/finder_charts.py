"""A chart on each finder result: how the amount moves with the quantity that decides it — the voucher
against the car's (appliance's) price, the reward against revenue, the fund's monthly deposit against
the base — with the person's own point marked and the thresholds labelled (drawn by
:func:`gazette.web.charts.amount_chart`, with the same facts in words as its text alternative)."""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

from gazette.errors import GazetteError
from gazette.rules.money import fmt_yuan, yuan_to_fen
from gazette.web.charts import amount_chart, short_yuan

CUMULATIVE = {"software.revenue.milestones"}  # D11: each milestone newly reached pays once, passed together all pay
X_LABELS = {
    "nev.voucher.tiers": ("购车价格（元）", "car price (yuan)"),
    "appliances.voucher.tiers": ("购买价格（元）", "price (yuan)"),
    "software.revenue.milestones": ("年度软件业务收入（元）", "software revenue of the year (yuan)"),
}


def _fen(v: Any) -> int | None:
    try:
        return yuan_to_fen(v)
    except (GazetteError, TypeError, ValueError):
        return None


def chart_for(calc, r: dict, rule) -> dict[str, Any] | None:
    expl = r.get("explanation") or []
    cid = f"chart-{zlib.crc32(r['rule'].encode()):08x}"
    if r["rule"].endswith("#第十二条"):
        return _fund_chart(cid, r, calc)
    tier = next((i for i in expl if i["kind"] == "tier"), None)
    if tier is None:
        return None
    param = next((i for i in expl if i["kind"] == "parameter" and i["id"] == tier.get("param")), None)
    if param is None or not isinstance(param.get("value"), list):
        return None
    rows = [(_fen(b.get("threshold")), _fen(b.get("amount"))) for b in param["value"] if isinstance(b, dict)]
    if not rows or any(t is None or a is None for t, a in rows):
        return None
    rows.sort()
    cumulative = tier["param"] in CUMULATIVE
    points, total = [(0, 0)], 0
    for t, a in rows:
        total = total + a if cumulative else a
        points.append((t, total))
    you_x = _fen(tier.get("value"))
    you = None
    x_max = rows[-1][0] * 5 // 4
    amount = _fen(r.get("amount_yuan")) if r.get("amount_yuan") is not None else None
    if you_x is not None:
        y = amount if amount is not None else next((p[1] for p in reversed(points) if p[0] <= you_x), 0)
        you = (you_x, y, f"您 You：{short_yuan(you_x)} → {short_yuan(y)}")
        x_max = max(x_max, you_x * 11 // 10)
    marks = [(t, f"{short_yuan(t)}") for t, _ in rows if t > 0]
    xz, xe = X_LABELS.get(tier["param"], (tier.get("label_zh", ""), tier.get("label_en", "")))
    steps_zh = "；".join(f"{'达到 ' + fmt_yuan(t) + ' 元' if t else '起步'}：{fmt_yuan(a)} 元" for t, a in points[1:])
    you_zh = f"您的数值 {fmt_yuan(you[0])} 元，对应 {fmt_yuan(you[1])} 元。" if you else "您的数值未知。"
    how = "各档累计（新达到的每档各奖励一次）" if cumulative else "按所达到的最高档"
    desc = (f"金额随{xz}变化的阶梯图（{how}）：{steps_zh}。{you_zh} "
            f"Amount by {xe}, in steps; your point is marked.")
    title = f"{r['title_zh']}：金额随{xz}变化 How the amount moves with {xe}"
    svg = amount_chart(chart_id=cid, title=title, desc=desc, points=points, step=True, x_max=x_max, marks=marks,
                       you=you, x_label=f"{xz} {xe}", y_label="金额（元） amount (yuan)")
    return {"svg": svg, "desc": desc, "title": title}


def _fund_chart(cid: str, r: dict, calc) -> dict[str, Any] | None:
    expl = r.get("explanation") or []
    det = {i["id"]: i.get("value") for i in expl if i["kind"] == "detail"}
    lo, hi = _fen(det.get("base_min")), _fen(det.get("base_max"))
    acct = next(iter(calc.situation.get("provident_fund_accounts", {}).values()), {})
    base, rate = _fen(acct.get("base_yuan")), acct.get("rate")
    if lo is None or hi is None or rate is None:
        return None
    rate_d = Decimal(str(rate))

    def m(b: int) -> int:  # the monthly amount, to the yuan (D15) — for the picture only; the card has the exact one
        return int((Decimal(min(max(b, lo), hi)) * rate_d / 100).quantize(Decimal("1"), rounding="ROUND_HALF_UP")) * 100

    points = [(0, m(lo)), (lo, m(lo)), (hi, m(hi))]
    x_max = hi * 6 // 5
    you = None
    if base is not None:
        y = _fen(r.get("amount_yuan")) if r.get("amount_yuan") is not None else m(base)
        you = (base, y, f"您 You：{short_yuan(base)} → {short_yuan(y)}/月")
        x_max = max(x_max, base * 11 // 10)
    pct = f"{rate_d * 100:f}".rstrip("0").rstrip(".")
    desc = (f"月缴存额随缴存基数变化（比例 {pct}%）：基数低于下限 {fmt_yuan(lo)} 元按下限计，高于上限 {fmt_yuan(hi)} 元按上限计；"
            f"月缴存额在 {fmt_yuan(m(lo))} 至 {fmt_yuan(m(hi))} 元之间。"
            + (f"您的基数 {fmt_yuan(you[0])} 元，月缴存额 {fmt_yuan(you[1])} 元。" if you else "")
            + " Monthly deposit by base: flat below the floor and above the ceiling; your point is marked.")
    title = "月缴存额随缴存基数变化 Monthly deposit by base"
    svg = amount_chart(chart_id=cid, title=title, desc=desc, points=points, step=False, x_max=x_max,
                       marks=[(lo, f"下限 {short_yuan(lo)}"), (hi, f"上限 {short_yuan(hi)}")], you=you,
                       x_label="月缴存基数（元） monthly base (yuan)", y_label="月缴存额（元） monthly deposit (yuan)")
    return {"svg": svg, "desc": desc, "title": title}
