"""The 驾驶舱 (smart management cockpit) — 三.（四）.11, against the 2024 targets of 二.

"构建智慧管理驾驶舱，实现失能评估、护理服务、基金给付等实时数据和失能人员、从业人员、定点机构等信息展示":
insured and the enrolment rate by district (target ≥ 99%, 二 and 三.（一）.1), funding by source,
applications and waiting times by district and month, beneficiaries by grade (target 45,000, 二),
candidates found (要我申请). The care half's figures (care types, visits, payments, violations) are read
from its tables when they exist in this database — the intake half writes none of them.

Reading D-LTC-I1: the enrolment rate is the insured living in a district ÷ its registered population
(户籍人口, reference data with a source loaded by the operator); "unknown" when no population is loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gazette.ledger import clock
from gazette.ledger.money import fen_to_yuan
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.ltc.intake_params import DASHBOARD_CLAUSE, GRADE_ZH, TARGETS_CLAUSE, value

CARE_TYPE_ZH = {"elderly_institution": "养老机构护理", "medical_institution": "医疗机构护理", "home": "居家护理"}


def _pct(num: int, den: int | None) -> str | None:
    if not den:
        return None
    return f"{num * 10000 // den / 100:.2f}%"


def dashboard(session: Session, *, district: str | None = None, on: dt.date | None = None) -> dict[str, Any]:
    on = on or clock.now().date()
    dfilter = " AND district = :d" if district else ""
    p = {"d": district, "on": on, "year": on.year}
    insured = dict(session.execute(text(
        "SELECT district, COUNT(*) FROM ltc_insured WHERE died_on IS NULL AND insured_since <= :on "
        f"AND (insured_until IS NULL OR insured_until >= :on){dfilter} GROUP BY district"), p).all())
    pop = {d: (n, src) for d, n, src in session.execute(text(
        "SELECT p.district, p.registered, p.source FROM ltc_population p WHERE p.year = (SELECT MAX(year) FROM "
        "ltc_population q WHERE q.district = p.district AND q.year <= :year)"), p)}
    target_rate = value("targets.enrolment_rate", on)
    districts = [district] if district else [d for d in DISTRICTS if d in insured or d in pop]
    enrolment = []
    for d in districts:
        n, (reg, src) = insured.get(d, 0), pop.get(d, (None, ""))
        # exact: 99 of 100 meets "99%以上" (decimal arithmetic, never a float compared with 0.99)
        meets = None if not reg else Decimal(n) >= Decimal(str(target_rate)) * reg
        enrolment.append({"district": d, "insured": n, "registered": reg, "rate": _pct(n, reg), "source": src,
                          "meets_target": meets})
    apps = [dict(r._mapping) for r in session.execute(text(
        "SELECT district, applied_on, status, decided_on, grade FROM ltc_applications WHERE 1 = 1" + dfilter), p)]
    by_month: dict[tuple[str, str], dict] = {}
    for a in apps:
        applied = a["applied_on"] if isinstance(a["applied_on"], dt.date) else dt.date.fromisoformat(str(a["applied_on"]))
        m = by_month.setdefault((applied.strftime("%Y-%m"), a["district"]),
                                {"applied": 0, "decided": 0, "granted": 0, "wait_days": 0, "open": 0})
        m["applied"] += 1
        if a["decided_on"] is not None:
            dec = a["decided_on"] if isinstance(a["decided_on"], dt.date) else dt.date.fromisoformat(str(a["decided_on"]))
            m["decided"] += 1
            m["granted"] += a["grade"] is not None
            m["wait_days"] += (dec - applied).days
        elif a["status"] in ("submitted", "review"):
            m["open"] += 1
    months = [{"month": mo, "district": d, **v, "average_wait_days":
               None if not v["decided"] else round(v["wait_days"] / v["decided"], 1)}
              for (mo, d), v in sorted(by_month.items())]
    grades = session.execute(text(
        "SELECT district, grade, COUNT(*) FROM ltc_beneficiaries WHERE ends_on IS NULL" + dfilter +
        " GROUP BY district, grade ORDER BY district, grade"), p).all()
    by_grade: dict[str, int] = {g: 0 for g in GRADE_ZH}
    for _, g, n in grades:
        by_grade[g] += n
    beneficiaries = sum(by_grade.values())
    target_ben = int(value("targets.beneficiaries", on))
    candidates = session.execute(text("SELECT COUNT(*) FROM ltc_candidates WHERE status = 'open'" + dfilter), p).scalar()
    funding = session.execute(text(
        "SELECT scheme, COUNT(*), COALESCE(SUM(personal_fen), 0), COALESCE(SUM(other_fen), 0) FROM ltc_funding_lines "
        "WHERE year = :year" + dfilter + " GROUP BY scheme"), p).all()
    fund = {"year": on.year, "personal": 0, "employee_pool": 0, "fiscal": 0, "people": 0}
    for scheme, n, pers, other in funding:
        fund["people"] += n
        fund["personal"] += int(pers)
        fund["employee_pool" if scheme == "employee" else "fiscal"] += int(other)
    decided = [m for m in months if m["decided"]]
    waited = sum(m["wait_days"] for m in decided)
    ndec = sum(m["decided"] for m in decided)
    return {
        "on": on.isoformat(), "district": district, "clause": DASHBOARD_CLAUSE, "targets_clause": TARGETS_CLAUSE,
        "totals": {"insured": sum(insured.values()), "beneficiaries": beneficiaries, "open_candidates": candidates,
                   "applications": len(apps), "open_applications": sum(m["open"] for m in months),
                   "average_wait_days": None if not ndec else round(waited / ndec, 1)},
        "targets": {"enrolment_rate": f"{(Decimal(str(target_rate)) * 100).normalize():f}%", "beneficiaries": target_ben,
                    "beneficiaries_progress": _pct(beneficiaries, target_ben)},
        "enrolment": enrolment, "applications_by_month": months,
        "beneficiaries_by_grade": [{"grade": g, "grade_zh": GRADE_ZH[g], "people": n} for g, n in by_grade.items()],
        "beneficiaries_by_district": [{"district": d, "grade": g, "grade_zh": GRADE_ZH[g], "people": n}
                                      for d, g, n in grades],
        "funding": {**{k: fen_to_yuan(v) if k in ("personal", "employee_pool", "fiscal") else v
                       for k, v in fund.items()}},
        "care": care_figures(session, district),
    }


def care_figures(session: Session, district: str | None) -> dict[str, Any] | None:
    """The care half's figures by month, read from its tables when they exist (None otherwise)."""
    have = set(inspect(session.get_bind()).get_table_names())
    if not {"ltc_care_plans", "ltc_visits", "ltc_settlement_lines", "ltc_findings"} <= have:
        return None
    dfilter = " AND district = :d" if district else ""
    try:
        with session.begin_nested():
            types = session.execute(text(
                "SELECT care_type, COUNT(DISTINCT person_id) FROM ltc_care_plans WHERE ends_on IS NULL" + dfilter +
                " GROUP BY care_type ORDER BY care_type"), {"d": district}).all()
            visits = session.execute(text("SELECT month, COUNT(*) FROM ltc_visits WHERE 1 = 1" + dfilter +
                                          " GROUP BY month ORDER BY month"), {"d": district}).all()
            pay = session.execute(text(
                "SELECT s.month, COALESCE(SUM(s.fund_fen), 0) FROM ltc_settlement_lines s WHERE 1 = 1" +
                (" AND s.person_id IN (SELECT person_id FROM ltc_beneficiaries WHERE district = :d)" if district else "") +
                " GROUP BY s.month ORDER BY s.month"), {"d": district}).all()
            viol = session.execute(text(
                "SELECT f.month, f.status, COUNT(*) FROM ltc_findings f WHERE 1 = 1" +
                (" AND f.person_id IN (SELECT person_id FROM ltc_beneficiaries WHERE district = :d)" if district else "") +
                " GROUP BY f.month, f.status ORDER BY f.month"), {"d": district}).all()
    except SQLAlchemyError:  # the care half's tables are not in the shape read here: show the intake half only
        return None
    return {"care_types": [{"care_type": t, "care_type_zh": CARE_TYPE_ZH.get(t, t), "people": n} for t, n in types],
            "visits_by_month": [{"month": m, "visits": n} for m, n in visits],
            "fund_paid_by_month": [{"month": m, "fund": fen_to_yuan(int(f)), "fund_fen": int(f)} for m, f in pay],
            "findings_by_month": [{"month": m, "status": s, "findings": n} for m, s, n in viol]}


