"""``gazette fund …`` — the provident fund from the command line (one transaction per command).

Money is given and shown in yuan; errors print one line and exit non-zero (gazette.cli.main).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

# Every command prints JSON; gazette's CLI loader also accepts --json on each (gazette.cli_lazy).
JSON_OUTPUT = True


fund_app = typer.Typer(help="灵活就业人员住房公积金（嘉公积金〔2022〕9号）。Flexible-worker housing provident fund.",
                       no_args_is_help=True)
ref_app = typer.Typer(help="参考数据（最低月工资、上年平均工资、存款利率）。Dated reference data.", no_args_is_help=True)
fund_app.add_typer(ref_app, name="reference")


def register(app: typer.Typer) -> None:
    app.add_typer(fund_app, name="fund")


def _date(value: str, field: str) -> dt.date:
    from gazette.errors import InvalidInput

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value}", f"a date must be YYYY-MM-DD: {value}", field=field) from None


def _fen(value: str, field: str) -> int:
    from gazette.errors import InvalidInput
    from gazette.ledger.money import yuan_to_fen

    try:
        return yuan_to_fen(value)
    except Exception:
        raise InvalidInput(f"金额格式错误：{value}", f"malformed amount (yuan): {value}", field=field) from None


def _out(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def _progress(label: str):
    from rich.console import Console

    console = Console(stderr=True)

    def report(totals: dict) -> None:
        console.print(f"[dim]{label}: {totals.get('units', 0)} chunk(s) done[/dim]")

    return report


@fund_app.command("init")
def init(date: Annotated[str, typer.Option("--date", help="first business date YYYY-MM-DD")] = "2022-05-01") -> None:
    """开设公积金账本、控制科目并载入示例参考数据。Open the book and load demo reference data."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.setup(s, _date(date, "date")))


@fund_app.command("advance")
def advance(date: Annotated[str, typer.Argument(help="new business date YYYY-MM-DD")]) -> None:
    """推进营业日（只能向前）。Move the business date forward."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out({"business_date": service.advance(s, _date(date, "date")).isoformat()})


@ref_app.command("list")
def reference_list() -> None:
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.list_reference(s))


@ref_app.command("set")
def reference_set(
    kind: Annotated[str, typer.Argument(help="min_wage | avg_wage (yuan) | deposit_rate (percent, e.g. 1.5)")],
    start: Annotated[str, typer.Argument(help="in force from YYYY-MM-DD")],
    value: Annotated[str, typer.Argument(help="yuan, or percent for deposit_rate")],
    source: Annotated[str, typer.Option("--source", help="where the value comes from (required)")],
    demo: Annotated[bool, typer.Option("--demo", help="label the value as demo")] = False,
) -> None:
    """载入一条带日期和来源的参考数据。Load one dated, sourced reference value."""
    from decimal import Decimal, InvalidOperation

    from gazette.errors import InvalidInput
    from jiaxing.schemes.provident_fund import service

    if kind == "deposit_rate":
        try:
            ppm = Decimal(value) * 10_000
        except InvalidOperation:
            raise InvalidInput("利率格式错误", "malformed rate", field="value") from None
        if ppm != ppm.to_integral_value():
            raise InvalidInput("利率最多四位小数（百分数）", "at most four decimals of a percent", field="value")
        v = int(ppm)
    else:
        v = _fen(value, "value")
    with _uow() as s:
        _out(service.set_reference(s, kind, _date(start, "start"), v, source, demo=demo))


@fund_app.command("open")
def open_(
    person_id: Annotated[str, typer.Argument(help="证件号码 / person id")],
    name: Annotated[str, typer.Option("--name")],
    sex: Annotated[str, typer.Option("--sex", help="male | female")],
    birth: Annotated[str, typer.Option("--birth", help="birth date YYYY-MM-DD")],
    base: Annotated[str, typer.Option("--base", help="缴存基数 (yuan)")],
    rate: Annotated[str, typer.Option("--rate", help="缴存比例, e.g. 12 or 12%")],
    no_pension: Annotated[bool, typer.Option("--no-pension", help="not insured as a flexible worker")] = False,
    transfer_amount: Annotated[str | None, typer.Option("--transfer-amount", help="转入余额 (yuan)")] = None,
    transfer_months: Annotated[int, typer.Option("--transfer-months", help="转入账户连续缴存月数")] = 0,
    transfer_through: Annotated[str | None, typer.Option("--transfer-through", help="转入账户末次缴存月份 YYYY-MM")] = None,
    key: Annotated[str | None, typer.Option("--key", help="idempotency key")] = None,
) -> None:
    """设立个人账户（第八至十二条）。Open a worker's account."""
    from jiaxing.schemes.provident_fund import service
    from jiaxing.schemes.provident_fund.domain import Applicant, parse_month

    ti = None
    if transfer_amount is not None or transfer_through is not None:
        ti = service.TransferIn(_fen(transfer_amount or "0", "transfer_amount"), transfer_months,
                          parse_month(transfer_through or "", "transfer_through"))
    a = Applicant(person_id, name, sex, _date(birth, "birth"), flexible_pension=not no_pension)
    with _uow() as s:
        _out(service.open_account(s, a, _fen(base, "base"), rate, transfer_in=ti, key=key))


