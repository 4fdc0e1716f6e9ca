"""CLI: ``gazette vouchers …`` (citizen flow, pools, reconciliation) and
``gazette vouchers applications …`` (enterprise flow). Output is JSON; an error prints one line
and exits 1 (the top-level CLI turns GazetteError into that)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gazette.errors import InvalidInput

# Every command prints JSON; gazette's CLI loader also accepts --json on each (gazette.cli_lazy).
JSON_OUTPUT = True


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def _json_arg(value: str, field: str) -> Any:
    """Inline JSON, or @path to a JSON file."""
    from gazette.rules.engine import load_json

    if value.startswith("@"):
        path = Path(value[1:])
        if not path.exists():
            raise InvalidInput(f"文件不存在：{path}", f"file not found: {path}", field=field)
        value = path.read_text(encoding="utf-8")
    data = load_json(value, field=field)
    return _plain(data)


def _plain(v: Any) -> Any:
    from decimal import Decimal

    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    from jiaxing.schemes.vouchers.service import parse_date

    return parse_date(value, field)


def _run_json(run) -> dict[str, Any]:
    return {"run_id": run.id, "period": run.period, "status": run.status, "result": run.result,
            "already_completed": run.already_completed}


Key = Annotated[str, typer.Option("--key", help="idempotency key: a repeat returns the first result")]


def register(app: typer.Typer) -> None:
    v = typer.Typer(help="消费券（嘉政办发〔2022〕46号、47号）: pools, claims, redemption, reconciliation.",
                    no_args_is_help=True)
    a = typer.Typer(help="企业奖补（46号、47号、10号）: applications, review, 免申即享, payment.", no_args_is_help=True)
    v.add_typer(a, name="applications")
    app.add_typer(v, name="vouchers")

    from jiaxing.schemes.vouchers import enterprise as ent
    from jiaxing.schemes.vouchers import service
    from jiaxing.schemes.vouchers.reconcile import report

    @v.command("setup")
    def setup(
        budgets: Annotated[str | None, typer.Option(help="JSON (or @file) {programme: {district: yuan}} for drills")] = None,
    ) -> None:
        """Create both programmes and fund every district pool (the gazette's minima by default)."""
        from gazette.ledger.money import yuan_to_fen

        b = None
        if budgets:
            raw = _json_arg(budgets, "budgets")
            if not isinstance(raw, dict) or not all(isinstance(x, dict) for x in raw.values()):
                raise InvalidInput("budgets 应为 {项目: {县市区: 元}}", "budgets must be {programme: {district: yuan}}",
                                   field="budgets")
            b = {p: {d: yuan_to_fen(str(y)) for d, y in ds.items()} for p, ds in raw.items()}
        with _uow() as s:
            _emit(service.setup(s, budgets=b))

    @v.command("date")
    def business_date(on: Annotated[str, typer.Argument(help="YYYY-MM-DD")]) -> None:
        """Advance the business date (营业日) of the vouchers book."""
        with _uow() as s:
            _emit({"business_date": service.set_business_date(s, _date(on, "date"), actor="operator").isoformat()})

    @v.command("fund")
    def fund(programme: Annotated[str, typer.Option()], district: Annotated[str, typer.Option()],
             amount: Annotated[str, typer.Option(help="yuan, e.g. 1000000.00")], key: Key) -> None:
        """Top up a district pool (追加资金)."""
        from gazette.validate import yuan

        with _uow() as s:
            _emit(service.fund(s, programme=programme, district=district,
                               amount_fen=yuan(amount, "amount", allow_zero=False), key=key,
                               actor="operator"))

    @v.command("claim")
    def claim(programme: Annotated[str, typer.Option(help="nev or appliances")],
              district: Annotated[str, typer.Option()], person: Annotated[str, typer.Option(help="person id")],
              key: Key) -> None:
        """Claim a voucher (领券)."""
        with _uow() as s:
            _emit(service.claim(s, programme=programme, district=district, person_id=person, key=key))

    @v.command("redeem")
    def redeem(voucher_id: int, price: Annotated[str, typer.Option(help="price in yuan")],
               date: Annotated[str, typer.Option(help="purchase date YYYY-MM-DD")], key: Key,
               new_energy: Annotated[bool | None, typer.Option("--new-energy/--not-new-energy")] = None,
               category: Annotated[str | None, typer.Option(help="appliance category")] = None,
               energy_label: Annotated[int | None, typer.Option(help="China energy label 1–5")] = None,
               invoice: Annotated[str | None, typer.Option()] = None) -> None:
        """Redeem a voucher against a purchase (核销): the engine decides the face value."""
        purchase: dict[str, Any] = {"price_yuan": price, "date": date}
        for k, val in (("new_energy", new_energy), ("category", category), ("energy_label", energy_label),
                       ("invoice", invoice)):
            if val is not None:
                purchase[k] = val
        with _uow() as s:
            _emit(service.redeem(s, voucher_id=voucher_id, purchase=purchase, key=key))

    @v.command("cancel")
    def cancel(voucher_id: int, key: Key, reason: Annotated[str | None, typer.Option()] = None) -> None:
        """Cancel an unused voucher (退券)."""
        with _uow() as s:
            _emit(service.cancel(s, voucher_id=voucher_id, key=key, reason=reason))

    @v.command("refund")
    def refund(voucher_id: int, key: Key, reason: Annotated[str | None, typer.Option()] = None) -> None:
        """A redeemed purchase was returned (退货): the face value returns to the pool."""
        with _uow() as s:
            _emit(service.refund(s, voucher_id=voucher_id, key=key, reason=reason))

    @v.command("expire")
    def expire(on: Annotated[str | None, typer.Option(help="default: the business date")] = None) -> None:
        """Expiry run: unused vouchers whose window ended return to their pools (keyed by date)."""
        _emit(_run_json(service.expire(on=_date(on, "on"))))

    @v.command("show")
    def show(voucher_id: int) -> None:
        with _uow() as s:
            _emit(service.get_voucher(s, voucher_id))

    @v.command("list")
    def list_(person: Annotated[str | None, typer.Option()] = None,
              programme: Annotated[str | None, typer.Option()] = None,
              status: Annotated[str | None, typer.Option()] = None,
              limit: Annotated[int, typer.Option()] = 100) -> None:
        with _uow() as s:
            _emit(service.list_vouchers(s, person_id=person, programme=programme, status=status, limit=limit))

    @v.command("pools")
    def pools(programme: Annotated[str | None, typer.Option()] = None) -> None:
        """Every district pool: budget, remaining, issued, redeemed."""
        with _uow() as s:
            _emit(service.pools(s, programme))

    @v.command("reconcile")
    def reconcile(programme: Annotated[str | None, typer.Option()] = None) -> None:
        """Reconciliation report; exits 1 when an anomaly is found."""
        with _uow() as s:
            rep = report(s, programme)
        _emit(rep)
        if not rep["ok"]:
            raise typer.Exit(1)

    # ------------------------------------------------------------------ enterprises

    @a.command("clauses")
    def clauses() -> None:
        """Enterprise clauses one can apply for."""
        _emit([{"clause": rid, "title_zh": r.title_zh, "entity": r.entity, "award_group": ent.award_group(r)}
               for rid, r in sorted(ent.clauses().items())])

    @a.command("load")
    def load(records: Annotated[str, typer.Argument(help="JSON or @file: [{id, name, district, facts}]")]) -> None:
        """Load enterprise data (for 免申即享)."""
        with _uow() as s:
            _emit(ent.load_enterprises(s, _json_arg(records, "enterprises"), actor="operator"))

    @a.command("submit")
    def submit(enterprise: Annotated[str, typer.Option(help="enterprise id")],
               clause: Annotated[str, typer.Option(help="e.g. 嘉政办发〔2022〕47号#二")],
               facts: Annotated[str, typer.Option(help="JSON or @file with the enterprise's facts")], key: Key,
               subject: Annotated[str | None, typer.Option(help="JSON: the loan / certification facts")] = None,
               evidence: Annotated[list[str] | None, typer.Option(help="evidence document (repeatable)")] = None,
               on: Annotated[str | None, typer.Option(help="evaluation date; default the business date")] = None) -> None:
        """Apply for one clause; the engine computes the amount with its citation."""
        with _uow() as s:
            _emit(ent.submit(s, enterprise_id=enterprise, clause=clause, facts=_json_arg(facts, "facts"),
                             subject=_json_arg(subject, "subject") if subject else None, evidence=evidence or [],
                             on=_date(on, "on"), key=key))

    @a.command("review")
    def review(application_id: int) -> None:
        """submitted → under_review."""
        with _uow() as s:
            _emit(ent.start_review(s, application_id=application_id))

    @a.command("approve")
    def approve(application_id: int, key: Key) -> None:
        """under_review → approved (the amount becomes payable)."""
        with _uow() as s:
            _emit(ent.approve(s, application_id=application_id, key=key))

    @a.command("reject")
    def reject(application_id: int, reason: Annotated[str, typer.Option()]) -> None:
        with _uow() as s:
            _emit(ent.reject(s, application_id=application_id, reason=reason))

    @a.command("confirm")
    def confirm(application_id: int, key: Key) -> None:
        """免申即享: the enterprise confirms the offer."""
        with _uow() as s:
            _emit(ent.confirm(s, application_id=application_id, key=key))

    @a.command("decline")
    def decline(application_id: int) -> None:
        with _uow() as s:
            _emit(ent.decline(s, application_id=application_id))

    @a.command("pay")
    def pay(application_id: int, key: Key) -> None:
        """Pay one approved application (拨付)."""
        with _uow() as s:
            _emit(ent.pay(s, application_id=application_id, key=key))

    @a.command("pay-run")
    def pay_run(period: Annotated[str | None, typer.Option(help="default: the business date")] = None) -> None:
        """Pay every approved application (run keyed by period)."""
        _emit(_run_json(ent.payment_run(period=period)))

    @a.command("no-apply")
    def no_apply(on: Annotated[str | None, typer.Option(help="default: the business date")] = None) -> None:
        """免申即享: offer every eligible enterprise its reward (run keyed by date)."""
        _emit(_run_json(ent.no_apply_run(on=on)))

    @a.command("show")
    def show_app(application_id: int) -> None:
        with _uow() as s:
            _emit(ent.get_application(s, application_id))

    @a.command("list")
    def list_apps(enterprise: Annotated[str | None, typer.Option()] = None,
                  status: Annotated[str | None, typer.Option()] = None) -> None:
        with _uow() as s:
            _emit(ent.list_applications(s, enterprise_id=enterprise, status=status))
