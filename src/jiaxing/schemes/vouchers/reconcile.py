"""Reconciliation report (对账): per programme and district, budget = issued + redeemed + remaining,
checked three ways — the ledger identity, the voucher table against the ledger, and the journal
against the cached balances — with every anomaly listed. Also the enterprise side (payable and
paid against the applications and payments) and the city's 20% share per district (市对区补助,
computed by the engine with its clause)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.ledger import Ledger
from gazette.ledger.money import fen_to_yuan, yuan_to_fen
from jiaxing.schemes.vouchers.models import Application, Payment, Pool, Programme, Voucher
from jiaxing.schemes.vouchers.programmes import BOOK, SPECS, engine

KINDS = ("budget", "pool", "issued", "redeemed")


def report(session: Session, programme: str | None = None) -> dict[str, Any]:
    lg = Ledger(BOOK)
    anomalies: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    bal: dict[tuple[str, str], dict[str, int]] = {}
    for acc, b in lg.balances(session, programme=programme):
        kind = acc.code.split(":", 1)[0]
        if acc.programme in SPECS and acc.district and kind in KINDS:
            bal.setdefault((acc.programme, acc.district), {k: 0 for k in KINDS})[kind] = b
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    stmt = select(Voucher.programme, Voucher.district, Voucher.status, func.count(), func.sum(Voucher.reserved_fen),
                  func.sum(Voucher.face_fen)).group_by(Voucher.programme, Voucher.district, Voucher.status)
    if programme:
        stmt = stmt.where(Voucher.programme == programme)
    for p, d, st, n, reserved, face in session.execute(stmt):
        c = counts.setdefault((p, d), {"by_status": {}, "claimed_reserved": 0, "redeemed_face": 0})
        c["by_status"][st] = n
        if st == "claimed":
            c["claimed_reserved"] = int(reserved or 0)
        if st == "redeemed":
            c["redeemed_face"] = int(face or 0)
    pools_budget = {(p.programme, p.district): p.budget_fen for p in session.execute(select(Pool)).scalars()}
    rows = []
    for (p, d), b in sorted(bal.items()):
        c = counts.get((p, d), {"by_status": {}, "claimed_reserved": 0, "redeemed_face": 0})
        row = {"programme": p, "district": d, **{f"{k}_fen": b[k] for k in KINDS},
               **{f"{k}_yuan": fen_to_yuan(b[k]) for k in KINDS}, "vouchers": c["by_status"]}
        where = {"programme": p, "district": d}
        if b["budget"] != b["pool"] + b["issued"] + b["redeemed"]:
            anomalies.append({**where, "code": "pool_identity", "text_en": "budget ≠ remaining + issued + redeemed",
                              "values": b})
        for k in KINDS:
            if b[k] < 0:
                anomalies.append({**where, "code": "negative_balance", "account": k, "value_fen": b[k]})
        if b["issued"] != c["claimed_reserved"]:
            anomalies.append({**where, "code": "issued_mismatch", "ledger_fen": b["issued"],
                              "vouchers_fen": c["claimed_reserved"]})
        if b["redeemed"] != c["redeemed_face"]:
            anomalies.append({**where, "code": "redeemed_mismatch", "ledger_fen": b["redeemed"],
                              "vouchers_fen": c["redeemed_face"]})
        if (p, d) in pools_budget and pools_budget[(p, d)] != b["budget"]:
            anomalies.append({**where, "code": "budget_mismatch", "pool_table_fen": pools_budget[(p, d)],
                              "ledger_fen": b["budget"]})
        rows.append(row)
    progs = []
    for prog in session.execute(select(Programme).order_by(Programme.code)).scalars():
        if programme and prog.code != programme:
            continue
        spec = SPECS[prog.code]
        mine = [r for r in rows if r["programme"] == prog.code]
        budget = sum(r["budget_fen"] for r in mine)
        minima = sum(r["budget_fen"] for r in mine)
        share = _city_share(prog.code, {r["district"]: r["redeemed_fen"] for r in mine}, prog.window_start)
        if minima > prog.total_budget_fen:
            notes.append({"programme": prog.code, "code": "minima_exceed_total",
                          "text_zh": f"各地资金合计 {fen_to_yuan(minima)} 元，超过文件“全市统筹” {fen_to_yuan(prog.total_budget_fen)} 元"
                                     "（各地金额为“不少于”，见 docs/vouchers.md V3）",
                          "text_en": "the districts' funding exceeds the stated city-wide total (the district figures are minima)",
                          "clause": spec.budget_rule})
        progs.append({
            "programme": prog.code, "name": prog.name, "clause": prog.clause,
            "window": [prog.window_start.isoformat(), prog.window_end.isoformat()],
            "stated_total_yuan": fen_to_yuan(prog.total_budget_fen), "budget_yuan": fen_to_yuan(budget),
            **{f"{k}_yuan": fen_to_yuan(sum(r[f"{k}_fen"] for r in mine)) for k in ("pool", "issued", "redeemed")},
            "city_share": share,
        })
    tb = lg.trial_balance(session)
    ver = lg.verify(session)
    if tb.net_fen != 0:
        anomalies.append({"code": "trial_balance", "net_fen": tb.net_fen})
    if not ver.ok:
        anomalies.append({"code": "ledger_verify", "detail": str(ver)})
    anomalies += _enterprise_anomalies(session, lg)
    return {"ok": not anomalies, "programmes": progs, "pools": rows, "anomalies": anomalies, "notes": notes,
            "trial_balance_net_fen": tb.net_fen}


def _city_share(code: str, redeemed_by_district: dict[str, int], on) -> dict[str, Any]:
    """The city's 20% share (≤ 600万 per district) of what each district of the city proper spent,
    computed by the engine (47号#十一 / 46号#六)."""
    spec = SPECS[code]
    sit = {"districts": {d: {"name": d, spec.spent_fact: fen_to_yuan(f)} for d, f in redeemed_by_district.items()}}
    if not sit["districts"]:
        return {"clause": spec.city_share_rule, "total_yuan": "0.00", "districts": {}}
    res = engine().calculate(sit, on, rule_ids={spec.city_share_rule}, explain=False)
    per = {r["entity"]: r["amount_yuan"] for r in res["results"] if r["status"] == "eligible"}
    total = sum(yuan_to_fen(v) for v in per.values())
    return {"clause": spec.city_share_rule, "total_yuan": fen_to_yuan(total), "districts": per}


def _enterprise_anomalies(session: Session, lg: Ledger) -> list[dict[str, Any]]:
    out = []
    paid_sum = session.execute(select(func.coalesce(func.sum(Payment.amount_fen), 0))).scalar_one()
    approved_unpaid = session.execute(
        select(func.coalesce(func.sum(Application.amount_fen), 0)).where(Application.status == "approved")
    ).scalar_one()
    payable = sum(b for a, b in lg.balances(session, type="liability") if a.code.startswith("payable:"))
    paid_ledger = -sum(b for a, b in lg.balances(session, type="asset") if a.code == "treasury")
    if payable != approved_unpaid:
        out.append({"code": "payable_mismatch", "ledger_fen": payable, "applications_fen": int(approved_unpaid)})
    if paid_ledger != paid_sum:
        out.append({"code": "paid_mismatch", "ledger_fen": paid_ledger, "payments_fen": int(paid_sum)})
    return out