@fund_app.command("prepay")
def prepay(
    person_id: str,
    through: Annotated[str, typer.Option("--through", help="last prepaid month YYYY-MM (≤ June of this settlement year)")],
    from_month: Annotated[str | None, typer.Option("--from", help="first month (must be the next due month)")] = None,
    key: Annotated[str | None, typer.Option("--key")] = None,
) -> None:
    """预缴（第十三条）。Prepay whole months."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.prepay(s, person_id, through, from_month=from_month, key=key))


@fund_app.command("pay")
def pay(person_id: str, month: Annotated[str, typer.Argument(help="YYYY-MM")]) -> None:
    """缴一个月（不得补缴，第十三条）。Pay one month — never a past one."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.pay_month(s, person_id, month))


@fund_app.command("stop")
def stop(person_id: str, key: Annotated[str | None, typer.Option("--key")] = None) -> None:
    """停缴封存并退回预缴（第十六条）。Stop contributing (seal); prepaid money is refunded."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.stop(s, person_id, key=key))


@fund_app.command("unseal")
def unseal(person_id: str) -> None:
    """启封（第十六、十七条）。Resume contributing."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.unseal(s, person_id))


@fund_app.command("transfer-out")
def transfer_out(person_id: str, key: Annotated[str | None, typer.Option("--key")] = None) -> None:
    """转为单位缴存：结息、转出（第十八条）。Move the account to an employer's fund."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.transfer_out(s, person_id, key=key))


@fund_app.command("loan")
def loan(person_id: str, outstanding: Annotated[bool, typer.Option("--outstanding/--repaid")] = True) -> None:
    """记录公积金贷款是否未还清（第十六条）。Record whether a fund loan is outstanding."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.set_loan(s, person_id, outstanding))


@fund_app.command("adjust")
def adjust(person_id: str, base: Annotated[str, typer.Option("--base")], rate: Annotated[str, typer.Option("--rate")]
           ) -> None:
    """年度调整缴存基数、比例一次（第十五条）。Adjust base and rate (once a year)."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.adjust(s, person_id, _fen(base, "base"), rate))


@fund_app.command("show")
def show(person_id: str) -> None:
    """余额、预缴、下次扣款、计入贷款的连续缴存月数。The worker's view."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.view(s, person_id))


