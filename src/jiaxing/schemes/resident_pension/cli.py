"""``gazette pension …`` — the resident basic pension from the command line (嘉人社〔2022〕60号).

Money in yuan; every data command takes ``--json``; errors print one line and exit non-zero.
Money commands take ``--key`` (an idempotency key; a repeat returns the first result); runs are
keyed by (run, period) and can be rerun safely.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="城乡居民基本养老保险（嘉人社〔2022〕60号）。Resident basic pension: payroll, top-up, adjustment.",
                  no_args_is_help=True)
adjust_app = typer.Typer(help="基础养老金挂钩调整（一）。The yearly linked adjustment.", no_args_is_help=True)
app.add_typer(adjust_app, name="adjust")

Json = Annotated[bool, typer.Option("--json", help="print JSON")]
Actor = Annotated[str, typer.Option("--actor", help="who acts (recorded in the audit log)")]
Key = Annotated[str, typer.Option("--key", help="idempotency key: a repeat returns the first result")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="pension")


def _out(data, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    for k, v in data.items():
        if isinstance(v, (dict, list)):
            v = json.dumps(v, ensure_ascii=False, default=str)
        typer.echo(f"{k}: {v}")


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def _progress(label: str):
    from rich.console import Console

    console = Console(stderr=True)
    return lambda totals: console.print(f"[dim]{label}: {totals.get('units', 0)} chunk(s), "
                                        f"{totals.get('lines', 0)} line(s)[/dim]")


@app.command("init")
def init(date: Annotated[str, typer.Option("--date", help="first business date")] = "2021-01-01",
         as_json: Json = False) -> None:
    """开设账本、科目和基础养老金标准（参数）。Open the book and the standards of the parameters."""
    from gazette import validate
    from jiaxing.schemes.resident_pension import standards as pension_standards

    with _uow() as s:
        _out(pension_standards.setup(s, validate.date(date, "date")), as_json)


@app.command("advance")
def advance(date: Annotated[str, typer.Argument(help="new business date YYYY-MM-DD")], as_json: Json = False) -> None:
    """推进营业日（只能向前）。Move the business date forward."""
    from gazette import validate
    from jiaxing.schemes.resident_pension import standards as pension_standards

    with _uow() as s:
        _out({"business_date": pension_standards.advance(s, validate.date(date, "date")).isoformat()},
             as_json)


@app.command("import")
def import_roster(file: Annotated[Path, typer.Argument(help="roster .csv or .xlsx")], key: Key = "",
                  actor: Actor = "operator", as_json: Json = False) -> None:
    """导入参保花名册（逐行校验，有错则整份不导入）。Import a roster (row-level validation, all or nothing)."""
    import hashlib

    from jiaxing.schemes.resident_pension import service

    data = file.read_bytes()
    _out(service.import_roster(data, file.name, key=key or "roster-" + hashlib.sha256(data).hexdigest()[:24], actor=actor),
         as_json)


@app.command("contribute")
def contribute(person: Annotated[str, typer.Argument(help="身份证号码")],
               year: Annotated[int, typer.Option("--year")], amount: Annotated[str, typer.Option("--amount")],
               paid_on: Annotated[str, typer.Option("--paid-on", help="YYYY-MM-DD")], key: Key,
               actor: Actor = "operator", as_json: Json = False) -> None:
    """登记年度缴费（三：5000 元档 2022-09-01 起补贴 900 元，补缴年度无补贴）。Record a year's contribution."""
    from jiaxing.schemes.resident_pension import service

    _out(service.contribute(person, year, amount, paid_on, key=key, actor=actor), as_json)


def _status(fn_name: str, person: str, key: str, actor: str, as_json: bool, **kw) -> None:
    from jiaxing.schemes.resident_pension import service

    _out(getattr(service, fn_name)(person, key=key, actor=actor, **kw), as_json)


@app.command("start")
def start(person: str, from_month: Annotated[str, typer.Option("--from", help="first month YYYY-MM")], key: Key,
          actor: Actor = "operator", as_json: Json = False) -> None:
    """开始领取待遇。Start receiving the pension."""
    _status("start", person, key, actor, as_json, from_month=from_month)


@app.command("suspend")
def suspend(person: str, key: Key, actor: Actor = "operator", as_json: Json = False) -> None:
    """暂停发放。Suspend payment."""
    _status("suspend", person, key, actor, as_json)


@app.command("restart")
def restart(person: str, key: Key, actor: Actor = "operator", as_json: Json = False) -> None:
    """恢复发放（暂停月份不补发）。Restart payment."""
    _status("restart", person, key, actor, as_json)


@app.command("death")
def death(person: str, date: Annotated[str, typer.Option("--date", help="date of death")], key: Key,
          actor: Actor = "operator", as_json: Json = False) -> None:
    """登记死亡：次月停发；已多发的月份生成追回项。Record a death (later months become recovery items)."""
    _status("death", person, key, actor, as_json, death_date=date)


@app.command("payroll")
def payroll(month: Annotated[str, typer.Argument(help="YYYY-MM")], width: int = 20_000, actor: Actor = "system",
            as_json: Json = False) -> None:
    """按月发放基础养老金（二），每月一次。Run a month's payroll (once per month)."""
    from gazette import validate
    from jiaxing.schemes.resident_pension import payroll as payroll_runs

    run = payroll_runs.payroll(validate.month(month), width=width, actor=actor,
                               on_progress=None if as_json else _progress("payroll"))
    _out(payroll_runs.summary(run), as_json)


