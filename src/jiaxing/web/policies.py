"""``/policies`` — policy cards by persona (市民, 企业, 灵活就业人员, 退休人员, 失能人员家庭), the way
浙里办 and 京策 list them: each card with its status today (施行中 / 已失效 / 公报未载), what it pays
(read from the cited parameters, never typed twice), its clause, and a button into the finder at the
step that asks about it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.rules.engine import get_engine
from gazette.rules.money import fmt_yuan
from gazette.web.templating import templates

router = APIRouter(include_in_schema=False)


def _today() -> dt.date:
    return dt.date.today()


PERSONAS = (
    ("citizen", "市民", "Residents"),
    ("enterprise", "企业", "Enterprises"),
    ("worker", "灵活就业人员", "Flexible workers"),
    ("retired", "退休人员", "Retired people"),
    ("care", "失能人员家庭", "Families of disabled people"),
)


@dataclass(frozen=True)
class Card:
    persona: str
    title_zh: str
    title_en: str
    clause: str  # the clause the card cites
    rules: tuple[str, ...]  # the rules whose windows give the status
    finder: tuple[tuple[str, str], ...]  # the finder's answers and step to open
    covered_until: dt.date | None = None  # after this the gazette holds no standard (unknown, not expired)


CARDS = (
    Card("citizen", "新能源汽车消费券", "New-energy car voucher", "嘉政办发〔2022〕47号#一", ("嘉政办发〔2022〕47号#一",),
         (("who", "citizen"), ("buy", "nev"), ("step", "topics"))),
    Card("citizen", "绿色智能家电消费券", "Green appliance voucher", "嘉政办发〔2022〕46号#一", ("嘉政办发〔2022〕46号#一",),
         (("who", "citizen"), ("buy", "appliance"), ("step", "topics"))),
    Card("citizen", "个人自用充电桩充电费补贴", "Home charging pile subsidy", "嘉政办发〔2022〕47号#八",
         ("嘉政办发〔2022〕47号#八/personal_pile",), (("who", "citizen"), ("buy", "nev"), ("step", "topics"))),
    Card("retired", "城乡居民基本养老保险基础养老金", "Resident basic pension", "嘉人社〔2022〕60号#二",
         ("嘉人社〔2022〕60号#二",), (("who", "citizen"), ("buy", "pension"), ("step", "pension"))),
    Card("retired", "5000 元档缴费补贴", "Subsidy for the 5,000 contribution tier", "嘉人社〔2022〕60号#三",
         ("嘉人社〔2022〕60号#三",), (("who", "citizen"), ("buy", "pension"), ("step", "pension"))),
    Card("care", "长期护理保险待遇", "Long-term care benefit", "嘉政发〔2022〕21号#一.（二）",
         ("嘉政发〔2022〕21号#一.（二）",), (("who", "citizen"), ("buy", "ltc"), ("step", "ltc")),
         covered_until=dt.date(2024, 12, 31)),
    Card("worker", "灵活就业人员住房公积金", "Housing fund for flexible workers", "嘉公积金〔2022〕9号#第十二条",
         ("嘉公积金〔2022〕9号#第十二条",), (("who", "worker"), ("step", "worker"))),
    Card("enterprise", "软件业务收入奖励", "Software revenue milestones", "嘉政办发〔2022〕10号#四.（三）",
         ("嘉政办发〔2022〕10号#四.（三）",), (("who", "enterprise"), ("kinds", "software"), ("step", "kinds"))),
    Card("enterprise", "新能源汽车销售公司支持", "NEV sales company support", "嘉政办发〔2022〕47号#二",
         ("嘉政办发〔2022〕47号#二", "嘉政办发〔2022〕47号#四", "嘉政办发〔2022〕47号#六"),
         (("who", "enterprise"), ("kinds", "nev_sales"), ("step", "kinds"))),
    Card("enterprise", "充电设施建设与运营补贴", "Charging facility subsidies", "嘉政办发〔2022〕47号#八",
         ("嘉政办发〔2022〕47号#八", "嘉政办发〔2022〕47号#八/operation"),
         (("who", "enterprise"), ("kinds", "charging"), ("step", "kinds"))),
    Card("enterprise", "家电销售企业促销补助", "Appliance seller promotions", "嘉政办发〔2022〕46号#二",
         ("嘉政办发〔2022〕46号#二", "嘉政办发〔2022〕46号#三"),
         (("who", "enterprise"), ("kinds", "appliance_sales"), ("step", "kinds"))),
)


def _param(engine, pid: str, on: dt.date):
    try:
        return engine.params.get(pid).at(on)[0]
    except Exception:  # noqa: BLE001 — not defined on that date
        return None


def _y(fen: int) -> str:
    return fmt_yuan(int(fen))


def pays(card: Card, engine, on: dt.date) -> tuple[str, str]:
    """What the card's policy pays, read from its parameters on ``on`` (zh, en)."""
    p = lambda pid: _param(engine, pid, on)  # noqa: E731
    c = card.clause
    if c.endswith("47号#一") and (t := p("nev.voucher.tiers")):
        amounts = "、".join(_y(a) for _, a in t)
        return (f"按购车价格分档抵用 {amounts} 元（{_y(t[1][0])} 元、{_y(t[2][0])} 元以上为更高档）",
                f"a voucher of {amounts} yuan by the car's price")
    if c.endswith("46号#一") and (t := p("appliances.voucher.tiers")):
        top = max(a for _, a in t)
        return f"按价格分档，每件最高 {_y(top)} 元（一级、二级能效）", f"by price, up to {_y(top)} yuan an item"
    if c.endswith("47号#八") and card.persona == "citizen" and (v := p("nev.charging.personal_pile")) is not None:
        return f"购车并建设个人自用充电桩的，一次性 {_y(v)} 元", f"{_y(v)} yuan, one-off, with a new-energy car"
    if c.endswith("60号#二") and (v := p("resident_pension.basic_pension")) is not None:
        return f"每人每月 {_y(v)} 元", f"{_y(v)} yuan a month"
    if c.endswith("60号#三") and (v := p("resident_pension.contribution.subsidy")) is not None:
        return f"每年缴费 5000 元的，补贴 {_y(v)} 元", f"{_y(v)} yuan a year for the 5,000 tier"
    if c.endswith("21号#一.（二）"):
        caps = [p(f"ltc.benefit.cap.{t}") for t in ("elderly_institution", "medical_institution", "home")]
        if all(x is not None for x in caps):
            return (f"每月最高支付限额：养老机构 {_y(caps[0])} 元、医疗机构 {_y(caps[1])} 元、居家 {_y(caps[2])} 元，基金支付 70%–80%",
                    "monthly ceilings by care type; the fund pays 70–80%")
    if c.endswith("第十二条") and (lo := p("provident_fund.rate.min")) is not None:
        hi = p("provident_fund.rate.max")
        return (f"月缴存额 = 缴存基数 × {lo * 100:g}%–{hi * 100:g}%（自主确定），可申请住房公积金贷款",
                "monthly deposit = base × 10–24%; opens the way to a housing fund loan")
    if c.endswith("10号#四.（三）") and (t := p("software.revenue.milestones")):
        return ("年度软件业务收入新达到 " + "、".join(f"{_y(th)}" for th, _ in t) + " 元的，分别奖励 "
                + "、".join(_y(a) for _, a in t) + " 元", "one-off rewards for revenue milestones")
    if c.endswith("47号#二"):
        return "新设立、上规、销售排名、办车展等奖励与补助（见条款）", "rewards for new, above-scale and top-selling companies"
    if c.endswith("47号#八"):
        return "充电桩按功率补贴、充电站按电量给予一年运营补贴（见条款）", "by rated power, and one year of operation by energy"
    if c.endswith("46号#二"):
        return "促销活动、上规等补助与奖励（见条款）", "promotion subsidies and above-scale rewards"
    return "见条款原文", "see the clause"


