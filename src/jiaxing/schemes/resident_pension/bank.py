"""Bank payment files (代发文件), bank results (回盘), the exceptions list and reconciliation.

* **Export** ``("rp.bank_export", <export id>)``: every line ``due`` or ``failed`` (a failed payment is
  retried in the next export) is marked ``sent`` under the export id; one file per bank:
  ``ref,person_id,name,bank_account,amount_yuan`` lines and a trailer ``TRAILER,<count>,<total yuan>``.
  Files are rebuilt from the lines, so asking again gives the same files.
* **Import** ``("rp.bank_import", <import id>)``: ``ref,amount_yuan,result`` (``ok`` / ``failed``). Every
  row is checked first — an unknown reference, a duplicate row, an amount that differs, a line not
  sent — and any bad row rejects the whole file, naming the row; nothing is written. ``ok`` → paid
  (借 payable / 贷 bank); ``failed`` → the exceptions list, retried next export. A failed line for a
  month after a reported death is cancelled instead, and its recovery item closed.
* **Reconcile**: paid + failed + pending (due, sent) = payroll, per line and in the ledger.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from gazette.ledger import credit, debit, execute_run
from gazette.ledger.money import fen_to_yuan, yuan_to_fen
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension import standards as pension_standards
from jiaxing.schemes.resident_pension.models import LineStatus, RecoveryStatus
from jiaxing.schemes.resident_pension.standards import ledger


def ref(line_id: int) -> str:
    return f"RP{line_id:010d}"


def export(export_id: str, *, uow=None, actor: str = "system"):
    """Mark every due and failed line sent under ``export_id`` (once); see :func:`files`."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    _check_id(export_id, "export_id")
    with uow() as s:
        d = pension_standards.today(s)

    def process(session: Session, chunk, ctx) -> dict:
        n = session.execute(text(f"UPDATE rp_lines SET status = '{LineStatus.SENT}', export_id = :e, "
                                 f"attempts = attempts + 1 WHERE status IN ('{LineStatus.DUE}', '{LineStatus.FAILED}')"), {"e": export_id}).rowcount
        return {"lines": n}

    def finalize(session: Session, ctx, totals) -> dict:
        return {"export_id": export_id, "banks": summary(session, export_id)}

    return execute_run("rp.bank_export", export_id, [export_id], process, uow=uow, chunk_size=1, business_date=d,
                       finalize=finalize, actor=actor)


def _check_id(value: str, field: str) -> None:
    if not value or len(value) > 60 or not all(c.isalnum() or c in "-_." for c in value):
        raise InvalidInput("编号只能包含字母、数字和 - _ .（最多 60 个字符）", "ids are letters, digits, - _ . (≤ 60)",
                           field=field, code="invalid_id")


def summary(session: Session, export_id: str) -> dict:
    rows = session.execute(text("SELECT bank, COUNT(*), SUM(amount_fen) FROM rp_lines WHERE export_id = :e "
                                "GROUP BY bank ORDER BY bank"), {"e": export_id}).all()
    return {b: {"count": int(n), "total": fen_to_yuan(int(a))} for b, n, a in rows}


def files(session: Session, export_id: str) -> dict[str, str]:
    """The files of an export, one per bank: {bank: CSV text with its trailer}."""
    out: dict[str, list[str]] = defaultdict(lambda: ["ref,person_id,name,bank_account,amount_yuan"])
    tot: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = session.execute(text("""
        SELECT l.id, l.bank, l.amount_fen, p.person_id, p.name, p.bank_account FROM rp_lines l
        JOIN rp_participants p ON p.id = l.participant_id WHERE l.export_id = :e ORDER BY l.bank, l.id"""),
                           {"e": export_id})
    for lid, bank, amount, pid, name, acct in rows:
        out[bank].append(f"{ref(lid)},{pid},{name},{acct},{fen_to_yuan(amount)}")
        tot[bank][0] += 1
        tot[bank][1] += int(amount)
    return {b: "\n".join([*lines, f"TRAILER,{tot[b][0]},{fen_to_yuan(tot[b][1])}"]) + "\n" for b, lines in out.items()}


