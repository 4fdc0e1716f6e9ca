"""Dated reference data from outside the gazette (最低月工资, 上年平均工资, 存款利率), each with a
source and a demo flag, and the opening of the fund (book, control accounts, demo values).

The wage figures are seeded from the rules engine's parameters.yaml (labelled demo there); the
deposit rate is a demo value too. The operator loads real values (``gazette fund reference set``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from gazette.ledger import Ledger, audit
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.provident_fund import domain
from jiaxing.schemes.provident_fund.book import BOOK, CONTROL_ACCOUNTS, base_multiple, ledger, policy_params
from jiaxing.schemes.provident_fund.commands import AdvanceBusinessDate, SetReference, SetUp
from jiaxing.schemes.provident_fund.domain import cited, clause
from jiaxing.schemes.provident_fund.models import ReferenceValue

DEMO_DEPOSIT_RATE = (
    dt.date(2016, 2, 21), 15_000,
    "中国人民银行：职工住房公积金账户存款利率统一按一年期定期存款基准利率 1.50% 执行（2016-02-21 起）；"
    "示例值（demo），运营方须按中国人民银行公布值加载",
)
REFERENCE_KINDS = {
    "min_wage": ("最低月工资标准", "fen", "第十一条"),
    "avg_wage": ("上一年度全市职工月平均工资", "fen", "第十一条"),
    "deposit_rate": ("住房公积金账户存款年利率", "ppm", "第十四条"),
}


@handles(SetUp)
def set_up(ctx: Context, command: SetUp) -> dict:
    """Open the book, its control accounts and the demo reference data (idempotent)."""
    session, actor = ctx.session, ctx.actor
    book = Ledger.open_book(session, BOOK, "灵活就业人员住房公积金", business_date=command.business_date, actor=actor)
    for code, (name, account_type, may_go_negative) in CONTROL_ACCOUNTS.items():
        book.open_account(session, code, name, account_type, programme="provident_fund",
                          allow_negative=may_go_negative, actor=actor)
    seeded = []
    for kind, name in (("min_wage", "base.min_wage"), ("avg_wage", "base.average_monthly_wage")):
        if not _has_reference(session, kind):
            param = policy_params()[f"provident_fund.{name}"]
            for start, value in param.history:
                record_reference(session, actor, kind, start, int(value),
                                 str(param.metadata.get("source", "parameters.yaml")), demo=bool(param.metadata.get("demo")))
            seeded.append(kind)
    if not _has_reference(session, "deposit_rate"):
        start, ppm, source = DEMO_DEPOSIT_RATE
        record_reference(session, actor, "deposit_rate", start, ppm, source, demo=True)
        seeded.append("deposit_rate")
    return {"book": BOOK, "business_date": book.business_date(session).isoformat(), "seeded": seeded}


@handles(AdvanceBusinessDate)
def advance_business_date(ctx: Context, command: AdvanceBusinessDate) -> dict:
    moved = ledger(ctx.actor).advance_business_date(ctx.session, command.to, actor=ctx.actor)
    return {"business_date": moved.isoformat()}


@handles(SetReference)
def set_reference(ctx: Context, command: SetReference) -> dict:
    """Load one dated reference value (the operator's job: real values replace the demo ones)."""
    return record_reference(ctx.session, ctx.actor, command.kind, command.start, command.value, command.source,
                            demo=command.demo)


def _has_reference(session: Session, kind: str) -> bool:
    return session.scalar(select(func.count()).select_from(ReferenceValue).where(ReferenceValue.kind == kind)) > 0


def record_reference(session: Session, actor: str, kind: str, start: dt.date, value: int, source: str, *,
                     demo: bool = False) -> dict:
    if kind not in REFERENCE_KINDS:
        raise cited(InvalidInput(f"未知参考数据：{kind}", f"unknown reference data: {kind}", field="kind",
                                 code="unknown_reference_kind"), kinds=sorted(REFERENCE_KINDS))
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput("参考数据取值须为正数", "a reference value must be positive", field="value",
                           code="invalid_reference_value")
    if not source or not str(source).strip():
        raise InvalidInput("参考数据须注明来源", "reference data needs a source", field="source",
                           code="reference_source_required")
    row = session.scalar(select(ReferenceValue).where(ReferenceValue.kind == kind, ReferenceValue.start == start))
    before = None if row is None else {"value": row.value, "source": row.source, "demo": row.demo}
    if row is None:
        row = ReferenceValue(kind=kind, start=start, value=value, source=source, demo=demo)
        session.add(row)
    else:
        row.value, row.source, row.demo = value, source, demo
    session.flush()
    audit.record(session, actor=actor, action="pf.reference.set", entity_type="pf_reference",
                 entity_id=f"{kind}@{start.isoformat()}", before=before,
                 after={"value": value, "source": source, "demo": demo})
    return {"kind": kind, "start": start.isoformat(), "value": value, "source": source, "demo": demo}


def reference_history(session: Session, kind: str) -> list[tuple[dt.date, int]]:
    rows = session.execute(select(ReferenceValue.start, ReferenceValue.value).where(ReferenceValue.kind == kind)
                           .order_by(ReferenceValue.start)).all()
    return [(r.start, int(r.value)) for r in rows]


def reference_at(session: Session, kind: str, on: dt.date) -> int:
    value = None
    for start, v in reference_history(session, kind):
        if start <= on:
            value = v
    if value is None:
        label, _, article = REFERENCE_KINDS[kind]
        raise cited(InvalidInput(f"缺少 {on.isoformat()} 适用的{label}（参考数据）",
                                 f"no {kind} reference value for {on.isoformat()}", field=kind,
                                 code="reference_missing"), article)
    return value


def list_reference(session: Session) -> list[dict]:
    rows = session.scalars(select(ReferenceValue).order_by(ReferenceValue.kind, ReferenceValue.start)).all()
    return [{"kind": r.kind, "label": REFERENCE_KINDS[r.kind][0], "start": r.start.isoformat(), "value": r.value,
             "unit": REFERENCE_KINDS[r.kind][1], "source": r.source, "demo": r.demo,
             "clause": clause(REFERENCE_KINDS[r.kind][2])} for r in rows]


def bounds(session: Session, on: dt.date) -> domain.BaseBounds:
    return domain.BaseBounds(reference_at(session, "min_wage", on), reference_at(session, "avg_wage", on),
                             base_multiple(on))


def rate_index(session: Session, on: dt.date) -> int:
    return domain.rate_index(on, reference_history(session, "deposit_rate"))