@app.command("topup")
def topup(width: int = 20_000, actor: Actor = "system", as_json: Json = False) -> None:
    """补发：已按旧标准发放的月份补足到最新公布的标准；重复运行补发 0。Back-dated top-up."""
    from jiaxing.schemes.resident_pension import payroll as payroll_runs

    run = payroll_runs.topup(width=width, actor=actor, on_progress=None if as_json else _progress("topup"))
    _out(payroll_runs.summary(run), as_json)


@app.command("bank-export")
def bank_export(export_id: Annotated[str, typer.Argument(help="export id, e.g. 2022-09")],
                out: Annotated[Path, typer.Option("--out", help="folder for the files")] = Path("."),
                actor: Actor = "system", as_json: Json = False) -> None:
    """生成代发文件（每家银行一个，含汇总行；失败项重发）。Bank payment files, one per bank."""
    from jiaxing.schemes.resident_pension import bank as bank_files

    run = bank_files.export(export_id, actor=actor)
    with _uow() as s:
        files = bank_files.files(s, export_id)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for bank, content in sorted(files.items()):
        path = out / f"pension-{export_id}-{bank}.csv"
        path.write_text(content, encoding="utf-8")
        written.append(str(path))
    _out({**(run.result or {}), "files": written, "already_completed": run.already_completed}, as_json)


@app.command("bank-import")
def bank_import(file: Annotated[Path, typer.Argument(help="result file: ref,amount_yuan,ok|failed")],
                import_id: Annotated[str, typer.Option("--id", help="import id (default: the file name)")] = "",
                actor: Actor = "system", as_json: Json = False) -> None:
    """导入银行回盘（有未知或重复行则整份拒绝）。Import a bank result file."""
    from jiaxing.schemes.resident_pension import bank as bank_files

    run = bank_files.import_results(import_id or file.stem, file.read_text(encoding="utf-8"), actor=actor)
    _out({**(run.result or {}), "already_completed": run.already_completed}, as_json)


@app.command("exceptions")
def exceptions(as_json: Json = False) -> None:
    """发放失败清单（下次代发重发）。Failed payments awaiting the next export."""
    from jiaxing.schemes.resident_pension import bank as bank_files

    with _uow() as s:
        _out({"exceptions": bank_files.exceptions(s)}, as_json)


@app.command("reconcile")
def reconcile(as_json: Json = False) -> None:
    """对账：已发 + 失败 + 在途 = 应发；账簿一致。Reconcile; exit 1 if the books disagree."""
    from jiaxing.schemes.resident_pension import bank as bank_files

    with _uow() as s:
        res = bank_files.reconcile(s)
    _out(res, as_json)
    if not res["ok"]:
        raise typer.Exit(1)


@app.command("statement")
def statement(person: str, as_json: Json = False) -> None:
    """待遇对账单：逐月金额、补发、缴费补贴账户、下次发放。A pensioner's statement."""
    from gazette import validate
    from jiaxing.schemes.resident_pension import views

    with _uow() as s:
        _out(views.statement(s, validate.person_id(person)), as_json)


@app.command("dashboard")
def dashboard(district: Annotated[str, typer.Option("--district")] = "", as_json: Json = False) -> None:
    """按区、按月的发放情况。Payroll by district and month."""
    from jiaxing.schemes.resident_pension import views

    with _uow() as s:
        _out(views.dashboard(s, district or None), as_json)


@adjust_app.command("propose")
def propose(year: Annotated[int, typer.Option("--year", help="the year whose standard is set")],
            income: Annotated[str, typer.Option("--income", help="last year's rural per-capita income (yuan)")],
            growth: Annotated[str, typer.Option("--growth", help="its growth, e.g. 9.5%")], key: Key,
            actor: Actor = "pension-officer", as_json: Json = False) -> None:
    """测算：上年标准 ×（1+增长比例），上调至整 10 元。Propose next year's standard."""
    from jiaxing.schemes.resident_pension import service

    _out(service.propose(year, income, growth, key=key, actor=actor), as_json)


@adjust_app.command("edit")
def edit(year: Annotated[int, typer.Option("--year")], amount: Annotated[str, typer.Option("--amount")], key: Key,
         note: Annotated[str, typer.Option("--note")] = "", actor: Actor = "pension-officer",
         as_json: Json = False) -> None:
    """修改调整金额（草稿）。Edit the amount of a draft."""
    from jiaxing.schemes.resident_pension import service

    _out(service.edit(year, amount, key=key, actor=actor, note=note), as_json)


@adjust_app.command("submit")
def submit(year: Annotated[int, typer.Option("--year")], key: Key, actor: Actor = "pension-officer",
           as_json: Json = False) -> None:
    """报送市政府。Submit for approval."""
    from jiaxing.schemes.resident_pension import service

    _out(service.submit(year, key=key, actor=actor), as_json)


@adjust_app.command("approve")
def approve(year: Annotated[int, typer.Option("--year")], key: Key, actor: Actor = "approver",
            as_json: Json = False) -> None:
    """批准（市政府同意）：成为发放使用的标准。Approve: it becomes the dated standard."""
    from jiaxing.schemes.resident_pension import service

    _out(service.approve(year, key=key, actor=actor), as_json)


@adjust_app.command("reject")
def reject(year: Annotated[int, typer.Option("--year")], reason: Annotated[str, typer.Option("--reason")], key: Key,
           actor: Actor = "approver", as_json: Json = False) -> None:
    """退回。Reject back to the officer."""
    from jiaxing.schemes.resident_pension import service

    _out(service.reject(year, reason, key=key, actor=actor), as_json)


@adjust_app.command("list")
def list_adjustments(as_json: Json = False) -> None:
    """调整方案与已公布的标准。Adjustments and published standards."""
    from jiaxing.schemes.resident_pension import adjustment, views

    with _uow() as s:
        _out({"adjustments": adjustment.listing(s), "standards": views.standards(s)}, as_json)