def parse_results(textdata: str) -> list[tuple[int, str, int, str]]:
    """(row number, ref, fen, result) of a result file; a malformed row is an error naming it."""
    out = []
    for no, line in enumerate(textdata.splitlines(), 1):
        line = line.strip()
        if not line or line.lower().startswith("ref,") or line.upper().startswith("TRAILER"):
            continue
        parts = [x.strip() for x in line.split(",")]
        if len(parts) != 3 or parts[2] not in ("ok", "failed") or not parts[0]:
            raise InvalidInput(f"回盘文件第 {no} 行格式错误（应为 ref,amount_yuan,ok|failed）",
                               f"result file row {no} is malformed (ref,amount_yuan,ok|failed)", field=f"row {no}",
                               code="bad_result_file")
        try:
            fen = yuan_to_fen(parts[1])
        except Exception:  # noqa: BLE001
            raise InvalidInput(f"回盘文件第 {no} 行金额错误", f"result file row {no}: bad amount", field=f"row {no}",
                               code="bad_result_file") from None
        out.append((no, parts[0], fen, parts[2]))
    if not out:
        raise InvalidInput("回盘文件没有数据行", "the result file has no rows", field="file", code="bad_result_file")
    return out


def _validate(session: Session, rows: list[tuple[int, str, int, str]]) -> list[tuple[int, int, str]]:
    seen: dict[str, int] = {}
    ids = []
    for no, r, _fen, _res in rows:
        if r in seen:
            raise InvalidInput(f"回盘文件第 {no} 行与第 {seen[r]} 行重复：{r}", f"row {no} duplicates row {seen[r]}: {r}",
                               field=f"row {no}", code="duplicate_row")
        seen[r] = no
        if not (r.startswith("RP") and r[2:].isdigit() and len(r) <= 22):
            raise InvalidInput(f"回盘文件第 {no} 行：未知的流水号 {r}", f"row {no}: unknown reference {r}",
                               field=f"row {no}", code="unknown_reference")
        ids.append(int(r[2:]))
    known = {}
    for i in range(0, len(ids), 5000):
        part = ids[i:i + 5000]
        q = text("SELECT id, amount_fen, status FROM rp_lines WHERE id IN (" + ",".join(str(x) for x in part) + ")")
        known.update({int(a): (int(b), c) for a, b, c in session.execute(q)})
    out = []
    for no, r, fen, res in rows:
        lid = int(r[2:])
        if lid not in known:
            raise InvalidInput(f"回盘文件第 {no} 行：未知的流水号 {r}", f"row {no}: unknown reference {r}",
                               field=f"row {no}", code="unknown_reference")
        amount, status = known[lid]
        if status != LineStatus.SENT:
            raise InvalidInput(f"回盘文件第 {no} 行：{r} 不在待回盘状态（{status}）", f"row {no}: {r} is not awaiting a "
                               f"result ({status})", field=f"row {no}", code="not_sent")
        if amount != fen:
            raise InvalidInput(f"回盘文件第 {no} 行：金额 {fen_to_yuan(fen)} 与代发金额 {fen_to_yuan(amount)} 不符",
                               f"row {no}: amount {fen_to_yuan(fen)} differs from {fen_to_yuan(amount)}",
                               field=f"row {no}", code="amount_mismatch")
        out.append((lid, fen, res))
    return out


