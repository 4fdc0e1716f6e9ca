"""Compliance checks of a budget year (二.（二）.3、5、6、7 and 四.（六）.2): each a named rule citing its
clause, with ✓/✗ and the figures. Ratios are exact fractions of integer fen — never floats; a
ratio is shown as a percentage with four decimals, but the comparison uses the exact fraction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.budget import params


class CheckStatus(StrEnum):
    """A compliance check's answer; ``n/a`` when the year's data has nothing to compare."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "n/a"


@dataclass
class Transfer:
    district: str
    kind: str  # general | special
    expected_fen: int
    advance_fen: int
    on_actuals: bool = False


@dataclass
class BudgetData:
    """A budget year's figures, as imported (integer fen)."""

    expenditure: list[tuple[str, str, int]] = field(default_factory=list)  # (department, function class, fen)
    revenue: list[tuple[str, int]] = field(default_factory=list)  # (item, fen)
    stabilisation_fen: int = 0  # 调入预算稳定调节基金
    reserve_fen: int = 0  # 预备费
    turnover_fen: int = 0  # 预算周转金
    turnover_approval: str = ""  # the 市政府 approval on record (e.g. its document number and date)
    debt: dict[str, tuple[int, int]] = field(default_factory=dict)  # general|special → (balance, limit)
    transfers: list[Transfer] = field(default_factory=list)
    units: dict[str, list[str]] = field(default_factory=dict)  # department → its units

    @property
    def lines_fen(self) -> int:
        return sum(a for _, _, a in self.expenditure)

    @property
    def expenditure_fen(self) -> int:
        """一般公共预算支出额: the departments' lines plus the reserve fund (预算法 第四十条 lists 预备费
        within expenditure); the denominator of 二.（二）.5 and 二.（二）.6."""
        return self.lines_fen + self.reserve_fen

    @property
    def revenue_fen(self) -> int:
        return sum(a for _, a in self.revenue) + self.stabilisation_fen

    @property
    def departments(self) -> list[str]:
        return sorted({d for d, _, _ in self.expenditure} | set(self.units))

    @property
    def districts(self) -> list[str]:
        return sorted({t.district for t in self.transfers})


@dataclass
class CheckResult:
    rule: str
    clause: str
    title_zh: str
    title_en: str
    status: CheckStatus
    figures: dict[str, str]
    explanation_zh: str
    explanation_en: str

    @property
    def passed(self) -> bool:
        return self.status != CheckStatus.FAIL

    def json(self) -> dict:
        return {"rule": self.rule, "clause": self.clause, "title_zh": self.title_zh, "title_en": self.title_en,
                "status": self.status, "passed": self.passed,
                "mark": "✗" if self.status == CheckStatus.FAIL else "✓",
                "figures": self.figures, "explanation_zh": self.explanation_zh, "explanation_en": self.explanation_en}


def percent(r: Fraction | None) -> str:
    """An exact ratio as a percentage with four decimals, 四舍五入 at the last place shown."""
    if r is None:
        return "—"
    d = (Decimal(r.numerator) * 100 / Decimal(r.denominator)) if r.denominator != 1 else Decimal(r.numerator * 100)
    return f"{d.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}%"


def _ratio(num: int, den: int) -> Fraction | None:
    return Fraction(num, den) if den else None


def y(fen: int) -> str:
    return fen_to_yuan(fen)


def yg(fen: int) -> str:
    """Yuan with thousands separators, for sentences."""
    return fen_to_yuan(fen, grouping=True)


def bound(r: Fraction) -> str:
    """A bound of the text as the text writes it: 1%, 3%, 90%."""
    return f"{(Decimal(r.numerator) * 100 / Decimal(r.denominator)).normalize():f}%"


def check_reserve(d: BudgetData) -> CheckResult:
    e, r = d.expenditure_fen, d.reserve_fen
    ratio = _ratio(r, e)
    ok = ratio is not None and params.RESERVE_MIN <= ratio <= params.RESERVE_MAX
    return CheckResult("reserve_fund_1_to_3_percent", params.CLAUSE_RESERVE, "预备费为一般公共预算支出额的 1%—3%",
                       "reserve fund between 1% and 3% of general public budget expenditure",
                       CheckStatus.PASS if ok else CheckStatus.FAIL,
                       {"reserve_fund": y(r), "expenditure": y(e), "ratio": percent(ratio),
                        "minimum": percent(params.RESERVE_MIN), "maximum": percent(params.RESERVE_MAX)},
                       f"预备费 {yg(r)} 元，占支出额 {yg(e)} 元的 {percent(ratio)}（应在 1%—3%）",
                       f"reserve {yg(r)} is {percent(ratio)} of expenditure {yg(e)} (must be 1%–3%)")


