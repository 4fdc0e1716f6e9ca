"""The numbers and dates of 嘉政发〔2022〕5号 (市本级预算管理暂行办法), each written once, with its clause.

Decision (docs/budget.md): the budget scheme keeps its parameters in this one constants module
rather than an OpenFisca ``parameters.yaml``: they are procedure limits and calendar dates of a
workflow, not amounts a rule pays, and nothing here is evaluated by the rules engine. Every other
module of the scheme reads them from here; the tests read them from here too, so no date or ratio
is written in three places.

Ratios are exact fractions; dates are (month, day) pairs with a year offset relative to the
budget year being prepared (the 2023 budget is prepared during 2022).
"""

from __future__ import annotations

from fractions import Fraction

DOC = "嘉政发〔2022〕5号"
IN_FORCE = "2022-04-10"  # 七.（三）


def clause(path: str) -> str:
    """``"二.（二）.5"`` → ``"嘉政发〔2022〕5号#二.（二）.5"``."""
    return f"{DOC}#{path}"


# ------------------------------------------------------------------ compliance ratios (二.（二）, 四.（六）)
RESERVE_MIN = Fraction(1, 100)  # 预备费 ≥ 1% of general public budget expenditure — 二.（二）.5
RESERVE_MAX = Fraction(3, 100)  # 预备费 ≤ 3% — 二.（二）.5
TURNOVER_MAX = Fraction(1, 100)  # 预算周转金 ≤ 1% of total expenditure, with 市政府 approval — 二.（二）.6
ADVANCE_GENERAL_MIN = Fraction(90, 100)  # 提前下达一般性转移支付 ≥ 90% of the expected amount — 二.（二）.3
ADVANCE_SPECIAL_MIN = Fraction(70, 100)  # 提前下达专项转移支付 ≥ 70% — 二.（二）.3

CLAUSE_RESERVE = clause("二.（二）.5")
CLAUSE_TURNOVER = clause("二.（二）.6")
CLAUSE_TRANSFERS = clause("二.（二）.3")
CLAUSE_DEBT = clause("二.（二）.7")
CLAUSE_NO_DEFICIT = clause("四.（六）.2")

# ------------------------------------------------------------------ preparation calendar (二.（三）)
#: (code, month, day, year offset from the budget year, who, per department?, clause, zh, en)
PREPARATION_STEPS: tuple[tuple[str, int, int, int, str, bool, str, str, str], ...] = (
    ("deployment", 6, 30, -1, "finance", False, clause("二.（三）.1"),
     "市财政部门部署编制下一年度预算草案", "finance deploys next year's budget preparation"),
    ("units_to_departments", 9, 30, -1, "department", True, clause("二.（三）.2"),
     "所属单位预算报主管部门", "units submit their budgets to their department"),
    ("departments_to_finance", 10, 30, -1, "department", True, clause("二.（三）.2"),
     "部门收支预算报市财政部门", "departments submit their budgets to finance"),
    ("control_figures", 11, 30, -1, "finance", False, clause("二.（三）.3"),
     "市财政部门告知部门预算控制数", "finance notifies the control figures"),
    ("adjusted_submissions", 12, 15, -1, "department", True, clause("二.（三）.4"),
     "部门在控制数内调整后报市财政部门", "departments resubmit within the control figures"),
    ("city_budget_formed", 1, 10, 0, "finance", False, clause("二.（三）.5"),
     "市财政部门形成市本级预算", "finance forms the city-level budget"),
)

# ------------------------------------------------------------------ periods counted from an event
FINANCE_REPLY_DAYS = 20  # finance replies to every department within 20 days of 人大 approval — 二.（三）.7
UNIT_REPLY_DAYS = 15  # a department replies to its units within 15 days of finance's reply — 二.（三）.7
DISCLOSURE_DAYS = 20  # disclosure within 20 days of approval (city) or reply (department) — 六.（三）.2 / .3
FINAL_ACCOUNTS_DAYS = 30  # district final accounts filed / city summary, within 30 days — 五.（二）.2 / .3

CLAUSE_REPLIES = clause("二.（三）.7")
CLAUSE_CITY_DISCLOSURE = clause("六.（三）.2")
CLAUSE_DEPARTMENT_DISCLOSURE = clause("六.（三）.3")
CLAUSE_DISTRICT_FINAL = clause("五.（二）.2")
CLAUSE_CITY_FINAL = clause("五.（二）.3")