def import_results(import_id: str, textdata: str, *, uow=None, actor: str = "system"):
    """Apply a bank result file once per ``import_id`` (a bad row rejects the whole file)."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    _check_id(import_id, "import_id")
    rows = parse_results(textdata)
    digest = hashlib.sha256(textdata.encode()).hexdigest()[:16]
    with uow() as s:
        d = pension_standards.today(s)
        _validate(s, rows)  # fail before the run exists: a rejected file leaves no trace

    def process(session: Session, chunk, ctx) -> dict:
        checked = _validate(session, rows)  # again, in the run's own transaction
        ok = [lid for lid, _, res in checked if res == "ok"]
        bad = [lid for lid, _, res in checked if res == "failed"]
        paid: dict[str, int] = defaultdict(int)
        back: dict[str, int] = defaultdict(int)
        cancelled: dict[str, int] = defaultdict(int)
        n_dead = 0
        for i in range(0, len(ok), 5000):
            ids = ",".join(str(x) for x in ok[i:i + 5000])
            for dist, amount in session.execute(text(f"UPDATE rp_lines SET status = '{LineStatus.PAID}' "
                                                     f"WHERE id IN ({ids}) RETURNING district, amount_fen")):
                paid[dist] += int(amount)
        for i in range(0, len(bad), 5000):
            ids = ",".join(str(x) for x in bad[i:i + 5000])
            # a month after a reported death is not retried: cancelled, its recovery reduced
            dead = session.execute(text(f"""
                SELECT l.id, l.district, l.amount_fen FROM rp_lines l JOIN rp_participants p ON p.id = l.participant_id
                WHERE l.id IN ({ids}) AND l.kind = 'pension' AND p.death_month IS NOT NULL
                  AND l.month > p.death_month""")).all()
            n_dead += len(dead)
            for lid, dist, amount in dead:
                cancelled[dist] += int(amount)
                session.execute(text(f"UPDATE rp_lines SET status = '{LineStatus.CANCELLED}' WHERE id = :i"),
                                {"i": lid})
                session.execute(text("UPDATE rp_recoveries SET amount_fen = amount_fen - :a, status = CASE WHEN "
                                     f"amount_fen = :a THEN '{RecoveryStatus.CLOSED}' ELSE status END WHERE line_id = :i"),
                                {"i": lid, "a": int(amount)})
            session.execute(text(f"UPDATE rp_lines SET status = '{LineStatus.FAILED}' WHERE id IN ({ids}) "
                                 f"AND status = '{LineStatus.SENT}'"))
        lines = []
        for dist in sorted(paid):
            lines += [debit(f"payable:{dist}", paid[dist]), credit(f"bank:{dist}", paid[dist])]
        if lines:
            ledger(actor).post(session, lines, key=ctx.key("paid"), description=f"银行代发成功 {import_id}",
                               business_date=d, run_id=ctx.run_id, data={"clause": domain.clause("二")}, actor=actor)
        for dist in sorted(cancelled):
            back[dist] = cancelled[dist]
        lines = []
        for dist in sorted(back):
            lines += [debit(f"payable:{dist}", back[dist]), credit(f"recoverable:{dist}", back[dist])]
        if lines:
            ledger(actor).post(session, lines, key=ctx.key("dead-failed"), description=f"死亡后代发失败，撤销 {import_id}",
                               business_date=d, run_id=ctx.run_id, data={"clause": domain.clause("二")}, actor=actor)
        return {"ok": len(ok), "failed": len(bad) - n_dead, "cancelled_after_death": n_dead,
                "paid_fen": sum(paid.values())}

    return execute_run("rp.bank_import", import_id, [import_id], process, uow=uow, chunk_size=1, business_date=d,
                       params={"rows": len(rows), "digest": digest}, actor=actor)


def exceptions(session: Session, limit: int = 1000) -> list[dict]:
    """The exceptions list: failed payments awaiting the next export."""
    rows = session.execute(text(f"""
        SELECT l.id, p.person_id, p.name, l.district, l.kind, l.month, l.amount_fen, l.bank, l.attempts, l.export_id
        FROM rp_lines l JOIN rp_participants p ON p.id = l.participant_id WHERE l.status = '{LineStatus.FAILED}'
        ORDER BY l.id LIMIT :n"""), {"n": limit}).all()
    return [{"ref": ref(r[0]), "person_id": r[1], "name": r[2], "district": r[3], "kind": r[4],
             "month": domain.month_label(r[5]), "amount": fen_to_yuan(r[6]), "bank": r[7], "attempts": r[8],
             "last_export": r[9]} for r in rows]


def reconcile(session: Session) -> dict:
    """paid + failed + pending = payroll (lines), and the ledger agrees with the lines."""
    by = dict(session.execute(text("SELECT status, COALESCE(SUM(amount_fen), 0) FROM rp_lines GROUP BY status")).all())
    by = {k: int(v) for k, v in by.items()}
    total = sum(v for k, v in by.items() if k != LineStatus.CANCELLED)
    paid, failed = by.get(LineStatus.PAID, 0), by.get(LineStatus.FAILED, 0)
    pending = by.get(LineStatus.DUE, 0) + by.get(LineStatus.SENT, 0)
    rec = int(session.execute(text(f"SELECT COALESCE(SUM(amount_fen), 0) FROM rp_recoveries "
                                   f"WHERE status = '{RecoveryStatus.OPEN}'"))
              .scalar())
    bal = {}
    for kind in ("expense", "payable", "bank", "recoverable"):
        bal[kind] = int(session.execute(text(
            "SELECT COALESCE(SUM(b.balance), 0) FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id "
            "WHERE a.book_code = :b AND a.code LIKE :c"), {"b": domain.BOOK, "c": f"{kind}:%"}).scalar())
    checks = {
        "lines_add_up": paid + failed + pending == total,
        "payable_is_unpaid": bal["payable"] == failed + pending,
        "bank_is_paid": -bal["bank"] == paid,
        "recoverable_is_open": bal["recoverable"] == rec,
        "expense_is_net": bal["expense"] == total - rec,
    }
    return {"payroll": fen_to_yuan(total), "paid": fen_to_yuan(paid), "failed": fen_to_yuan(failed),
            "pending": fen_to_yuan(pending), "cancelled": fen_to_yuan(by.get(LineStatus.CANCELLED, 0)),
            "recovery_open": fen_to_yuan(rec), "ledger": {k: fen_to_yuan(v) for k, v in bal.items()},
            "checks": checks, "ok": all(checks.values())}
