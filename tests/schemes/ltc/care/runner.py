"""Drive the generated world month by month through production (settle, pay, screen, officer decisions) and
through the independent reference; read back what production stored, for comparison to the fen."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc.care import settlement as ST
from jiaxing.schemes.ltc.care import violations as VI
from jiaxing.schemes.ltc.care.commands import CorrectPaidClaim
from jiaxing.schemes.ltc.care.params import BENEFIT_CLAUSE

from . import loader, reference
from .simulation import corrections, decide, months


def start(w) -> reference.Books:
    with unit_of_work() as s:
        loader.load_static(s, w)
        loader.fix_sequences(s)
    return reference.Books(w)


def _reference_month(w, ref: reference.Books, m: str, stays: list, deaths: dict) -> set[tuple[int, str]]:
    """The reference's month up to the screening: settle, pay and the findings it expects. Plain Python, run in
    a thread beside production's runs, which wait on the database with the GIL released."""
    ref.settle(m)
    ref.pay(m)
    return reference.findings(w, m, stays, deaths)


def month(w, ref: reference.Books, m: str, known: dict, before_settle=None, pool=None) -> set[tuple[int, str]]:
    """One month: the lists and visits arrive, settle, pay, screen, the officer decides and corrects."""
    with unit_of_work() as s:
        loader.load_deaths_and_stays(s, w, m)
        loader.load_month(s, w, m)
        loader.fix_sequences(s)
    if before_settle is not None:
        before_settle(m)
    known["stays"] += [x for x in w.stays if x["admitted_on"].isoformat()[:7] == m]
    known["deaths"].update({r["person_id"]: r["died_on"] for r in w.insured
                            if r["died_on"] is not None and r["died_on"].isoformat()[:7] <= m})
    # ref is the thread's alone until .result(): production reads nothing of it meanwhile
    args = (w, ref, m, list(known["stays"]), dict(known["deaths"]))
    pending = pool.submit(_reference_month, *args) if pool is not None else None
    ST.settle(m)
    ST.pay(m)
    VI.screen(m)
    expected = pending.result() if pending is not None else _reference_month(*args)
    ref.screen(m, expected)
    for corr in corrections(w, m, ref.paid_claims()):
        provider = w.providers[corr["provider_id"] - 1]
        execute(CorrectPaidClaim(idempotency_key=corr["key"], actor="sim-officer", provider_code=provider["code"],
                                 month=corr["care_month"], amount_fen=corr["amount"], reason="模拟复核更正",
                                 clause=BENEFIT_CLAUSE, district=provider["district"]))
        ref.correct(corr["provider_id"], corr["care_month"], corr["amount"])
    found = stored_findings(m)
    # the officer: bulk decisions (the command is tested on its own in test_commands)
    decisions = [{"v": v, "r": r, "st": decide(v, r)} for v, r in found]
    with unit_of_work() as s:
        s.execute(text("UPDATE ltc_findings SET status = :st, decided_by = 'sim-officer' "
                       "WHERE visit_id = :v AND rule_id = :r AND status = 'flagged'"), decisions)
    for d in decisions:
        ref.status[(d["v"], d["r"])] = d["st"]
    return found


def run(w, n_months: int, first: str, before_settle=None) -> reference.Books:
    ref = start(w)
    known = {"stays": [], "deaths": {}}
    with ThreadPoolExecutor(max_workers=1) as pool:
        for m in months(first, n_months):
            month(w, ref, m, known, before_settle, pool)
    return ref


def stored_findings(m: str) -> set[tuple[int, str]]:
    with unit_of_work() as s:
        return {(int(v), r) for v, r in s.execute(text("SELECT visit_id, rule_id FROM ltc_findings WHERE month = :m"),
                                                  {"m": m})}


def books() -> dict:
    """Everything the settlement stored, as plain values (to compare runs and the reference)."""
    with unit_of_work() as s:
        lines = {(m, p): {"provider_id": int(pr), "care_type": ct, "cost": int(c), "fund": int(f), "personal": int(pe)}
                 for m, p, pr, ct, c, f, pe in s.execute(text(
                     "SELECT month, person_id, provider_id, care_type, cost_fen, fund_fen, personal_fen "
                     "FROM ltc_settlement_lines"))}
        deds = {(m, p, cm): (int(a), ",".join(sorted(r.split(",")))) for m, p, cm, a, r in s.execute(text(
            "SELECT month, person_id, care_month, amount_fen, rules FROM ltc_deductions"))}
        claims = {(int(p), m): {"lines": int(n), "cost": int(c), "fund": int(f), "personal": int(pe),
                                "deduction": int(d), "net": int(ne), "status": st}
                  for p, m, n, c, f, pe, d, ne, st in s.execute(text(
                      "SELECT provider_id, month, lines, cost_fen, fund_fen, personal_fen, deduction_fen, net_fen, "
                      "status FROM ltc_claims"))}
        bal = {code: int(b) for code, b in s.execute(text(
            "SELECT a.code, b.balance FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id "
            "WHERE a.book_code = 'ltc_care'")) if b}
        entries = s.execute(text("SELECT COUNT(*) FROM ledger_entries WHERE book_code = 'ltc_care'")).scalar_one()
        findings = {(int(v), r): st for v, r, st in s.execute(text(
            "SELECT visit_id, rule_id, status FROM ltc_findings"))}
        fixes = sorted((int(p), m, int(a), paid) for p, m, a, paid in s.execute(text(
            "SELECT provider_id, care_month, amount_fen, paid_in FROM ltc_corrections")))
    return {"lines": lines, "deductions": deds, "claims": claims, "balances": bal, "entries": int(entries),
            "findings": findings, "corrections": fixes}


def expected_books(ref: reference.Books) -> dict:
    return {"lines": ref.lines,
            "deductions": {k: (a, ref.deduction_rules[k]) for k, a in ref.deductions.items()},
            "claims": ref.claims, "balances": {k: v for k, v in ref.balances.items() if v},
            "findings": dict(ref.status),
            "corrections": sorted((c["provider_id"], c["care_month"], c["amount"], c["paid_in"])
                                  for c in ref.corrections)}