def status(card: Card, engine, today: dt.date) -> dict[str, str]:
    rules = [engine.rules_by_id[r] for r in card.rules if r in engine.rules_by_id]
    start = min(r.valid_from for r in rules)
    ends = [r.valid_to for r in rules]
    end = None if any(e is None for e in ends) else max(ends)
    if card.covered_until is not None and today > card.covered_until:
        return {"kind": "unknown", "zh": f"? {card.covered_until.year} 年以后的标准不在本库公报中，需向主管部门确认",
                "en": f"not in our gazettes after {card.covered_until.year}: ask the department", "symbol": "?"}
    if today < start:
        return {"kind": "future", "zh": f"自 {start.isoformat()} 起施行", "en": f"from {start.isoformat()}", "symbol": "…"}
    if end is not None and today > end:
        return {"kind": "expired", "zh": f"已于 {end.isoformat()} 失效", "en": f"ended on {end.isoformat()}", "symbol": "⊘"}
    until = f"，至 {end.isoformat()}" if end else ""
    return {"kind": "in_force", "zh": f"施行中{until}", "en": "in force" + (f" until {end.isoformat()}" if end else ""),
            "symbol": "✓"}


@router.get("/policies", response_class=HTMLResponse)
def policies(request: Request):
    engine = get_engine()
    today = _today()
    groups: list[dict[str, Any]] = []
    for key, zh, en in PERSONAS:
        cards = []
        for card in (c for c in CARDS if c.persona == key):
            st = status(card, engine, today)
            on = today
            rules = [engine.rules_by_id[r] for r in card.rules if r in engine.rules_by_id]
            ends = [r.valid_to for r in rules if r.valid_to is not None]
            if st["kind"] == "expired" and ends:
                on = max(ends)  # what it paid while in force
            pz, pe = pays(card, engine, on)
            cards.append({"card": card, "status": st, "pays_zh": pz, "pays_en": pe,
                          "finder": "/finder?" + urlencode(card.finder)})
        groups.append({"key": key, "zh": zh, "en": en, "cards": cards})
    return templates.TemplateResponse(request, "policies.html", {"groups": groups, "today": today.isoformat()})
