"""The three-step assessment (失能等级评定) — 一.（二）, 三.（一）.2, 三.（三）.10.

"采用'镇街信息采集—系统自动初评—县级专家复评'的分级智能评定机制、'双盲法'评定方法，自动生成评定结果":

1. **镇街信息采集** — an assessor records the form: the daily-living items and the social-participation
   items of 三.（一）.2 (攻击行为、抑郁症状、强迫行为、财物管理), each checked against the scale version in
   force (a score outside the scale is refused by item, nothing written);
2. **系统自动初评** — the system scores the form with that version (:mod:`.intake_params`);
3. **县级专家复评, 双盲** — two experts of at least 中级 title are drawn at random (the seed is recorded)
   from the county's pool and the city pool, excluding anyone linked to the applicant's provider or to the
   assessor (same unit, or the assessor themself). Each scores without seeing the other: until every seat
   has scored, no one — expert, officer or auditor — can read a score (:func:`seats`, the one query the
   API and the pages use). If the two totals differ by more than the tolerance, a third expert is drawn;
   the final sub-totals are then the median of the three (reading D-LTC-I3), otherwise the mean of two
   rounded half up. The decision follows at once (自动生成评定结果): grade, reasons, clause — and a 重度
   grade starts or changes the person's row in ``ltc_beneficiaries``.

An expert already on an application is never drawn again, and assigning them by hand is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.ltc import intake_params
from jiaxing.schemes.ltc.intake_applications import get
from jiaxing.schemes.ltc.intake_commands import AddExpert, AssignExpert, Collect, Score
from jiaxing.schemes.ltc.intake_models import AssessmentForm, Decision, Expert, ExpertAssignment
from jiaxing.schemes.ltc.models import Beneficiary

FUNDING = intake_params.FUNDING_CLAUSE  # 一.（二） sets the three steps and the 双盲 method


@handles(AddExpert)
def _add_expert(ctx: Context, cmd: AddExpert) -> dict:
    s = ctx.session
    if s.scalar(select(Expert.id).where(Expert.username == cmd.username)):
        raise Conflict(f"专家库中已有 {cmd.username}", f"{cmd.username} is already in the pool", field="username",
                       code="expert_exists")
    e = Expert(username=cmd.username, name=cmd.name, title=cmd.title, unit=cmd.unit, district=cmd.district, active=True)
    s.add(e)
    s.flush()
    out = expert_view(e)
    ctx.audit("ltc.expert.added", "ltc_expert", e.id, after=out)
    return out


def expert_view(e: Expert) -> dict:
    return {"id": e.id, "username": e.username, "name": e.name, "title": e.title, "title_zh": intake_params.TITLE_ZH[e.title],
            "unit": e.unit, "district": e.district, "active": e.active}


def _conflict_reason(e: Expert, app, form: AssessmentForm | None, on: dt.date) -> str | None:
    """Why this expert may not score this application (None: they may)."""
    if intake_params.TITLE_RANK[e.title] < int(intake_params.value("assessment.min_title_rank", on)):
        return f"职称为{intake_params.TITLE_ZH[e.title]}，复评专家须为中级以上职称"
    if e.district is not None and e.district != app.district:
        return f"属{e.district}专家库，不属{app.district}"
    if app.provider and e.unit == app.provider:
        return f"与申请人选择的护理机构（{app.provider}）有关联"
    if form is not None and (e.username == form.assessor or (form.assessor_unit and e.unit == form.assessor_unit)):
        return "与本次信息采集的评估员有关联"
    return None


def _draw(ctx: Context, app, form: AssessmentForm, seat: int, on: dt.date) -> ExpertAssignment | None:
    """Draw one expert at random for ``seat``; None when nobody eligible is left (an officer assigns)."""
    s = ctx.session
    taken = set(s.scalars(select(ExpertAssignment.expert_id).where(ExpertAssignment.application_id == app.id)))
    pool = [e for e in s.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id))
            if e.id not in taken and _conflict_reason(e, app, form, on) is None]
    if not pool:
        return None
    seed = hashlib.sha256(f"ltc-draw:{app.id}:{seat}:{ctx.command.idempotency_key}".encode()).hexdigest()[:32]
    chosen = random.Random(seed).choice(pool)
    a = ExpertAssignment(application_id=app.id, expert_id=chosen.id, seat=seat, seed=seed, drawn_by="random")
    s.add(a)
    s.flush()
    ctx.audit("ltc.expert.drawn", "ltc_application", app.id, after={"seat": seat, "expert": chosen.username,
                                                                   "seed": seed, "pool": [e.id for e in pool]})
    return a


@handles(Collect)
def _collect(ctx: Context, cmd: Collect) -> dict:
    s = ctx.session
    app = get(s, cmd.application_id, lock=True)
    if app.status != "submitted":
        raise Conflict("该申请不在待采集状态", f"the application is {app.status}, not awaiting collection",
                       field="application_id", code="wrong_status")
    if cmd.on < app.applied_on:
        raise InvalidInput("采集日期早于申请日期", "the collection date precedes the application", field="on")
    scale = intake_params.scale_on(cmd.on)
    items = intake_params.check_items(scale, dict(cmd.items))
    adl, social = intake_params.totals(scale, items)
    initial, _ = intake_params.grade(scale, adl, social)
    form = AssessmentForm(application_id=app.id, assessor=ctx.actor, assessor_unit=cmd.assessor_unit,
                          scale_version=scale["version"], items=items, total=adl + social, initial_grade=initial,
                          collected_on=cmd.on)
    s.add(form)
    app.status = "review"
    s.flush()
    drawn = [a for seat in range(1, int(intake_params.value("assessment.experts_per_review", cmd.on)) + 1)
             if (a := _draw(ctx, app, form, seat, cmd.on)) is not None]
    out = {"application_id": app.id, "scale_version": scale["version"], "scale_source": scale["source"],
           "initial_total": adl + social, "initial_adl": adl, "initial_social": social, "initial_grade": initial,
           "initial_grade_zh": intake_params.GRADE_ZH.get(initial or "", "未达重度"), "experts_drawn": len(drawn),
           "needs_experts": int(intake_params.value("assessment.experts_per_review", cmd.on)) - len(drawn), "clause": FUNDING}
    ctx.audit("ltc.assessment.collected", "ltc_application", app.id, after=out)
    return out


@handles(AssignExpert)
def _assign(ctx: Context, cmd: AssignExpert) -> dict:
    s = ctx.session
    app = get(s, cmd.application_id, lock=True)
    if app.status != "review":
        raise Conflict("该申请不在专家复评阶段", "the application is not in expert review", field="application_id",
                       code="wrong_status")
    e = s.scalar(select(Expert).where(Expert.username == cmd.expert))
    if e is None or not e.active:
        raise NotFound("评估专家", cmd.expert, field="expert", what_en="expert")
    seats = list(s.scalars(select(ExpertAssignment).where(ExpertAssignment.application_id == app.id)))
    if any(a.expert_id == e.id for a in seats):
        raise Conflict(f"{e.name} 已是本申请的评估专家，同一专家不能被指派两次",
                       "this expert is already assigned to this application", field="expert",
                       code="expert_assigned_twice")
    form = s.scalar(select(AssessmentForm).where(AssessmentForm.application_id == app.id))
    on = form.collected_on
    if (why := _conflict_reason(e, app, form, on)) is not None:
        raise Conflict(f"不能指派 {e.name}：{why}", f"cannot assign {e.username}: conflict or title", field="expert",
                       code="expert_not_eligible")
    needed = int(intake_params.value("assessment.experts_per_review", on))
    third_due = len(seats) == needed and all(a.total is not None for a in seats) and _disagree(seats, on)
    if len(seats) >= needed and not third_due:
        raise Conflict("本申请的专家席位已满", "every expert seat of this application is taken", field="expert",
                       code="seats_full")
    a = ExpertAssignment(application_id=app.id, expert_id=e.id, seat=len(seats) + 1, seed="",
                         drawn_by=f"officer:{ctx.actor}")
    s.add(a)
    s.flush()
    out = {"application_id": app.id, "seat": a.seat, "expert": e.username}
    ctx.audit("ltc.expert.assigned", "ltc_application", app.id, after=out)
    return out


def _disagree(seats: list[ExpertAssignment], on: dt.date) -> bool:
    a, b = (x.total for x in seats[:2])
    return abs(a - b) > int(intake_params.value("assessment.tolerance_points", on))


@handles(Score)
def _score(ctx: Context, cmd: Score) -> dict:
    s = ctx.session
    app = get(s, cmd.application_id, lock=True)
    e = s.scalar(select(Expert).where(Expert.username == ctx.actor))
    mine = None if e is None else s.scalar(select(ExpertAssignment).where(
        ExpertAssignment.application_id == app.id, ExpertAssignment.expert_id == e.id))
    if mine is None:  # not theirs: the same answer as a missing application (no leak)
        raise NotFound("您的复评任务", cmd.application_id, field="application_id", what_en="your review")
    if app.status != "review":
        raise Conflict("该申请已不在专家复评阶段", "the application is no longer in review", field="application_id",
                       code="wrong_status")
    if mine.total is not None:
        raise Conflict("您已提交评分，不能修改", "you have already scored this application", field="application_id",
                       code="already_scored")
    form = s.scalar(select(AssessmentForm).where(AssessmentForm.application_id == app.id))
    if cmd.on < form.collected_on:
        raise InvalidInput("复评日期早于信息采集日期", "the review date precedes the collection", field="on")
    scale = intake_params.scale_version(form.scale_version)
    items = intake_params.check_items(scale, dict(cmd.items))
    mine.items, mine.total, mine.scored_on = items, sum(items.values()), cmd.on
    s.flush()
    ctx.audit("ltc.assessment.scored", "ltc_expert_assignment", mine.id, after={"seat": mine.seat})
    seats = list(s.scalars(select(ExpertAssignment).where(ExpertAssignment.application_id == app.id)
                           .order_by(ExpertAssignment.seat)))
    needed = int(intake_params.value("assessment.experts_per_review", form.collected_on))
    out = {"application_id": app.id, "seat": mine.seat, "scored": True, "next": "waiting"}
    if len(seats) < needed or any(a.total is None for a in seats):
        return out
    if len(seats) == needed and _disagree(seats, form.collected_on):
        third = _draw(ctx, app, form, needed + 1, form.collected_on)
        return {**out, "next": "third_expert" if third else "third_expert_to_assign"}
    decision = _decide(ctx, app, form, scale, seats, cmd.on)
    return {**out, "next": "decided", "decision": decision}


def _median(values: list[int]) -> int:
    return sorted(values)[len(values) // 2]


def _final(scale: dict, seats: list[ExpertAssignment]) -> tuple[int, int]:
    subs = [intake_params.totals(scale, a.items) for a in seats]
    if len(subs) == 3:  # D-LTC-I3: a third expert settles it — the median of three
        return _median([x for x, _ in subs]), _median([y for _, y in subs])
    adl, social = sum(x for x, _ in subs), sum(y for _, y in subs)
    return (adl * 2 + len(subs)) // (2 * len(subs)), (social * 2 + len(subs)) // (2 * len(subs))  # half up


def _decide(ctx: Context, app, form: AssessmentForm, scale: dict, seats, on: dt.date) -> dict:
    s = ctx.session
    adl, social = _final(scale, seats)
    grade, words = intake_params.grade(scale, adl, social)
    reasons = [{"text_zh": f"评估量表 {scale['version']}（{scale['source']}）", "clause": FUNDING},
               {"text_zh": f"{len(seats)} 位专家双盲复评，总分 {', '.join(str(a.total) for a in seats)}" +
                ("；两位专家相差超过允许分差，由第三位专家复评，取中位数" if len(seats) == 3 else "，取平均"),
                "clause": FUNDING}]
    reasons += [{"text_zh": w, "clause": intake_params.GRADES_CLAUSE} for w in words]
    if grade == "severe_dementia" and not intake_params.dementia_allowed(app.district, app.dementia_unit, on):
        reasons.append({"text_zh": "重度失智待遇目前仅在嘉善县定点养老机构“失智专区”试点，尚未在全市推开，本次不予享受",
                        "clause": intake_params.GRADES_CLAUSE})
        grade = None
    if grade is None:
        reasons.append({"text_zh": "未达到长期护理保险待遇享受标准；情况变化后可再次申请", "clause": intake_params.GRADES_CLAUSE})
    s.add(Decision(application_id=app.id, person_id=app.person_id, grade=grade, final_total=adl + social,
                   scale_version=scale["version"], reasons=reasons, decided_on=on))
    app.status, app.decided_on, app.grade = "decided", on, grade
    ben = s.scalar(select(Beneficiary).where(Beneficiary.person_id == app.person_id).with_for_update())
    change = None
    if grade is not None:
        if ben is None:
            s.add(Beneficiary(person_id=app.person_id, district=app.district, grade=grade, starts_on=on, ends_on=None,
                              decided_by=f"ltc_application:{app.id}"))
            change = "started"
        else:
            if ben.ends_on is not None:
                ben.starts_on, ben.ends_on = on, None
            ben.grade, ben.decided_by, ben.district = grade, f"ltc_application:{app.id}", app.district
            change = "changed"
    elif ben is not None and ben.ends_on is None:
        ben.ends_on = max(on, ben.starts_on)
        change = "ended"
    s.flush()
    out = {"application_id": app.id, "person_id": app.person_id, "grade": grade,
           "grade_zh": intake_params.GRADE_ZH.get(grade or "", "未达到待遇标准"), "final_adl": adl, "final_social": social,
           "final_total": adl + social, "decided_on": on.isoformat(), "waiting_days": (on - app.applied_on).days,
           "beneficiary": change, "reasons": reasons}
    ctx.audit("ltc.assessment.decided", "ltc_application", app.id, after=out)
    return out


# ---------------------------------------------------------------- the blind query (API, CLI and pages use only this)


def seats(session: Session, application_id: int, *, viewer: str, is_expert: bool) -> list[dict]:
    """The expert seats of an application as ``viewer`` may see them.

    Until every drawn seat has scored, nobody reads a score but its own expert; an expert never sees
    who sits in another seat, nor (until the end) another seat's score."""
    rows = session.execute(select(ExpertAssignment, Expert).join(Expert, Expert.id == ExpertAssignment.expert_id)
                           .where(ExpertAssignment.application_id == application_id)
                           .order_by(ExpertAssignment.seat)).all()
    complete = bool(rows) and all(a.total is not None for a, _ in rows) and len(rows) >= 2
    out = []
    for a, e in rows:
        own = e.username == viewer
        if is_expert and not own and not complete:
            out.append({"seat": a.seat, "scored": a.total is not None})  # not even who it is
            continue
        show = own or complete
        out.append({"seat": a.seat, "expert": e.username if (own or not is_expert) else None,
                    "expert_name": e.name if (own or not is_expert) else None,
                    "title_zh": intake_params.TITLE_ZH[e.title] if (own or not is_expert) else None,
                    "drawn_by": a.drawn_by, "seed": a.seed if not is_expert else None, "scored": a.total is not None,
                    "total": a.total if show else None, "items": a.items if show else None,
                    "scored_on": a.scored_on.isoformat() if (a.scored_on and show) else None})
    return out


