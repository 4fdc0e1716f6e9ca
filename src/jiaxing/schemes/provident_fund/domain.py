"""Pure rules of the flexible-worker housing provident fund (灵活就业人员住房公积金, 嘉公积金〔2022〕9号).

No database, no framework: dates, integers (fen) and typed errors. Every function cites the
article it implements; the account commands (:mod:`.accounts`) apply them one account at a time and
the batch runs apply the same rules set-based in SQL (the simulation test checks both against
an independent reference).

Units used throughout:

* money: integer fen (分);
* contribution rate (缴存比例): integer basis points of 1/10,000 (``1200`` = 12%);
* deposit interest rate (存款利率): integer parts per million per year (``15000`` = 1.50%);
* months: an integer *month index* ``year * 12 + month - 1`` (``month_index(date(2023, 1, 5))``),
  shown as ``"2023-01"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gazette.errors import Conflict, GazetteError, InvalidInput

DOC = "嘉公积金〔2022〕9号"
IN_FORCE = dt.date(2022, 5, 1)  # 第二十六条 本办法自2022年5月1日起施行
RATE_EPOCH = dt.date(2022, 5, 1)  # origin of the cumulative interest-rate index
DAYS_PER_YEAR = 360  # 日利率 = 年利率 / 360 (decision PF6)
PPM = 1_000_000
INTEREST_DENOMINATOR = DAYS_PER_YEAR * PPM  # accrual (fen·ppm·day) / this = interest in fen

STATUSES = ("active", "sealed", "transferred")
SEAL_REASONS = ("request", "retirement", "arrears", "employment")


def clause(article: str) -> str:
    """``clause("第十三条")`` → ``"嘉公积金〔2022〕9号#第十三条"``."""
    return f"{DOC}#{article}"


def cited(error: GazetteError, article: str | None = None, **details) -> GazetteError:
    """``error`` with the article of the 办法 that refused it (``details.clause``) and any figures beside it
    (problem+json ``details``): ``raise cited(InvalidInput(…, code="base_below_minimum"), "第十一条", min_fen=…)``."""
    if article:
        details["clause"] = clause(article)
    error.details = {**(error.details or {}), **details}
    return error


# ---------------------------------------------------------------- months and settlement years


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_start(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def month_end(m: int) -> dt.date:
    return month_start(m + 1) - dt.timedelta(days=1)


def month_label(m: int | None) -> str | None:
    return None if m is None else f"{m // 12:04d}-{m % 12 + 1:02d}"


_MONTH = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})月?\s*$")


def parse_month(value: str | int, field: str = "month") -> int:
    """``"2023-01"`` / ``"2023年1月"`` → month index."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = _MONTH.match(str(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput(f"月份格式应为 YYYY-MM：{value!r}", f"a month must be YYYY-MM: {value!r}", field=field, code="invalid_month")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def settlement_year(d: dt.date) -> int:
    """The 公积金结算年度 containing ``d``, named by the year in which it ends (1 July – 30 June).

    第十三条: "当前公积金结算年度（每年 7 月 1 日至次年 6 月 30 日）". ``date(2022, 7, 1)`` and
    ``date(2023, 6, 30)`` are both in settlement year 2023.
    """
    return d.year + 1 if d.month >= 7 else d.year


def settlement_year_last_month(d: dt.date) -> int:
    """Month index of June of the settlement year containing ``d`` (the prepayment limit, 第十三条)."""
    return month_index(dt.date(settlement_year(d), 6, 1))


def settlement_day(year: int) -> dt.date:
    """30 June: interest is settled once per settlement year (第十四条, decision PF5)."""
    return dt.date(year, 6, 30)


# ---------------------------------------------------------------- eligibility (第三、八条)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in completed years (周岁) on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Applicant:
    person_id: str
    name: str
    sex: str  # "male" / "female"
    birth_date: dt.date
    flexible_pension: bool = True  # 以灵活就业人员身份参加职工基本养老保险 (第八条（三）, 第三条)
    stable_residence_income: bool = True  # 第八条（一）
    full_capacity: bool = True  # 第八条（二）


@dataclass(frozen=True)
class AgeLimits:
    min_age: int = 18
    max_age_male: int = 60
    max_age_female: int = 50