def to_csv(dash: dict[str, Any]) -> str:
    """The cockpit's tables as one CSV (section, key columns, figures), UTF-8 with a BOM for spreadsheet programs."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "month", "district", "item", "value", "target", "clause"])
    for e in dash["enrolment"]:
        w.writerow(["enrolment", "", e["district"], "insured", e["insured"], "", DASHBOARD_CLAUSE])
        w.writerow(["enrolment", "", e["district"], "rate", e["rate"] or "unknown", dash["targets"]["enrolment_rate"],
                    TARGETS_CLAUSE])
    for m in dash["applications_by_month"]:
        for k in ("applied", "decided", "granted", "open", "average_wait_days"):
            w.writerow(["applications", m["month"], m["district"], k, "" if m[k] is None else m[k], "", DASHBOARD_CLAUSE])
    for b in dash["beneficiaries_by_district"]:
        w.writerow(["beneficiaries", "", b["district"], b["grade"], b["people"], "", DASHBOARD_CLAUSE])
    w.writerow(["beneficiaries", "", "", "total", dash["totals"]["beneficiaries"], dash["targets"]["beneficiaries"],
                TARGETS_CLAUSE])
    for k in ("personal", "employee_pool", "fiscal"):
        w.writerow(["funding", str(dash["funding"]["year"]), dash["district"] or "", k, dash["funding"][k], "",
                    "嘉政发〔2022〕21号#一.（二）"])
    care = dash.get("care") or {}
    for v in care.get("visits_by_month", []):
        w.writerow(["visits", v["month"], dash["district"] or "", "visits", v["visits"], "", DASHBOARD_CLAUSE])
    for v in care.get("fund_paid_by_month", []):
        w.writerow(["payments", v["month"], dash["district"] or "", "fund", v["fund"], "", DASHBOARD_CLAUSE])
    for v in care.get("findings_by_month", []):
        w.writerow(["violations", v["month"], dash["district"] or "", v["status"], v["findings"], "", DASHBOARD_CLAUSE])
    return "\ufeff" + out.getvalue()


def charts(dash: dict[str, Any]) -> dict[str, Any]:
    """Server-drawn SVG charts (no JavaScript): enrolment rate by district, applications by month,
    beneficiaries by grade — the same numbers are in the tables beside them."""
    from gazette.web import charts as web_charts

    enr = [e for e in dash["enrolment"] if e["registered"]]
    rate_chart = web_charts.bar_chart(
        chart_id="ltc-enrolment", title="参保率 Enrolment rate", desc="各县（市、区）户籍人口参保率（万分之一），目标 99%",
        categories=[e["district"] for e in enr],
        series=[web_charts.Series("参保率 Rate", [e["insured"] * 10000 // e["registered"] for e in enr], "参保率"),
                web_charts.Series("目标 Target", [int(float(dash["targets"]["enrolment_rate"].rstrip("%")) * 100)] * len(enr),
                         "目标")],
        fmt=lambda v: f"{v / 100:.2f}%")
    months: dict[str, list[int]] = {}
    for m in dash["applications_by_month"]:
        x = months.setdefault(m["month"], [0, 0])
        x[0] += m["applied"]
        x[1] += m["decided"]
    cats = sorted(months)[-12:]
    app_chart = web_charts.column_chart(
        chart_id="ltc-applications", title="每月申请与评定 Applications per month", desc="每月受理申请与作出评定的数量",
        categories=cats, series=[web_charts.Series("申请 Applied", [months[c][0] for c in cats], "申请"),
                                 web_charts.Series("评定 Decided", [months[c][1] for c in cats], "评定")])
    grade_chart = web_charts.bar_chart(
        chart_id="ltc-grades", title="待遇享受人员 Beneficiaries by grade", desc="按失能等级统计的享受待遇人数",
        categories=[g["grade_zh"] for g in dash["beneficiaries_by_grade"]],
        series=[web_charts.Series("人数 People", [g["people"] for g in dash["beneficiaries_by_grade"]], "人数")])
    return {"enrolment": rate_chart, "applications": app_chart, "grades": grade_chart}