@fund_app.command("statement")
def statement(person_id: str, start: Annotated[str | None, typer.Option("--from")] = None,
              end: Annotated[str | None, typer.Option("--to")] = None) -> None:
    """个人账户明细。The account statement."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.statement(s, person_id, _date(start, "from") if start else None, _date(end, "to") if end else None))


@fund_app.command("collect")
def collect(month: Annotated[str, typer.Argument(help="contribution month YYYY-MM")],
            width: Annotated[int, typer.Option("--width", help="accounts per transaction")] = 20_000) -> None:
    """月度托收批处理（第十三条），按 (pf.collection, 月份) 幂等。Monthly collection run."""
    from jiaxing.schemes.provident_fund import service

    _out(service.run_summary(service.monthly_collection(month, width=width, on_progress=_progress("collection"))))


@fund_app.command("import-bank")
def import_bank(file: Annotated[Path, typer.Argument(help="CSV: ref,amount_yuan,ok|failed")],
                import_id: Annotated[str | None, typer.Option("--id", help="import id (default: file name)")] = None
                ) -> None:
    """导入银行回盘；重复、缺失、未知进异常清单。Import a bank debit result file."""
    from gazette.errors import InvalidInput
    from jiaxing.schemes.provident_fund import service

    if not file.is_file():
        raise InvalidInput(f"文件不存在：{file}", f"no such file: {file}", field="file")
    lines = service.parse_bank_file(file.read_text(encoding="utf-8"))
    _out(service.run_summary(service.import_bank_results(import_id or file.name, lines)))


@fund_app.command("arrears")
def arrears(month: Annotated[str, typer.Argument(help="YYYY-MM")],
            width: Annotated[int, typer.Option("--width")] = 20_000,
            recall_days: Annotated[int | None, typer.Option(
                "--recall-days", help="第二十三条 loan recall deadline in days (default 30)")] = None) -> None:
    """欠缴催收、封存及退休封存批处理（第十六、十七、二十三条）。Arrears and retirement sealing run."""
    from jiaxing.schemes.provident_fund import service

    _out(service.run_summary(service.arrears_run(month, width=width, on_progress=_progress("arrears"), recall_days=recall_days)))


@fund_app.command("restrict")
def restrict(person_id: str, until: Annotated[str, typer.Option("--until", help="last restricted day YYYY-MM-DD")],
             reason: Annotated[str, typer.Option("--reason", help="e.g. 提供伪造的购房合同")]) -> None:
    """限制一定期限内办理提取、贷款业务（第二十二条）。Restrict withdrawal and loan applications."""
    from jiaxing.schemes.provident_fund import sanctions

    with _uow() as s:
        _out(sanctions.restrict(s, person_id, _date(until, "until"), reason))


@fund_app.command("recall")
def recall(person_id: str, recovered: Annotated[bool, typer.Option(
        "--recovered/--not-recovered", help="the loan recall's outcome")]) -> None:
    """贷款限期追回的结果；未能追回则上调贷款利率（第二十三条）。Record a loan recall's outcome."""
    from jiaxing.schemes.provident_fund import sanctions

    with _uow() as s:
        _out(sanctions.resolve_recall(s, person_id, recovered))


@fund_app.command("sanctions")
def sanctions_(person_id: str) -> None:
    """限制、贷款追回、上调利率记录（第二十二、二十三条）。An account's sanctions."""
    from jiaxing.schemes.provident_fund import sanctions

    with _uow() as s:
        _out(sanctions.list_for(s, person_id))


@fund_app.command("interest")
def interest(year: Annotated[int, typer.Argument(help="settlement year (ends 30 June)")],
             width: Annotated[int, typer.Option("--width")] = 20_000) -> None:
    """6 月 30 日年度结息（第十四条）。Annual interest run on 30 June."""
    from jiaxing.schemes.provident_fund import service

    _out(service.run_summary(service.interest_run(year, width=width, on_progress=_progress("interest"))))


@fund_app.command("base-floor")
def base_floor(year: Annotated[int, typer.Argument(help="settlement year")]) -> None:
    """基数低于最低月工资的统一调整（第十五条）。Raise bases below the minimum wage."""
    from jiaxing.schemes.provident_fund import service

    _out(service.run_summary(service.base_floor_run(year)))


@fund_app.command("exceptions")
def exceptions(kind: Annotated[str | None, typer.Option("--kind")] = None,
               limit: Annotated[int, typer.Option("--limit")] = 100) -> None:
    """异常清单（重复、缺失、未知、金额不符）。The exceptions list."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        _out(service.exceptions(s, kind, limit))


@fund_app.command("reconcile")
def reconcile() -> None:
    """明细账与总账核对。Sub-ledger vs ledger control accounts."""
    from jiaxing.schemes.provident_fund import service

    with _uow() as s:
        r = service.reconcile(s)
    _out(r)
    if not r["ok"]:
        raise typer.Exit(1)