def check_eligibility(a: Applicant, on: dt.date, limits: AgeLimits = AgeLimits()) -> None:
    """第八条 — raise ``not_eligible`` listing every failed condition, or return None."""
    if a.sex not in ("male", "female"):
        raise InvalidInput("性别须为 male 或 female", "sex must be male or female", field="sex", code="invalid_sex")
    if on < IN_FORCE:
        raise cited(InvalidInput("本办法自 2022 年 5 月 1 日起施行", "the measures apply from 2022-05-01", field="date", code="not_in_force"), "第二十六条")
    failed: list[dict] = []
    age = age_on(a.birth_date, on)
    if not a.flexible_pension:
        failed.append({"clause": clause("第八条.（三）"), "zh": "未以灵活就业人员身份参加职工基本养老保险",
                       "en": "not insured in employee pension insurance as a flexible worker"})
    if not a.stable_residence_income:
        failed.append({"clause": clause("第八条.（一）"), "zh": "在本辖区无稳定的住所和较稳定的经济收入来源",
                       "en": "no stable residence and income here"})
    if not a.full_capacity:
        failed.append({"clause": clause("第八条.（二）"), "zh": "不具有完全民事行为能力", "en": "no full civil capacity"})
    if age < limits.min_age:
        failed.append({"clause": clause("第八条.（二）"), "zh": f"未满 {limits.min_age} 周岁（{age} 岁）",
                       "en": f"under {limits.min_age} (aged {age})"})
    top = limits.max_age_male if a.sex == "male" else limits.max_age_female
    # D14 read with PF9: the limit is the statutory retirement age; from the month it is reached the account is
    # sealed (第十六条), so an account opens only in an earlier month
    if month_index(on) >= retirement_month(a.birth_date, a.sex, limits):
        failed.append({"clause": clause("第八条.（二）"),
                       "zh": f"已达到或本月将达到法定退休年龄 {top} 周岁（现 {age} 岁）",
                       "en": f"reaches the retirement age {top} this month or has reached it (aged {age})"})
    if failed:
        raise cited(InvalidInput("不符合灵活就业人员缴存条件：" + "；".join(f["zh"] for f in failed), "not eligible: " + "; ".join(f["en"] for f in failed), field="applicant", code="not_eligible"), "第八条", failed=failed)


def retirement_month(birth: dt.date, sex: str, limits: AgeLimits = AgeLimits()) -> int:
    """Month in which the worker reaches 法定退休年龄 (第十六条 second paragraph, decision PF9):
    the month of the birthday at the age in :class:`AgeLimits` (men 60, women 50). That month is
    still due; the arrears run of that month seals the account."""
    age = limits.max_age_male if sex == "male" else limits.max_age_female
    return (birth.year + age) * 12 + birth.month - 1


# ---------------------------------------------------------------- base, rate, monthly amount (第十一、十二条)


@dataclass(frozen=True)
class BaseBounds:
    """第十一条: floor = 最低月工资标准; ceiling = 3 × 上一年度全市职工月平均工资 (both external, dated)."""

    min_wage_fen: int
    avg_wage_fen: int
    multiple: int = 3

    @property
    def ceiling_fen(self) -> int:
        return self.avg_wage_fen * self.multiple


def check_base(base_fen: int, b: BaseBounds) -> int:
    if isinstance(base_fen, bool) or not isinstance(base_fen, int):
        raise InvalidInput("缴存基数须为金额（元，最多两位小数）", "the base must be an amount", field="base", code="invalid_base")
    if base_fen < b.min_wage_fen:
        raise cited(InvalidInput(f"缴存基数低于最低月工资标准 {b.min_wage_fen / 100:.2f} 元", f"the base is below the minimum monthly wage {b.min_wage_fen / 100:.2f}", field="base", code="base_below_minimum"), "第十一条", min_fen=b.min_wage_fen, base_fen=base_fen)
    if base_fen > b.ceiling_fen:
        raise cited(InvalidInput(f"缴存基数超过上一年度全市职工月平均工资的 {b.multiple} 倍（{b.ceiling_fen / 100:.2f} 元）", f"the base exceeds {b.multiple}× last year's average monthly wage ({b.ceiling_fen / 100:.2f})", field="base", code="base_above_maximum"), "第十一条", max_fen=b.ceiling_fen, base_fen=base_fen)
    return base_fen


