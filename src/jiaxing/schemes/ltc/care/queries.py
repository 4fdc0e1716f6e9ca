"""Read-only views of the care half: a person's statement, a provider's claims and findings, the officer's
review queue, providers with their stars and items for people choosing (三.（二）.7)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import NotFound
from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.ltc.care import params
from jiaxing.schemes.ltc.care.violations import BY_ID, SEVERITY_ZH


def _y(fen) -> str:
    return fen_to_yuan(int(fen or 0))


def statement(s: Session, person_id: str) -> dict:
    """The person's months: cost of care, the limit, what the fund paid, what the person pays."""
    plan = s.execute(text("SELECT p.care_type, pr.name, p.starts_on FROM ltc_care_plans p JOIN ltc_providers pr "
                          "ON pr.id = p.provider_id WHERE p.person_id = :p ORDER BY p.starts_on DESC LIMIT 1"),
                     {"p": person_id}).first()
    lines = s.execute(text("SELECT l.month, l.care_type, pr.name, l.visits, l.cost_fen, l.cap_fen, l.share_bp, "
                           "l.fund_fen, l.personal_fen FROM ltc_settlement_lines l JOIN ltc_providers pr ON "
                           "pr.id = l.provider_id WHERE l.person_id = :p ORDER BY l.month DESC"),
                      {"p": person_id}).all()
    if plan is None and not lines:
        raise NotFound("护理计划或结算记录", person_id, field="person_id", what_en="care plan or settlement")
    deds = s.execute(text("SELECT month, care_month, amount_fen, rules FROM ltc_deductions WHERE person_id = :p "
                          "ORDER BY month DESC"), {"p": person_id}).all()
    return {
        "person_id": person_id,
        "plan": None if plan is None else {"care_type": plan[0], "care_type_zh": params.CARE_TYPE_ZH[plan[0]],
                                            "provider": plan[1], "starts_on": str(plan[2])},
        "months": [{"month": m, "care_type_zh": params.CARE_TYPE_ZH[ct], "provider": name, "visits": int(n),
                    "cost": _y(c), "cap": _y(cap), "share": f"{int(sh) / 100:g}%", "fund": _y(f), "personal": _y(pe)}
                   for m, ct, name, n, c, cap, sh, f, pe in lines],
        "deductions": [{"month": m, "care_month": cm, "amount": _y(a),
                        "rules": [{"id": r, "title_zh": BY_ID[r].title_zh} for r in sorted(rs.split(",")) if r]}
                       for m, cm, a, rs in deds],
        "clause": params.BENEFIT_CLAUSE,
    }


def provider_view(s: Session, provider_id: int) -> dict:
    pr = s.execute(text("SELECT id, code, name, district, care_type, dementia_unit FROM ltc_providers WHERE id = :i"),
                   {"i": provider_id}).first()
    if pr is None:
        raise NotFound("定点护理机构", str(provider_id), field="provider", what_en="designated provider")
    claims = s.execute(text("SELECT month, lines, cost_fen, fund_fen, personal_fen, deduction_fen, net_fen, status "
                            "FROM ltc_claims WHERE provider_id = :i ORDER BY month DESC"), {"i": provider_id}).all()
    findings = s.execute(text("SELECT rule_id, status, COUNT(*) FROM ltc_findings WHERE provider_id = :i "
                              "GROUP BY rule_id, status ORDER BY rule_id, status"), {"i": provider_id}).all()
    stars = s.execute(text("SELECT COUNT(*), AVG(stars * 1.0) FROM ltc_ratings WHERE provider_id = :i"),
                      {"i": provider_id}).one()
    corrections = s.execute(text("SELECT id, care_month, amount_fen, reason, clause, recorded_by, paid_in "
                                 "FROM ltc_corrections WHERE provider_id = :i ORDER BY id DESC"),
                            {"i": provider_id}).all()
    corrected = {}
    for _, month, amount, *_ in corrections:
        corrected[month] = corrected.get(month, 0) + int(amount)
    return {
        "provider": {"id": pr[0], "code": pr[1], "name": pr[2], "district": pr[3], "care_type_zh": params.CARE_TYPE_ZH[pr[4]],
                     "dementia_unit": bool(pr[5])},
        "claims": [{"month": m, "lines": int(n), "cost": _y(c), "fund": _y(f), "personal": _y(pe),
                    "deductions": _y(d), "net": _y(ne), "status_zh": "已支付" if st == "paid" else "待支付",
                    "corrections": _y(corrected.get(m, 0))}
                   for m, n, c, f, pe, d, ne, st in claims],
        # each correction of a paid claim is its own entry, paid or recovered by the next payment (D-LTC-C3)
        "corrections": [{"id": int(i), "month": m, "amount": _y(a), "reason": reason, "clause": clause,
                         "recorded_by": by, "paid_in": paid_in,
                         "status_zh": ("已补付" if a > 0 else "已追回") if paid_in else
                                      ("待补付" if a > 0 else "待追回")}
                        for i, m, a, reason, clause, by, paid_in in corrections],
        "findings": [{"rule": r, "title_zh": BY_ID[r].title_zh, "status": st, "count": int(n)} for r, st, n in findings],
        "ratings": {"count": int(stars[0]), "stars": None if stars[1] is None else round(float(stars[1]), 1)},
    }


