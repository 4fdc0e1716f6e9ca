"""The monthly settlement (一.（二）) and the payment — set-based runs on the double-entry ledger.

**Settle** ``("ltc.settle", "YYYY-MM")``, in chunks of providers, one transaction each:

1. one settlement line per beneficiary: the cost of the month's completed visits (less any visit an
   officer has already confirmed as a violation), the monthly limit and fund share of the plan's care
   type (read from the policy's parameters, :mod:`.params`), the fund's part
   ``round_half_up(min(cost, limit) × share)`` and the person's part ``cost − fund``;
2. one deduction per (beneficiary, earlier care month) with newly confirmed findings: what the fund
   paid for that month less what it should have paid without the confirmed visits, less what earlier
   deductions already took back — a new entry, never an edit of the paid line; it names the rules;
3. one claim (申报结算单) per (provider, month) — unique, so the month is settled once per provider;
4. the ledger, in bulk (``post_many``): 借 ``fund_expense`` / 贷 ``payable:P<id>`` for the claim, and
   借 ``payable:P<id>`` / 贷 ``fund_expense`` for the deductions, citing the rules.

Every write is keyed (lines by (month, person), claims by (provider, month), entries by
``ltc.settle:<month>:P:<id>``): a killed run, rerun, converges to the clean run's books. A line already
written is skipped by its unique key (``ON CONFLICT DO NOTHING``), not by a ``NOT EXISTS`` on the lines: the
statistics taken before the run say the month has no lines, and with that estimate the planner compared
every visit of a later chunk with every line of the earlier ones (seconds per chunk at 10,000 people).

**Pay** ``("ltc.pay", "YYYY-MM")``: each provider's unpaid claims up to the month and its corrections not
yet paid (already on the ledger when recorded, D-LTC-C3), when their sum is positive, are paid: 借
``payable:P<id>`` / 贷 ``fund_bank``. A negative sum (deductions or recoveries beyond the month's claim)
stays owed and is netted against the next month.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from gazette.errors import Conflict
from gazette.ledger import EntryRequest, Ledger, credit, debit, execute_run, get_run
from gazette.ledger.money import fen_to_yuan
from gazette.ledger.postings import AccountSpec
from jiaxing.schemes.ltc.care import params
from jiaxing.schemes.ltc.care.models import Provider

WIDTH = 100  # providers per chunk (one transaction each)

_TERMS = ("CASE p.care_type WHEN 'elderly_institution' THEN :cap_e WHEN 'medical_institution' THEN :cap_m "
          "ELSE :cap_h END", "CASE p.care_type WHEN 'elderly_institution' THEN :sh_e WHEN 'medical_institution' "
          "THEN :sh_m ELSE :sh_h END")
_CONFIRMED = "SELECT 1 FROM ltc_findings f WHERE f.visit_id = v.id AND f.status = 'confirmed'"
_FUND = "(CASE WHEN {c} < {cap} THEN {c} ELSE {cap} END * {sh} * 2 + 10000) / 20000"

LINES_SQL = f"""
INSERT INTO ltc_settlement_lines (month, provider_id, person_id, district, care_type, visits, cost_fen, cap_fen,
                                  share_bp, fund_fen, personal_fen, run_id)
SELECT CAST(:m AS VARCHAR(7)), t.provider_id, t.person_id, t.district, t.care_type, t.visits, t.cost, t.cap, t.sh,
       {_FUND.format(c="t.cost", cap="t.cap", sh="t.sh")},
       t.cost - {_FUND.format(c="t.cost", cap="t.cap", sh="t.sh")}, :rid
FROM (SELECT v.provider_id, v.person_id, MIN(v.district) AS district, p.care_type, COUNT(*) AS visits,
             CAST(SUM(v.cost_fen) AS BIGINT) AS cost, {_TERMS[0]} AS cap, {_TERMS[1]} AS sh
      FROM ltc_visits v JOIN ltc_care_plans p ON p.id = v.plan_id
      WHERE v.month = :m AND v.done AND v.provider_id >= :lo AND v.provider_id < :hi
        AND NOT EXISTS ({_CONFIRMED})
      GROUP BY v.provider_id, v.person_id, p.care_type) t