RATE_MIN_BP, RATE_MAX_BP = 1000, 2400  # 第十二条 10%–24%


def parse_rate(value: str | int | Decimal, field: str = "rate") -> int:
    """A contribution rate → basis points (1/10,000). ``"12%"``, ``"12"``, ``12`` and ``"0.12"`` are 12%
    (a number above 1 is read as a percentage). At most two decimals of a percent."""
    raw = str(value).strip().replace("％", "%")
    pct = raw.endswith("%")
    try:
        d = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        raise InvalidInput(f"缴存比例格式错误：{value!r}", f"malformed rate: {value!r}", field=field, code="invalid_rate") from None
    if not d.is_finite():
        raise InvalidInput(f"缴存比例格式错误：{value!r}", f"malformed rate: {value!r}", field=field, code="invalid_rate")
    if not pct and d <= 1:
        d = d * 100
    bp = d * 100
    if bp != bp.to_integral_value():
        raise InvalidInput("缴存比例最多保留两位小数（百分数）", "a rate has at most two decimals of a percent", field=field, code="invalid_rate")
    return int(bp)


def check_rate(rate_bp: int, field: str = "rate") -> int:
    if not RATE_MIN_BP <= rate_bp <= RATE_MAX_BP:
        raise cited(InvalidInput(f"缴存比例须在 10%–24% 之间（申报 {rate_bp / 100:g}%）", f"the rate must be between 10% and 24% (got {rate_bp / 100:g}%)", field=field, code="rate_out_of_range"), "第十二条", rate_bp=rate_bp)
    return rate_bp


def half_up_div(num: int, den: int) -> int:
    """``round(num / den)`` with 四舍五入 (ROUND_HALF_UP) for non-negative integers."""
    if num < 0 or den <= 0:
        raise ValueError("half_up_div needs num >= 0 and den > 0")
    return (2 * num + den) // (2 * den)


def monthly_amount(base_fen: int, rate_bp: int, unit_fen: int = 100) -> int:
    """第十二条: 月缴存额 = 缴存基数 × 缴存比例, 四舍五入 — to whole yuan (``unit_fen=100``, decision D15
    of the rules engine's parameters.yaml, ``provident_fund.rounding_unit``)."""
    return half_up_div(base_fen * rate_bp, 10_000 * unit_fen) * unit_fen


def adjusted_base(base_fen: int, min_wage_fen: int) -> int:
    """第十五条: a base below the minimum monthly wage is raised to it by the fund centre."""
    return max(base_fen, min_wage_fen)


# ---------------------------------------------------------------- collection (第十三条)


def next_uncovered_month(due_from: int, last_row_month: int | None, prepaid_through: int | None) -> int:
    """The first month that is neither collected (or instructed) nor prepaid."""
    nxt = due_from
    if last_row_month is not None:
        nxt = max(nxt, last_row_month + 1)
    if prepaid_through is not None:
        nxt = max(nxt, prepaid_through + 1)
    return nxt


def prepayment_months(today: dt.date, start: int, through: int, *, from_month: int | None = None) -> int:
    """第十三条 — months a prepayment covers, ``start``..``through``.

    * ``from_month`` before ``start`` (a month already due, collected or missed) → ``back_payment_not_allowed``
      ("不得办理补缴");
    * ``through`` after June of the current settlement year → ``prepayment_beyond_settlement_year``
      ("预缴期限最长不得超过当前公积金结算年度");
    * nothing left to prepay → ``nothing_to_prepay``.
    """
    if from_month is not None and from_month < start:
        raise cited(InvalidInput(f"不得办理补缴：{month_label(from_month)} 已到期，最早可预缴 {month_label(start)}", f"no back-payment: {month_label(from_month)} is past due; prepayment starts at "
                        f"{month_label(start)}", field="from_month", code="back_payment_not_allowed"), "第十三条")
    if from_month is not None and from_month > start:
        raise cited(InvalidInput(f"预缴须从 {month_label(start)} 起连续", f"a prepayment must start at "
                        f"{month_label(start)}", field="from_month", code="prepayment_gap"), "第十三条")
    limit = settlement_year_last_month(today)
    if through > limit:
        raise cited(InvalidInput(f"预缴期限不得超过当前公积金结算年度（至 {month_label(limit)}）", f"prepayment cannot go beyond the current settlement year (until {month_label(limit)})", field="through", code="prepayment_beyond_settlement_year"), "第十三条", limit=month_label(limit))
    if through < start:
        raise cited(InvalidInput(f"{month_label(through)} 之前的月份已缴或已到期", f"months up to {month_label(through)} are already paid or due", field="through", code="nothing_to_prepay"), "第十三条")
    return through - start + 1


