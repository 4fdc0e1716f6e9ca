"""Proactive discovery (主动发现、精准识别) — 三.（三）.8.

"打通医保就医信息与卫生健康（医院）、民政、残联等部门的疾病就诊、低保、评残等信息壁垒，实现精准画像、
主动发现，做到第一时间提醒申报，变'我要申请'为'要我申请'". Lists from other departments are imported
row by row (a bad row rejects the file, nothing written), kept in ``ltc_discovery_rows`` with their
batch and row number:

* ``discharge`` (卫生健康: 出院) — also written to ``ltc_hospital_stays`` (the care half screens home
  visits during a stay against it);
* ``disability`` (残联: 残疾证, level 1–4); ``dibao`` (民政: 低保);
* ``death`` (死亡) — sets ``ltc_insured.died_on``, ends a running benefit, closes open applications.

:func:`discover` matches the rows to the insured and makes a candidate (要我申请) of each living
insured person who is not a beneficiary and has no open application, when a discharge diagnosis or a
severe disability certificate (DEMO rules in ``intake_scale_demo.yaml``) points to severe disability;
低保 is shown beside as a reason of priority, never alone. Each candidate links the rows that made it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gazette import validate
from gazette.errors import InvalidInput
from gazette.ledger import clock
from gazette.ledger._sql import bulk_insert
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.ltc.intake_commands import Discover, ImportList
from jiaxing.schemes.ltc.intake_models import Candidate, CandidateSource, DiscoveryRow
from jiaxing.schemes.ltc.intake_params import DISCOVERY_CLAUSE, discovery_rules
from jiaxing.schemes.ltc.intake_roster import rejected
from jiaxing.schemes.ltc.models import Beneficiary, HospitalStay, Insured

KIND_ZH = {"discharge": "出院记录（卫生健康）", "disability": "残疾证（残联）", "dibao": "低保（民政）", "death": "死亡信息"}
COLUMNS = {"discharge": ("person_id", "hospital", "admitted_on", "discharged_on", "diagnosis"),
           "disability": ("person_id", "level", "category"), "dibao": ("person_id",),
           "death": ("person_id", "died_on")}
REMINDER = ("您可能符合长期护理保险待遇条件。可以在线申请失能等级评估，也可以请家人代办或到服务窗口办理。",
            "You may qualify for long-term care insurance: apply for a disability assessment online, through a "
            "family member, or at a service desk.")


def clean_row(kind: str, raw: dict[str, Any], today: dt.date) -> tuple[dict, dt.date | None]:
    """(detail, date of the fact) of one list row; raises InvalidInput naming the column."""
    pid = validate.person_id(raw.get("person_id"), "person_id")
    born = validate.birth_date(pid)
    if kind == "discharge":
        adm = validate.date(raw.get("admitted_on"), "admitted_on", earliest=born, latest=today)
        dis = validate.date(raw.get("discharged_on"), "discharged_on", earliest=adm, latest=today)
        return {"person_id": pid, "hospital": validate.text(raw.get("hospital"), "hospital", max_length=100),
                "admitted_on": adm.isoformat(), "discharged_on": dis.isoformat(),
                "diagnosis": validate.text(raw.get("diagnosis"), "diagnosis", max_length=500)}, dis
    if kind == "disability":
        level = validate.integer(raw.get("level"), "level", minimum=1, maximum=4)
        return {"person_id": pid, "level": level,
                "category": validate.text(raw.get("category"), "category", max_length=20)}, None
    if kind == "dibao":
        return {"person_id": pid}, None
    died = validate.date(raw.get("died_on"), "died_on", earliest=born, latest=today)
    return {"person_id": pid, "died_on": died.isoformat()}, died


def check_kind(kind: str) -> str:
    if kind not in COLUMNS:
        raise InvalidInput(f"未知的名单类型：{kind}（discharge、disability、dibao、death）",
                           f"unknown list kind: {kind}", field="kind", code="unknown_kind")
    return kind


@handles(ImportList)
def _import(ctx: Context, cmd: ImportList) -> dict:
    s = ctx.session
    today = clock.now().date()
    clean, errors = [], []
    for no, raw in enumerate((dict(r) for r in cmd.rows), 2):
        if not any(raw.values()):
            continue
        try:
            clean.append((no, *clean_row(cmd.kind, raw, today)))
        except InvalidInput as e:
            errors.append({"row": no, "column": e.field, "code": e.code, "message_zh": e.message_zh,
                           "message_en": e.message_en})
    if errors:
        raise rejected(errors, "名单", "list")
    if s.scalar(select(DiscoveryRow.id).where(DiscoveryRow.kind == cmd.kind, DiscoveryRow.batch == cmd.batch).limit(1)):
        raise InvalidInput(f"批次 {cmd.batch} 的{KIND_ZH[cmd.kind]}已导入", f"batch {cmd.batch} of {cmd.kind} was already "
                           "imported", field="batch", code="batch_exists")
    bulk_insert(s, DiscoveryRow.__table__, [{"kind": cmd.kind, "batch": cmd.batch, "row_no": no, "person_id": d["person_id"],
                                             "on_date": on, "detail": d} for no, d, on in clean])
    out: dict[str, Any] = {"kind": cmd.kind, "batch": cmd.batch, "rows": len(clean), "clause": DISCOVERY_CLAUSE}
    if cmd.kind == "discharge":
        stays = [{"person_id": d["person_id"], "hospital": d["hospital"], "admitted_on": dt.date.fromisoformat(d["admitted_on"]),
                  "discharged_on": on, "diagnosis": d["diagnosis"], "source": f"discharge:{cmd.batch}#{no}"}
                 for no, d, on in clean]
        out["hospital_stays"] = len(bulk_insert(s, HospitalStay.__table__, stays,
                                                conflict=["person_id", "admitted_on", "hospital"], returning=["id"]))
    if cmd.kind == "death":
        out["deaths_recorded"] = _deaths(ctx, [(d["person_id"], on, f"death:{cmd.batch}#{no}") for no, d, on in clean])
    ctx.audit("ltc.list.imported", "ltc_discovery_batch", f"{cmd.kind}/{cmd.batch}", after=out)
    return out


def _deaths(ctx: Context, deaths: list[tuple[str, dt.date, str]]) -> int:
    """Record each death once: the insured's died_on, the benefit's end, open applications closed."""
    s, n = ctx.session, 0
    for pid, died, source in deaths:
        ins = s.scalar(select(Insured).where(Insured.person_id == pid).with_for_update())
        if ins is None or ins.died_on is not None:
            continue
        ins.died_on = died
        n += 1
        b = s.scalar(select(Beneficiary).where(Beneficiary.person_id == pid))
        if b is not None and (b.ends_on is None or b.ends_on > died):
            b.ends_on = max(died, b.starts_on)
        s.execute(text("UPDATE ltc_applications SET status = 'closed' WHERE person_id = :p "
                       "AND status IN ('submitted', 'review')"), {"p": pid})
        s.execute(text("UPDATE ltc_candidates SET status = 'closed', closed_reason = :r WHERE person_id = :p "
                       "AND status = 'open'"), {"p": pid, "r": f"死亡（{source}）"})
        ctx.audit("ltc.death.recorded", "ltc_insured", pid, after={"died_on": died, "source": source})
    return n


def _evidence(detail: dict, kind: str, rules: dict) -> str | None:
    """Why this row points to severe disability (in words), or None."""
    if kind == "discharge":
        hit = [w for w in rules["diagnoses"] if w in detail["diagnosis"]]
        return f"出院诊断“{detail['diagnosis']}”（{detail['hospital']}，{detail['discharged_on']}）" if hit else None
    if kind == "disability" and detail["level"] in rules["disability_levels"]:
        return f"{detail['category']}残疾{'一二三四'[detail['level'] - 1]}级"
    return None


@handles(Discover)
def _discover(ctx: Context, cmd: Discover) -> dict:
    s = ctx.session
    rules = discovery_rules()
    rows = s.execute(text(
        "SELECT r.id, r.kind, r.batch, r.row_no, r.person_id, r.detail, i.district FROM ltc_discovery_rows r "
        "JOIN ltc_insured i ON i.person_id = r.person_id "
        "WHERE r.kind IN ('discharge', 'disability', 'dibao') AND i.died_on IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM ltc_beneficiaries b WHERE b.person_id = i.person_id AND b.ends_on IS NULL) "
        "AND NOT EXISTS (SELECT 1 FROM ltc_applications a WHERE a.person_id = i.person_id "
        "AND a.status IN ('submitted', 'review')) ORDER BY r.id")).all()
    people: dict[str, dict] = {}
    for rid, kind, batch, row_no, pid, detail, district in rows:
        detail = detail if isinstance(detail, dict) else json.loads(detail)
        why = _evidence(detail, kind, rules)
        p = people.setdefault(pid, {"district": district, "strong": False, "reasons": []})
        p["strong"] |= why is not None
        p["reasons"].append({"row_id": rid, "kind": kind, "source": f"{kind}:{batch}#{row_no}",
                             "text_zh": why or ("享受最低生活保障（优先提醒）" if kind == "dibao" else "")})
    existing = {c.person_id: c for c in s.scalars(select(Candidate).where(Candidate.person_id.in_(list(people))))}\
        if people else {}
    made = updated = 0
    for pid, p in people.items():
        if not p["strong"]:
            continue
        reasons = [r for r in p["reasons"] if r["text_zh"]]
        c = existing.get(pid)
        if c is None:
            c = Candidate(person_id=pid, district=p["district"], status="open", reasons=reasons, found_on=cmd.on,
                          closed_reason="")
            s.add(c)
            made += 1
        elif c.status == "open" and len(c.reasons) != len(reasons):
            c.reasons = reasons
            updated += 1
        else:
            continue
        s.flush()
        bulk_insert(s, CandidateSource.__table__, [{"candidate_id": c.id, "row_id": r["row_id"]} for r in reasons],
                    conflict=["candidate_id", "row_id"])
    out = {"on": cmd.on.isoformat(), "new_candidates": made, "updated": updated,
           "open_candidates": s.scalar(text("SELECT COUNT(*) FROM ltc_candidates WHERE status = 'open'")),
           "clause": DISCOVERY_CLAUSE}
    ctx.audit("ltc.discovered", "ltc_candidates", cmd.on.isoformat(), after=out)
    return out


def candidate_view(session: Session, c: Candidate) -> dict:
    name = session.scalar(select(Insured.name).where(Insured.person_id == c.person_id))
    return {"id": c.id, "person_id": c.person_id, "name": name, "district": c.district, "status": c.status,
            "found_on": c.found_on.isoformat(), "reasons": c.reasons, "reminder_zh": REMINDER[0],
            "reminder_en": REMINDER[1], "clause": DISCOVERY_CLAUSE}


def candidates(session: Session, *, district: str | None = None, status: str | None = "open") -> list[dict]:
    q = select(Candidate).order_by(Candidate.id)
    if district:
        q = q.where(Candidate.district == district)
    if status:
        q = q.where(Candidate.status == status)
    return [candidate_view(session, c) for c in session.scalars(q)]


def reminder_for(session: Session, person_id: str) -> dict | None:
    c = session.scalar(select(Candidate).where(Candidate.person_id == person_id, Candidate.status == "open"))
    return None if c is None else candidate_view(session, c)