def form_view(session: Session, application_id: int, *, for_expert: bool) -> dict | None:
    """The collected form; an expert sees the facts, not the system's initial score or grade."""
    f = session.scalar(select(AssessmentForm).where(AssessmentForm.application_id == application_id))
    if f is None:
        return None
    scale = intake_params.scale_version(f.scale_version)
    out = {"scale_version": f.scale_version, "scale_source": scale["source"], "assessor": f.assessor,
           "collected_on": f.collected_on.isoformat(),
           "items": [{"code": i["code"], "name": i["name"], "max": i["max"], "group": i["group"],
                      "points": f.items.get(i["code"])} for i in scale["items"]]}
    if not for_expert:
        out |= {"initial_total": f.total, "initial_grade": f.initial_grade,
                "initial_grade_zh": intake_params.GRADE_ZH.get(f.initial_grade or "", "未达重度")}
    return out


def my_reviews(session: Session, username: str) -> list[dict]:
    """An expert's assignments: the application, whether they scored — never another seat's score."""
    from jiaxing.schemes.ltc.intake_applications import application_view

    e = session.scalar(select(Expert).where(Expert.username == username))
    if e is None:
        return []
    out = []
    for a in session.scalars(select(ExpertAssignment).where(ExpertAssignment.expert_id == e.id)
                             .order_by(ExpertAssignment.id.desc())):
        app = get(session, a.application_id)
        v = application_view(session, app)
        out.append({"application_id": app.id, "name": v["name"], "district": app.district, "status": app.status,
                    "status_zh": v["status_zh"], "seat": a.seat, "scored": a.total is not None,
                    "my_total": a.total})
    return out