def check_not_back_payment(month: int, next_month: int) -> None:
    """第十三条 "不得办理补缴": paying any month before the next uncovered one is refused."""
    if month < next_month:
        raise cited(InvalidInput(f"不得办理补缴（{month_label(month)}）", f"no back-payment ({month_label(month)})", field="month", code="back_payment_not_allowed"), "第十三条")


# ---------------------------------------------------------------- states (第十六、十七条)


def check_can_stop(loan_outstanding: bool) -> None:
    """第十六条: "已申请住房公积金贷款…且贷款尚未还清的，不允许停缴"."""
    if loan_outstanding:
        raise cited(Conflict("住房公积金贷款尚未还清，不允许停缴", "contributions cannot stop while a housing fund loan is outstanding", field="person_id", code="loan_outstanding"), "第十六条")


# The arrears rule of 第十七条 (3 consecutive unpaid months → reminder; still unpaid the month after →
# sealed, decision PF3) has one home: the SQL of :mod:`.arrears` (``UNPAID_STREAK``, ``REMIND``,
# ``SEAL``). tests/schemes/provident_fund/reference_rules.py keeps a Python reference it is tested against.


# ---------------------------------------------------------------- consecutive months (第二十条)


def consecutive_months(paid: dict[int, bool], latest: int | None, due_from: int, *, carried_months: int = 0,
                       carried_through: int | None = None) -> int:
    """Consecutive paid months ending at the latest settled month (第二十条).

    ``paid`` maps each settled month to paid/unpaid; prepaid months appear only once they fell due
    and were credited by the monthly run (第二十条（二）). Counting restarts at ``due_from`` (opening
    or unsealing, 第十七条). Months carried from an employer or custody account merge when they end
    the month before ``due_from`` and no month since was missed (第二十条（一）, decision PF4).
    """
    if latest is None:
        return carried_months if carried_through is not None and carried_through == due_from - 1 else 0
    n, m = 0, latest
    while m >= due_from and paid.get(m, False):
        n += 1
        m -= 1
    if m < due_from and carried_through is not None and carried_through == due_from - 1:
        n += carried_months
    return n


# ---------------------------------------------------------------- interest (第十四条)


def rate_index(on: dt.date, history: Sequence[tuple[dt.date, int]]) -> int:
    """Σ annual rate (ppm) over every day from :data:`RATE_EPOCH` to ``on`` exclusive.

    A balance ``b`` held from day ``d1`` to ``d2`` earns ``b × (C(d2) − C(d1)) / (360 × 10⁶)`` fen:
    the accrual (积数) works whatever the rate changes in between.
    """
    total = 0
    hist = sorted(history)
    for i, (start, ppm) in enumerate(hist):
        end = hist[i + 1][0] if i + 1 < len(hist) else None
        lo = max(start, RATE_EPOCH)
        hi = on if end is None else min(end, on)
        if hi > lo:
            total += ppm * (hi - lo).days
    if on > RATE_EPOCH and (not hist or hist[0][0] > RATE_EPOCH):
        first = hist[0][0] if hist else on
        if min(first, on) > RATE_EPOCH:
            raise cited(InvalidInput("缺少存款利率参考数据", "no deposit interest rate loaded for "
                            f"{RATE_EPOCH.isoformat()}", field="deposit_rate", code="deposit_rate_missing"), "第十四条")
    return total


def interest_fen(accrual: int) -> int:
    """Interest of an accrual (fen·ppm·day) in fen, 四舍五入 to the fen (decision PF6)."""
    return half_up_div(accrual, INTEREST_DENOMINATOR)