def check_turnover(d: BudgetData) -> CheckResult:
    e, t = d.expenditure_fen, d.turnover_fen
    ratio = _ratio(t, e)
    approved = bool(d.turnover_approval.strip())
    if t == 0:
        status, zh, en = CheckStatus.NOT_APPLICABLE, "未设置预算周转金", "no turnover fund is set"
    else:
        ok = ratio is not None and ratio <= params.TURNOVER_MAX and approved
        status = CheckStatus.PASS if ok else CheckStatus.FAIL
        zh = (f"周转金 {yg(t)} 元，占支出总额的 {percent(ratio)}（不得超过 1%）；市政府批准："
              f"{d.turnover_approval or '未记录'}")
        en = (f"turnover fund {yg(t)} is {percent(ratio)} of total expenditure (at most 1%); city approval: "
              f"{d.turnover_approval or 'not recorded'}")
    return CheckResult("turnover_fund_at_most_1_percent", params.CLAUSE_TURNOVER,
                       "预算周转金不超过一般公共预算支出总额的 1%，并经市政府批准",
                       "turnover fund at most 1% of total expenditure, approved by the city government", status,
                       {"turnover_fund": y(t), "expenditure": y(e), "ratio": percent(ratio),
                        "maximum": percent(params.TURNOVER_MAX), "city_approval": d.turnover_approval or ""},
                        zh, en)


def _check_transfers(d: BudgetData, kind: str, minimum: Fraction) -> CheckResult:
    name_zh = "一般性转移支付" if kind == "general" else "专项转移支付"
    rows = [t for t in d.transfers if t.kind == kind and not t.on_actuals]
    excluded = [t for t in d.transfers if t.kind == kind and t.on_actuals]
    per: dict[str, list[int]] = {}
    for t in rows:
        acc = per.setdefault(t.district, [0, 0])
        acc[0] += t.advance_fen
        acc[1] += t.expected_fen
    figures = {"minimum": percent(minimum), "settled_on_actuals_excluded": str(len(excluded))}
    low = []
    for district, (adv, exp) in sorted(per.items()):
        ratio = _ratio(adv, exp)
        figures[district] = f"{yg(adv)} / {yg(exp)} = {percent(ratio)}"
        if ratio is None or ratio < minimum:
            low.append(district)
    if not per:
        status, zh, en = CheckStatus.NOT_APPLICABLE, f"无需比较的{name_zh}（据实结算项目除外）", f"no {kind} transfers to compare"
    else:
        status = CheckStatus.FAIL if low else CheckStatus.PASS
        zh = (f"提前下达{name_zh}占预计数的比例不低于 {bound(minimum)}"
              + (f"；未达标：{'、'.join(low)}" if low else "；各区均达标"))
        en = f"advance {kind} transfers at least {bound(minimum)} of the expected amount" + (
            f"; below: {', '.join(low)}" if low else "; every district meets it")
    return CheckResult(f"advance_{kind}_transfers", params.CLAUSE_TRANSFERS,
                       f"提前下达{name_zh}预计数的比例不低于 {bound(minimum)}",
                       f"advance {kind} transfers at least {bound(minimum)} of the expected amount",
                       status, figures, zh, en)


def check_general_transfers(d: BudgetData) -> CheckResult:
    return _check_transfers(d, "general", params.ADVANCE_GENERAL_MIN)


def check_special_transfers(d: BudgetData) -> CheckResult:
    return _check_transfers(d, "special", params.ADVANCE_SPECIAL_MIN)


def check_debt(d: BudgetData) -> CheckResult:
    figures, over = {}, []
    for kind in ("general", "special"):
        if kind in d.debt:
            bal, lim = d.debt[kind]
            figures[f"{kind}_balance"], figures[f"{kind}_limit"] = y(bal), y(lim)
            if bal > lim:
                over.append(kind)
    if not d.debt:
        status, zh, en = CheckStatus.NOT_APPLICABLE, "未导入债务余额与限额", "no debt balance or limit imported"
    else:
        status = CheckStatus.FAIL if over else CheckStatus.PASS
        zh = "政府债务余额不得突破省政府批准的限额" + (f"；超限：{'、'.join(over)}" if over else "；均在限额内")
        en = "debt balance within the province's limit" + (f"; over: {', '.join(over)}" if over else "")
    return CheckResult("debt_within_limit", params.CLAUSE_DEBT, "政府债务余额不突破省政府批准的限额",
                       "debt balance within the limit the province approved", status, figures, zh, en)


def check_no_deficit(d: BudgetData) -> CheckResult:
    rev, exp = d.revenue_fen, d.expenditure_fen
    gap = rev - exp
    status = CheckStatus.PASS if gap >= 0 else CheckStatus.FAIL
    return CheckResult("no_deficit", params.CLAUSE_NO_DEFICIT, "一般公共预算收支平衡，不列赤字",
                       "no deficit in the general public budget", status,
                       {"revenue": y(rev), "of_which_stabilisation_fund": y(d.stabilisation_fen),
                        "expenditure": y(exp), "balance": y(gap)},
                       f"收入（含调入预算稳定调节基金）{yg(rev)} 元，支出 {yg(exp)} 元，差额 {yg(gap)} 元"
                       + ("" if gap >= 0 else "：短收应通过调入预算稳定调节基金、减少支出等方式弥补"),
                       f"revenue {yg(rev)} (stabilisation fund included), expenditure {yg(exp)}, balance {yg(gap)}"
                       + ("" if gap >= 0 else ": close it with the stabilisation fund or cuts"))


CHECKS: tuple[Callable[[BudgetData], CheckResult], ...] = (
    check_reserve, check_turnover, check_general_transfers, check_special_transfers, check_debt, check_no_deficit,
)


def run_checks(d: BudgetData) -> list[CheckResult]:
    return [c(d) for c in CHECKS]