WHERE t.cost > 0
ON CONFLICT (month, person_id) DO NOTHING
"""

# deductions for earlier care months with confirmed findings not yet settled (step 2)
DEDUCT_SQL = f"""
INSERT INTO ltc_deductions (month, care_month, provider_id, person_id, amount_fen, rules, run_id)
SELECT CAST(:m AS VARCHAR(7)), q.month, q.provider_id, q.person_id, q.amount, q.rules, :rid FROM (
SELECT l.month, l.provider_id, l.person_id,
       l.fund_fen - CAST(COALESCE((SELECT SUM(d.amount_fen) FROM ltc_deductions d
                                   WHERE d.person_id = l.person_id AND d.care_month = l.month), 0) AS BIGINT)
       - {_FUND.format(c="COALESCE(ok.cost, 0)", cap="l.cap_fen", sh="l.share_bp")} AS amount,
       pend.rules
FROM (SELECT f.person_id, f.month, {{agg}} AS rules FROM ltc_findings f
      WHERE f.status = 'confirmed' AND f.settled_month IS NULL AND f.month < :m
        AND f.provider_id >= :lo AND f.provider_id < :hi
      GROUP BY f.person_id, f.month) pend
JOIN ltc_settlement_lines l ON l.person_id = pend.person_id AND l.month = pend.month
LEFT JOIN (SELECT v.person_id, v.month, CAST(SUM(v.cost_fen) AS BIGINT) AS cost FROM ltc_visits v
           WHERE v.done AND v.provider_id >= :lo AND v.provider_id < :hi AND v.month < :m
             AND NOT EXISTS ({_CONFIRMED})
             AND EXISTS (SELECT 1 FROM ltc_findings g WHERE g.person_id = v.person_id AND g.month = v.month
                         AND g.status = 'confirmed' AND g.settled_month IS NULL)
           GROUP BY v.person_id, v.month) ok ON ok.person_id = l.person_id AND ok.month = l.month
WHERE NOT EXISTS (SELECT 1 FROM ltc_deductions x WHERE x.month = :m AND x.person_id = l.person_id
                  AND x.care_month = l.month)) q
WHERE q.amount > 0
"""

MARK_SQL = """
UPDATE ltc_findings SET settled_month = :m
WHERE status = 'confirmed' AND settled_month IS NULL AND month <= :m AND provider_id >= :lo AND provider_id < :hi
  AND EXISTS (SELECT 1 FROM ltc_settlement_lines l WHERE l.person_id = ltc_findings.person_id
              AND l.month = ltc_findings.month)
"""

CLAIMS_SQL = """
INSERT INTO ltc_claims (provider_id, month, lines, cost_fen, fund_fen, personal_fen, deduction_fen, net_fen, status,
                        run_id)
SELECT pr.id, CAST(:m AS VARCHAR(7)), COALESCE(a.n, 0), COALESCE(a.cost, 0), COALESCE(a.fund, 0), COALESCE(a.personal, 0),
       COALESCE(b.ded, 0), COALESCE(a.fund, 0) - COALESCE(b.ded, 0), 'payable', :rid
FROM ltc_providers pr
LEFT JOIN (SELECT provider_id, COUNT(*) AS n, SUM(cost_fen) AS cost, SUM(fund_fen) AS fund,
                  SUM(personal_fen) AS personal FROM ltc_settlement_lines
           WHERE month = :m AND provider_id >= :lo AND provider_id < :hi GROUP BY provider_id) a ON a.provider_id = pr.id
LEFT JOIN (SELECT provider_id, SUM(amount_fen) AS ded FROM ltc_deductions
           WHERE month = :m AND amount_fen > 0 AND provider_id >= :lo AND provider_id < :hi
           GROUP BY provider_id) b ON b.provider_id = pr.id
WHERE pr.id >= :lo AND pr.id < :hi AND (a.n IS NOT NULL OR b.ded IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM ltc_claims c WHERE c.provider_id = pr.id AND c.month = :m)
"""


def ledger(actor: str = "system") -> Ledger:
    return Ledger(params.BOOK, actor=actor)


def setup(session: Session, *, actor: str = "system") -> Ledger:
    """Open the book and its fund accounts (idempotent)."""
    lg = Ledger.open_book(session, params.BOOK, "长期护理保险基金（护理结算）", business_date=dt.date(2022, 10, 1), actor=actor)
    lg.open_accounts(session, [
        AccountSpec("fund_expense", "长护险基金护理费用支出", "expense", programme="ltc"),
        # funded by the insurance fund outside this book (collections are the intake half's)
        AccountSpec("fund_bank", "长护险基金支出户", "asset", programme="ltc", allow_negative=True),
    ], actor=actor)
    return lg


def refresh_statistics(session: Session, *tables: str) -> None:
    """On PostgreSQL, refresh the planner's statistics of the tables a run reads (``"table"`` or
    ``"table (column, …)"``): a month of visits arrives in bulk just before the run, and a plan made for
    empty tables turns joins quadratic."""
    if session.get_bind().dialect.name == "postgresql":
        for t in tables:
            session.execute(text(f"ANALYZE {t}"))


def batch_settings(session: Session) -> None:
    """On PostgreSQL, for one run transaction: no JIT (short statements), and memory enough for the month's
    aggregates to stay in memory instead of spilling to temporary files."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '256MB'"))


