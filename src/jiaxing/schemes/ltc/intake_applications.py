"""Applications (申请) — 三.（三）.9 and 三.（一）.2.

"以'浙里办'APP为载体，开发线上申请…完善服务机构、经办机构线下受理机制…缩短享受待遇等待期": an
application comes online from the person (``online_self``) or an agent for them (``online_agent``: a
family member, with name and relation), or at a service desk from an officer (``desk``); a scheduled
reassessment is made by the system (``schedule``). At most one application per person is open
(``submitted`` or ``review``) — the database enforces it with a partial unique index, and a second is
refused by name. The waiting time is counted in days from ``applied_on`` to ``decided_on``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.ltc.intake_commands import Apply, ScheduleReassessments, Withdraw
from jiaxing.schemes.ltc.intake_models import Application, Candidate, Decision
from jiaxing.schemes.ltc.intake_params import CHANNELS_CLAUSE, GRADE_ZH, GRADES_CLAUSE, value
from jiaxing.schemes.ltc.models import Beneficiary, Insured

CHANNEL_ZH = {"online_self": "本人网上申请", "online_agent": "家属代办（网上）", "desk": "窗口受理",
              "schedule": "定期复评"}
STATUS_ZH = {"submitted": "已受理，待上门采集", "review": "专家复评中", "decided": "已出评定结果", "withdrawn": "已撤回",
             "closed": "已终止"}


def insured(session: Session, person_id: str, *, lock: bool = False) -> Insured:
    q = select(Insured).where(Insured.person_id == person_id)
    ins = session.scalar(q.with_for_update() if lock else q)
    if ins is None:
        raise NotFound("长护险参保人员", person_id, field="person_id", what_en="insured person")
    return ins


def active_beneficiary(session: Session, person_id: str) -> Beneficiary | None:
    return session.scalar(select(Beneficiary).where(Beneficiary.person_id == person_id, Beneficiary.ends_on.is_(None)))


def open_application(session: Session, person_id: str) -> Application | None:
    return session.scalar(select(Application).where(Application.person_id == person_id,
                                                    Application.status.in_(("submitted", "review"))))


@handles(Apply)
def _apply(ctx: Context, cmd: Apply) -> dict:
    s = ctx.session
    ins = insured(s, cmd.person_id, lock=True)
    if ins.died_on is not None:
        raise Conflict(f"参保人员已于 {ins.died_on} 死亡，不能申请", f"the person died on {ins.died_on}", field="person_id",
                       code="deceased")
    if cmd.applied_on < ins.insured_since:
        raise InvalidInput("申请日期早于参保日期", "applied_on precedes the insured date", field="applied_on")
    ben = active_beneficiary(s, cmd.person_id)
    if cmd.kind == "first" and ben is not None:
        raise Conflict(f"已享受长护险待遇（{GRADE_ZH[ben.grade]}），如情况变化请申请复评",
                       "already a beneficiary: ask for a reassessment instead", field="kind", code="already_beneficiary")
    if cmd.kind == "reassessment" and ben is None:
        raise Conflict("尚未享受待遇，请申请首次评估", "not a beneficiary: apply for a first assessment", field="kind",
                       code="not_a_beneficiary")
    if (open_ := open_application(s, cmd.person_id)) is not None:
        raise Conflict(f"已有一份正在办理的申请（编号 {open_.id}），不能重复申请",
                       f"application {open_.id} is still open: one open application per person", field="person_id",
                       code="application_open", details={"application_id": open_.id})
    cand = s.scalar(select(Candidate).where(Candidate.person_id == cmd.person_id, Candidate.status == "open"))
    app = Application(person_id=cmd.person_id, district=ins.district, kind=cmd.kind, channel=cmd.channel,
                      submitted_by=ctx.actor, agent_name=cmd.agent_name, agent_relation=cmd.agent_relation,
                      phone=cmd.phone, provider=cmd.provider, dementia_unit=cmd.dementia_unit,
                      candidate_id=cand.id if cand else None, status="submitted", applied_on=cmd.applied_on)
    try:
        with s.begin_nested():  # a racing second application meets the partial unique index
            s.add(app)
            s.flush()
    except IntegrityError:
        raise Conflict("已有一份正在办理的申请，不能重复申请", "another application of this person is open",
                       field="person_id", code="application_open") from None
    if cand is not None:
        cand.status = "applied"
    out = application_view(s, app)
    ctx.audit("ltc.applied", "ltc_application", app.id, after=out)
    return out


@handles(Withdraw)
def _withdraw(ctx: Context, cmd: Withdraw) -> dict:
    s = ctx.session
    app = get(s, cmd.application_id, lock=True)
    if app.status not in ("submitted", "review"):
        raise Conflict(f"申请已{STATUS_ZH[app.status]}，不能撤回", f"the application is {app.status}", field="application_id",
                       code="wrong_status")
    before = app.status
    app.status = "withdrawn"
    s.flush()
    ctx.audit("ltc.withdrawn", "ltc_application", app.id, before={"status": before}, after={"status": "withdrawn"})
    return application_view(s, app)


@handles(ScheduleReassessments)
def _schedule(ctx: Context, cmd: ScheduleReassessments) -> dict:
    """Reassessment on schedule: each running benefit decided ``reassessment_months`` or more ago."""
    s = ctx.session
    months = int(value("assessment.reassessment_months", cmd.on))
    y, m = divmod(cmd.on.year * 12 + cmd.on.month - 1 - months, 12)
    due_before = dt.date(y, m + 1, min(cmd.on.day, 28))
    due = s.execute(text(
        "SELECT b.person_id, b.district FROM ltc_beneficiaries b JOIN ltc_insured i ON i.person_id = b.person_id "
        "WHERE b.ends_on IS NULL AND i.died_on IS NULL AND b.starts_on <= :d "
        "AND NOT EXISTS (SELECT 1 FROM ltc_applications a WHERE a.person_id = b.person_id "
        "AND (a.status IN ('submitted', 'review') OR (a.decided_on IS NOT NULL AND a.decided_on > :d))) "
        "ORDER BY b.person_id"), {"d": due_before}).all()
    ids = []
    for pid, district in due:
        app = Application(person_id=pid, district=district, kind="reassessment", channel="schedule",
                          submitted_by=ctx.actor, agent_name="", agent_relation="", phone="", provider="",
                          dementia_unit=False, status="submitted", applied_on=cmd.on)
        s.add(app)
        s.flush()
        ids.append(app.id)
    out = {"on": cmd.on.isoformat(), "due_before": due_before.isoformat(), "scheduled": len(ids),
           "application_ids": ids, "clause": GRADES_CLAUSE}
    ctx.audit("ltc.reassessments.scheduled", "ltc_application", cmd.on.isoformat(), after=out)
    return out


def get(session: Session, application_id: int, *, lock: bool = False) -> Application:
    q = select(Application).where(Application.id == application_id)
    app = session.scalar(q.with_for_update() if lock else q)
    if app is None:
        raise NotFound("长护险申请", application_id, field="application_id", what_en="LTC application")
    return app


def waiting_days(app: Application) -> int | None:
    return None if app.decided_on is None else (app.decided_on - app.applied_on).days


def application_view(session: Session, app: Application) -> dict:
    name = session.scalar(select(Insured.name).where(Insured.person_id == app.person_id))
    dec = session.scalar(select(Decision).where(Decision.application_id == app.id))
    return {"id": app.id, "person_id": app.person_id, "name": name, "district": app.district, "kind": app.kind,
            "channel": app.channel, "channel_zh": CHANNEL_ZH[app.channel], "submitted_by": app.submitted_by,
            "agent_name": app.agent_name, "agent_relation": app.agent_relation, "provider": app.provider,
            "dementia_unit": app.dementia_unit, "status": app.status, "status_zh": STATUS_ZH[app.status],
            "applied_on": app.applied_on.isoformat(),
            "decided_on": app.decided_on.isoformat() if app.decided_on else None, "waiting_days": waiting_days(app),
            "grade": app.grade, "grade_zh": GRADE_ZH.get(app.grade or "", "未达到待遇标准" if app.decided_on else None),
            "notice": None if dec is None else {"grade": dec.grade, "final_total": dec.final_total,
                                                "scale_version": dec.scale_version, "reasons": dec.reasons,
                                                "decided_on": dec.decided_on.isoformat()},
            "candidate_id": app.candidate_id, "clause": CHANNELS_CLAUSE}


def applications(session: Session, *, district: str | None = None, person_id: str | None = None,
                 status: str | None = None, limit: int = 200) -> list[dict]:
    q = select(Application).order_by(Application.id.desc()).limit(limit)
    if district:
        q = q.where(Application.district == district)
    if person_id:
        q = q.where(Application.person_id == person_id)
    if status:
        q = q.where(Application.status == status)
    return [application_view(session, a) for a in session.scalars(q)]