# ------------------------------------------------------------------ execution reporting (三.（二）.4, 六.（一）.3)
CLAUSE_MONTHLY_REPORTS = clause("三.（二）.4")
#: Reading (docs/budget.md): the text says "每月" without a day; a month's report is due by the
#: last day of the following month.
MONTHLY_REPORT_LAG_MONTHS = 1
NPC_EXECUTION_REPORT_WINDOW = ((6, 1), (9, 30))  # 每年6月至9月期间 — 六.（一）.3
CLAUSE_NPC_EXECUTION_REPORT = clause("六.（一）.3")

# ------------------------------------------------------------------ adjustments (四)
CLAUSE_CONDITIONS = clause("四.（三）")
CLAUSE_NO_SKIPPING = clause("四.（四）.1")
CLAUSE_RESERVE_LIST = clause("四.（四）.3")
CLAUSE_REPLY_BY_FINANCE = clause("四.（四）.4")
CLAUSE_ROUTE_REALLOCATION = clause("四.（五）.1")
CLAUSE_ROUTE_RESERVE = clause("四.（五）.2")
CLAUSE_ROUTE_TOTAL = clause("四.（五）.3")
CLAUSE_TIMING = clause("四.（六）.1")
CLAUSE_PRIORITY = clause("二.（二）.2")

#: No department adjustment is approved up to and including 30 June, nor in December — 四.（六）.1
#: ("原则上每年6月底前和12月份财政部门不进行市级部门预算调整事项的审批").
NO_APPROVAL_UNTIL = (6, 30)
NO_APPROVAL_MONTH = 12
#: Adjustment plans for the 人大常委会 go in by 31 October unless a reason is recorded — 四.（六）.1.
NPC_SUBMISSION_BY = (10, 31)

#: 事前绩效评估 grades and 财政承受能力评估 results (四.（三）: 中 / 差 / 不可承受 are refused).
PERFORMANCE_GRADES = ("优", "良", "中", "差")
PERFORMANCE_REFUSED = ("中", "差")
AFFORDABILITY = ("可承受", "不可承受")
AFFORDABILITY_REFUSED = ("不可承受",)

#: The adjustment conditions of 四.（三）.1–5.
CONDITIONS: dict[str, tuple[str, str, str]] = {
    "new_temporary_work": (clause("四.（三）.1"), "市委、市政府新增的临时性工作，年初预算未考虑且必须追加",
                           "new temporary work decided by the city, not foreseen and unavoidable"),
    "function_change": (clause("四.（三）.2"), "部门职能增减或部门间职能调整划转",
                        "functions added, removed or transferred between departments"),
    "new_staff": (clause("四.（三）.3"), "编制内新增人员的人员经费、公用经费及办公设备",
                  "new staff within the approved establishment"),
    "project_cancelled": (clause("四.（三）.4"), "年初已列项目因故不再实施，需调减",
                          "a budgeted project no longer carried out (decrease)"),
    "unforeseeable": (clause("四.（三）.5"), "其他年初难以预见的支出", "other spending not foreseeable at the start of the year"),
}

#: Kinds of adjustment and who decides them (四.（五）).
KINDS: dict[str, tuple[str, str, str]] = {
    "reallocation": (CLAUSE_ROUTE_REALLOCATION, "科目间调剂（不增加预算总支出）",
                     "reallocation between items without raising total expenditure"),
    "reserve_fund": (CLAUSE_ROUTE_RESERVE, "动用预备费", "use of the reserve fund"),
    "total_change": (CLAUSE_ROUTE_TOTAL, "改变预算总支出等预算调整情形",
                     "a change of total expenditure (or another 预算调整 case)"),
}

#: The order of priorities for expenditure (二.（二）.2), used to rank the reserve list (四.（四）.3).
PRIORITY_CLASSES: dict[int, str] = {
    1: "保基本民生、保工资、保运转",
    2: "政府债务还本付息",
    3: "落实党委政府重大决策部署",
    4: "续建类政府投资项目、PPP 项目等刚性支出",
    5: "其他需要安排的支出",
}