def _agg(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return "string_agg(DISTINCT f.rule_id, ',' ORDER BY f.rule_id)"
    return "group_concat(DISTINCT f.rule_id)"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    y, m = int(month[:4]), int(month[5:7])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def _provider_ranges(uow) -> list[int]:
    with uow() as s:
        lo, hi = s.execute(select(func.min(Provider.id), func.max(Provider.id))).one()
    return [] if hi is None else list(range(lo // WIDTH * WIDTH, hi + 1, WIDTH))


def _post(session: Session, lg: Ledger, m: str, lo: int, hi: int, ctx, actor: str) -> int:
    claims = session.execute(text(
        "SELECT c.provider_id, c.fund_fen, c.deduction_fen, pr.name, pr.district FROM ltc_claims c "
        "JOIN ltc_providers pr ON pr.id = c.provider_id WHERE c.month = :m AND c.provider_id >= :lo "
        "AND c.provider_id < :hi ORDER BY c.provider_id"), {"m": m, "lo": lo, "hi": hi}).all()
    if not claims:
        return 0
    rules = dict(session.execute(text(
        f"SELECT provider_id, {_agg(session).replace('f.rule_id', 'd.rules')} FROM ltc_deductions d "
        "WHERE month = :m AND amount_fen > 0 AND provider_id >= :lo AND provider_id < :hi GROUP BY provider_id"),
        {"m": m, "lo": lo, "hi": hi}).all())
    lg.open_accounts(session, [AccountSpec(f"payable:P{pid}", f"应付护理机构结算款（{name}）", "liability",
                                           programme="ltc", district=district, owner=f"P{pid}", allow_negative=True)
                               for pid, _, _, name, district in claims], actor=actor)
    entries = []
    for pid, fund, ded, _, _ in claims:
        if fund:
            entries.append(EntryRequest(ctx.key("P", pid), [debit("fund_expense", fund), credit(f"payable:P{pid}", fund)],
                                        f"长护险护理费用结算 {m}", data={"clause": params.BENEFIT_CLAUSE}))
        if ded:
            cited = sorted({r for r in (rules.get(pid) or "").split(",") if r})
            entries.append(EntryRequest(ctx.key("P", pid, "deduct"),
                                        [debit(f"payable:P{pid}", ded), credit("fund_expense", ded)],
                                        f"违规核减 {m}（{','.join(cited)}）",
                                        data={"clause": params.SCREEN_CLAUSE, "rules": cited}))
    lg.post_many(session, entries, run_id=ctx.run_id, actor=actor)
    return len(entries)


def settle(month: str, *, uow=None, actor: str = "system", on_chunk=None):
    """Settle ``month`` (YYYY-MM) for every provider. Returns the run (``result``: the whole run's totals)."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    first, last = month_bounds(month)
    terms = params.benefit_terms(first)
    with uow() as s:
        done = get_run(s, "ltc.settle", month)
        if done is None or not done.completed:  # a rerun of a settled month reads nothing: no statistics needed
            # only the columns the settlement filters, joins and groups on: half the time of a whole-row ANALYZE
            refresh_statistics(s, "ltc_visits (id, month, done, provider_id, person_id, plan_id)", "ltc_findings",
                               "ltc_settlement_lines (month, person_id, provider_id)", "ltc_deductions",
                               "ltc_claims")
        lg = setup(s, actor=actor)
        if lg.business_date(s) <= last:
            lg.advance_business_date(s, last + dt.timedelta(days=1), actor=actor)
    base = {"m": month, "cap_e": terms["elderly_institution"][0], "sh_e": terms["elderly_institution"][1],
            "cap_m": terms["medical_institution"][0], "sh_m": terms["medical_institution"][1],
            "cap_h": terms["home"][0], "sh_h": terms["home"][1]}

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {**base, "lo": lo, "hi": lo + WIDTH, "rid": ctx.run_id}
        batch_settings(session)
        n = session.execute(text(LINES_SQL), p).rowcount
        session.execute(text(DEDUCT_SQL.replace("{agg}", _agg(session))), p)
        session.execute(text(MARK_SQL), p)
        session.execute(text(CLAIMS_SQL), p)
        posted = _post(session, ledger(actor), month, lo, lo + WIDTH, ctx, actor)
        if on_chunk:
            on_chunk(lo)
        return {"lines": max(n, 0), "entries": posted}

    def finalize(session: Session, ctx, totals) -> dict:
        return {"month": month, "clause": params.BENEFIT_CLAUSE, **claim_totals(session, month)}

    # the chunk width is not a parameter of the run: every write is keyed per provider, so a run resumed
    # with other chunks converges to the same books
    return execute_run("ltc.settle", month, lambda: _provider_ranges(uow), process, uow=uow, chunk_size=1,
                       finalize=finalize, actor=actor)


def claim_totals(session: Session, month: str) -> dict:
    r = session.execute(text("SELECT COUNT(*), COALESCE(SUM(lines), 0), COALESCE(SUM(cost_fen), 0), "
                             "COALESCE(SUM(fund_fen), 0), COALESCE(SUM(personal_fen), 0), "
                             "COALESCE(SUM(deduction_fen), 0), COALESCE(SUM(net_fen), 0) FROM ltc_claims "
                             "WHERE month = :m"), {"m": month}).one()
    keys = ("claims", "lines", "cost", "fund", "personal", "deductions", "net")
    return {k: (int(v) if k in ("claims", "lines") else fen_to_yuan(int(v))) for k, v in zip(keys, r, strict=True)}


def pay(month: str, *, uow=None, actor: str = "system"):
    """Pay every provider's unpaid claims up to ``month`` (their positive sum); keyed by ("ltc.pay", month)."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    with uow() as s:
        done = get_run(s, "ltc.settle", month)
        if done is None or not done.completed:
            raise Conflict(f"{month} 尚未结算，不能支付", f"{month} is not settled yet: nothing to pay", field="month",
                           code="not_settled")

    def process(session: Session, chunk, ctx) -> dict:
        claims = dict(session.execute(text(
            "SELECT provider_id, SUM(net_fen) FROM ltc_claims WHERE status = 'payable' AND month <= :m "
            "GROUP BY provider_id"), {"m": month}).all())
        # corrections are read by id: one recorded while this run works waits for the next run, whole
        corrections = session.execute(text(
            "SELECT id, provider_id, amount_fen FROM ltc_corrections WHERE paid_in IS NULL")).all()
        owed = {int(pid): int(amt) for pid, amt in claims.items()}
        for _, pid, amt in corrections:
            owed[int(pid)] = owed.get(int(pid), 0) + int(amt)
        due = sorted((pid, amt) for pid, amt in owed.items() if amt > 0)
        entries = [EntryRequest(ctx.key("P", pid), [debit(f"payable:P{pid}", amt), credit("fund_bank", amt)],
                                f"支付护理机构结算款 {month}", data={"clause": params.BENEFIT_CLAUSE}) for pid, amt in due]
        if entries:
            ledger(actor).post_many(session, entries, run_id=ctx.run_id, actor=actor)
            paid_providers = [pid for pid, _ in due]
            session.execute(text(
                "UPDATE ltc_claims SET status = 'paid', paid_in = :m WHERE status = 'payable' AND month <= :m "
                "AND provider_id IN :providers").bindparams(bindparam("providers", expanding=True)),
                {"m": month, "providers": paid_providers})
            paid_set = set(paid_providers)
            settled = [cid for cid, pid, _ in corrections if int(pid) in paid_set]
            if settled:
                session.execute(text("UPDATE ltc_corrections SET paid_in = :m WHERE id IN :ids")
                                .bindparams(bindparam("ids", expanding=True)), {"m": month, "ids": settled})
        return {"providers": len(due), "paid_fen": sum(amt for _, amt in due)}

    def finalize(session: Session, ctx, totals) -> dict:
        return {"month": month, "paid": fen_to_yuan(totals.get("paid_fen", 0))}

    return execute_run("ltc.pay", month, [month], process, uow=uow, chunk_size=1, finalize=finalize, actor=actor)
