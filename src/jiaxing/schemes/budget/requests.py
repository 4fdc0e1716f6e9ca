"""Department adjustment requests (四): conditions and prerequisites, routing by kind, timing bars,
the reserve list — as pure functions of the request's facts and the decision date.

Readings (docs/budget.md):

* 四.（三）: finance refuses (不予受理) a request without an ex-ante performance assessment or a
  fiscal affordability assessment, one graded 中 or 差, one judged 不可承受, or one meeting none of
  the five conditions. The refusal is a recorded decision with its reasons and clause.
* 四.（五）: the kind decides the route — a reallocation between items that does not raise total
  expenditure is approved by the finance bureau; a use of the reserve fund is reviewed by finance
  and approved by the city government; anything else that is a 预算调整 goes through finance's
  opinion, the 市政府常务会议 and then the 人大常委会.
* 四.（六）.1: no department adjustment is approved up to and including 30 June, nor in December
  (1 July and 30 November are open). Refusals are not barred: they change no budget. The bar
  governs the approving steps the city takes; the 人大常委会's own decision is not ours to bar.
* 四.（六）.1: a plan for the 人大常委会 is submitted by 31 October; later only with a reason recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiaxing.schemes.budget import params

#: step → (who acts, zh, en, the clause that gives the power, is the approval bar applied?)
STEPS: dict[str, tuple[str, str, str, str, bool]] = {
    "finance_approval": ("finance_officer", "市财政部门审批", "finance bureau approval",
                         params.CLAUSE_ROUTE_REALLOCATION, True),
    "finance_review": ("finance_officer", "市财政部门审核并提出安排意见", "finance bureau review and opinion",
                       params.CLAUSE_ROUTE_RESERVE, True),
    "city_approval": ("approver", "市政府批准", "city government approval", params.CLAUSE_ROUTE_RESERVE, True),
    "executive_meeting": ("approver", "市政府常务会议审议", "city executive meeting", params.CLAUSE_ROUTE_TOTAL, True),
    "npc_submission": ("finance_officer", "提请市人大常委会审查", "submission to the 人大常委会", params.CLAUSE_TIMING,
                       False),
    "npc_approval": ("finance_officer", "市人大常委会审查批准（记录）", "the 人大常委会's decision (recorded)",
                     params.CLAUSE_ROUTE_TOTAL, False),
}

#: kind → its route (the steps in order) — 四.（五）.1–3
ROUTES: dict[str, tuple[str, ...]] = {
    "reallocation": ("finance_approval",),
    "reserve_fund": ("finance_review", "city_approval"),
    "total_change": ("finance_review", "executive_meeting", "npc_submission", "npc_approval"),
}
AUTHORITY = {"reallocation": "市财政部门 finance bureau", "reserve_fund": "市政府 city government",
             "total_change": "市人大常委会 people's congress standing committee"}


@dataclass(frozen=True)
class Facts:
    kind: str
    condition: str
    performance: str  # 优 / 良 / 中 / 差, or "" when not assessed
    affordability: str  # 可承受 / 不可承受, or "" when not assessed


def refusal_reasons(f: Facts) -> list[dict[str, str]]:
    """The grounds of 四.（三） on which finance must refuse to accept the request (empty: accepted)."""
    c = params.CLAUSE_CONDITIONS
    out = []
    if not f.performance:
        out.append({"code": "no_performance_assessment", "clause": c, "zh": "未经事前绩效评估",
                    "en": "no ex-ante performance assessment"})
    elif f.performance in params.PERFORMANCE_REFUSED:
        out.append({"code": "performance_graded_low", "clause": c, "zh": f"事前绩效评估为{f.performance}",
                    "en": f"ex-ante performance assessment graded {f.performance}"})
    if not f.affordability:
        out.append({"code": "no_affordability_assessment", "clause": c, "zh": "未经财政承受能力评估",
                    "en": "no fiscal affordability assessment"})
    elif f.affordability in params.AFFORDABILITY_REFUSED:
        out.append({"code": "not_affordable", "clause": c, "zh": "财政承受能力评估为不可承受",
                    "en": "fiscal affordability assessed as not affordable"})
    if f.condition not in params.CONDITIONS:
        out.append({"code": "no_condition_met", "clause": c, "zh": "不符合调整条件", "en": "meets none of the conditions"})
    return out


def route(kind: str) -> tuple[str, ...]:
    return ROUTES[kind]


def approval_barred(on: dt.date) -> bool:
    """四.（六）.1: nothing is approved on or before 30 June, nor in December."""
    m, d = params.NO_APPROVAL_UNTIL
    return (on.month, on.day) <= (m, d) or on.month == params.NO_APPROVAL_MONTH


def npc_submission_late(on: dt.date, year: int) -> bool:
    """四.（六）.1: after 31 October of the budget year a submission needs a recorded reason."""
    m, d = params.NPC_SUBMISSION_BY
    return on > dt.date(year, m, d)


def rank_key(priority_class: int, filed_at: dt.datetime, request_id: int) -> tuple:
    """The reserve list's order (四.（四）.3 "根据项目的轻重缓急进行排序"): the priority class of
    二.（二）.2 first (1 = 保基本民生、保工资、保运转 … 5 = other), then the earlier request, then the id."""
    return (priority_class, filed_at, request_id)