def review_queue(s: Session, district: str | None, limit: int = 100) -> dict:
    """Flagged findings waiting for an officer (their district only) and this district's review sample."""
    where = "f.status = 'flagged'" + (" AND f.district = :d" if district else "")
    rows = s.execute(text(
        f"SELECT f.id, f.rule_id, f.month, f.person_id, pr.name, v.day FROM ltc_findings f "
        f"JOIN ltc_providers pr ON pr.id = f.provider_id JOIN ltc_visits v ON v.id = f.visit_id "
        f"WHERE {where} ORDER BY f.month, f.id LIMIT :n"), {"d": district, "n": limit}).all()
    sample = s.execute(text(
        "SELECT r.month, r.seed, COUNT(*) FROM ltc_review_samples r JOIN ltc_visits v ON v.id = r.visit_id "
        + ("WHERE v.district = :d " if district else "") + "GROUP BY r.month, r.seed ORDER BY r.month DESC"),
        {"d": district}).all()
    return {
        "district": district,
        "flagged": [{"id": int(i), "rule": r, "title_zh": BY_ID[r].title_zh,
                     "severity_zh": SEVERITY_ZH[BY_ID[r].severity], "clause": BY_ID[r].clause, "month": m,
                     "person_id": p, "provider": name, "day": str(day)} for i, r, m, p, name, day in rows],
        "samples": [{"month": m, "seed": int(seed), "visits": int(n)} for m, seed, n in sample],
    }


def providers_for_choosing(s: Session, district: str | None = None) -> list[dict]:
    """Designated providers with their star rating and the catalogue items they have planned (三.（二）.7)."""
    rows = s.execute(text(
        "SELECT pr.id, pr.name, pr.district, pr.care_type, pr.dementia_unit, COUNT(r.id), AVG(r.stars * 1.0) "
        "FROM ltc_providers pr LEFT JOIN ltc_ratings r ON r.provider_id = pr.id "
        + ("WHERE pr.district = :d " if district else "")
        + "GROUP BY pr.id, pr.name, pr.district, pr.care_type, pr.dementia_unit ORDER BY pr.name"),
        {"d": district}).all()
    items = {}
    for pid, name in s.execute(text(
            "SELECT DISTINCT p.provider_id, c.name FROM ltc_care_plans p JOIN ltc_care_plan_items i ON "
            "i.plan_id = p.id JOIN ltc_catalogue_items c ON c.code = i.item_code AND c.valid_to IS NULL "
            "ORDER BY c.name")):
        items.setdefault(pid, []).append(name)
    return [{"id": int(i), "name": n, "district": d, "care_type_zh": params.CARE_TYPE_ZH[ct], "dementia_unit": bool(dem),
             "ratings": int(cnt), "stars": None if avg is None else round(float(avg), 1), "items": items.get(i, [])}
            for i, n, d, ct, dem, cnt, avg in rows]
