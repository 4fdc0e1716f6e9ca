"""The insured roster (参保人员) — 一.（二）, 三.（一）.1.

"基本医疗保险的参保人员同步参加长护险…开展重复参保数据清理": everyone on a medical-insurance roster
(职工医保 ``employee`` or 城乡居民医保 ``resident``) becomes insured for LTC. A roster file (CSV or XLSX,
header row; English or Chinese column names) is checked row by row with :mod:`gazette.validate`: bad
ID numbers, impossible dates (before birth, in the future), unknown districts or schemes and rows
repeated in the file are reported with their row number and column, and then *nothing* is written.

A person already insured under the same scheme is left as is (counted ``already``); a person already
insured under the *other* scheme is a 重复参保: recorded in ``ltc_duplicate_enrolments`` for an
officer to clear (the person is funded once, and held from funding until cleared).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gazette import tables, validate
from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.ledger import clock
from gazette.schemes.handler import Context, handles
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.ltc.intake_commands import ClearDuplicate, ImportRoster, SetPopulation
from jiaxing.schemes.ltc.intake_models import DuplicateEnrolment, Population
from jiaxing.schemes.ltc.intake_params import ENROL_CLAUSE, SCHEME_ZH
from jiaxing.schemes.ltc.models import Insured

MAX_ROWS = 200_000
ALIASES = {"身份证号": "person_id", "身份证号码": "person_id", "姓名": "name", "县（市、区）": "district", "区县": "district",
           "险种": "scheme", "参保日期": "insured_since", "地址": "address", "家庭住址": "address"}
SCHEMES = {"employee": "employee", "职工": "employee", "职工医保": "employee", "resident": "resident",
           "居民": "resident", "城乡居民": "resident", "城乡居民医保": "resident"}
REQUIRED = ("person_id", "name", "district", "scheme", "insured_since")


def read_table(data: bytes, filename: str, required: tuple[str, ...] = REQUIRED) -> list[dict[str, str]]:
    """A CSV/XLSX file's rows as dicts of text (row 1 is the header; Chinese headers such as 身份证号 accepted)."""
    return tables.read_table(data, filename, required=required, max_rows=MAX_ROWS, aliases=ALIASES)


def district(raw: Any, field: str = "district") -> str:
    d = str(raw or "").strip()
    if d not in DISTRICTS:
        raise InvalidInput(f"未知的县（市、区）：{d}", f"unknown district: {d}", field=field, code="unknown_district")
    return d


def clean_row(raw: dict[str, Any], today: dt.date) -> dict[str, Any]:
    pid = validate.person_id(raw.get("person_id"), "person_id")
    scheme = SCHEMES.get(str(raw.get("scheme") or "").strip())
    if scheme is None:
        raise InvalidInput("险种应为 职工医保 或 城乡居民医保", "scheme must be employee or resident", field="scheme",
                           code="unknown_scheme")
    born = validate.birth_date(pid)
    since = validate.date(raw.get("insured_since"), "insured_since", earliest=born, latest=today)
    return {"person_id": pid, "name": validate.text(raw.get("name"), "name", max_length=100),
            "district": district(raw.get("district")), "scheme": scheme, "insured_since": since,
            "address": validate.text(raw.get("address") or "", "address", max_length=300, min_length=0)}


def row_errors(rows: list[dict[str, Any]], today: dt.date) -> tuple[list[tuple[int, dict]], list[dict]]:
    """(clean rows with their row numbers, errors) — the header is row 1."""
    return tables.check_rows(rows, lambda raw: clean_row(raw, today))


def rejected(errors: list[dict], what_zh: str = "花名册", what_en: str = "roster") -> InvalidInput:
    return tables.rows_rejected(errors, noun=(what_zh, what_en), code="file_rejected",
                                details={"clause": ENROL_CLAUSE})


@handles(ImportRoster)
def _import(ctx: Context, cmd: ImportRoster) -> dict:
    s = ctx.session
    clean, errors = row_errors([dict(r) for r in cmd.rows], clock.now().date())
    if errors:
        raise rejected(errors)
    ids = [r["person_id"] for _, r in clean]
    have: dict[str, str] = {}
    for i in range(0, len(ids), 5000):
        have |= dict(s.execute(select(Insured.person_id, Insured.scheme).where(Insured.person_id.in_(ids[i:i + 5000]))).all())
    new, already, dups = [], 0, []
    for no, r in clean:
        source = f"roster:{cmd.batch}#{no}"
        if r["person_id"] not in have:
            new.append({**r, "source": source})
        elif have[r["person_id"]] == r["scheme"]:
            already += 1
        else:
            dups.append({"person_id": r["person_id"], "kept_scheme": have[r["person_id"]], "other_scheme": r["scheme"],
                         "other_source": source, "status": "open", "resolution": ""})
    from gazette.ledger._sql import bulk_insert

    bulk_insert(s, Insured.__table__, new)
    bulk_insert(s, DuplicateEnrolment.__table__, dups, conflict=["person_id", "other_source"])
    by_district: dict[str, int] = {}
    for r in new:
        by_district[r["district"]] = by_district.get(r["district"], 0) + 1
    out = {"batch": cmd.batch, "rows": len(clean), "imported": len(new), "already": already,
           "duplicates": len(dups), "by_district": by_district, "clause": ENROL_CLAUSE}
    ctx.audit("ltc.roster.imported", "ltc_roster", cmd.batch, after=out)
    return out


def duplicates(session: Session, status: str | None = "open", district_: str | None = None) -> list[dict]:
    q = (select(DuplicateEnrolment, Insured.name, Insured.district)
         .join(Insured, Insured.person_id == DuplicateEnrolment.person_id).order_by(DuplicateEnrolment.id))
    if status:
        q = q.where(DuplicateEnrolment.status == status)
    if district_:
        q = q.where(Insured.district == district_)
    return [{"id": d.id, "person_id": d.person_id, "name": name, "district": dist, "kept_scheme": d.kept_scheme,
             "other_scheme": d.other_scheme, "kept_scheme_zh": SCHEME_ZH[d.kept_scheme],
             "other_scheme_zh": SCHEME_ZH[d.other_scheme], "other_source": d.other_source, "status": d.status,
             "resolution": d.resolution} for d, name, dist in session.execute(q)]


@handles(ClearDuplicate)
def _clear(ctx: Context, cmd: ClearDuplicate) -> dict:
    s = ctx.session
    d = s.get(DuplicateEnrolment, cmd.duplicate_id, with_for_update=True)
    if d is None:
        raise NotFound("重复参保记录", str(cmd.duplicate_id), field="duplicate_id", what_en="duplicate enrolment")
    if d.status != "open":
        raise Conflict("该重复参保记录已清理", "this duplicate enrolment is already cleared", field="duplicate_id",
                       code="already_cleared")
    if cmd.keep_scheme not in (d.kept_scheme, d.other_scheme):
        raise InvalidInput("保留的险种应为两条记录之一", "keep one of the two schemes", field="keep_scheme")
    ins = s.scalar(select(Insured).where(Insured.person_id == d.person_id).with_for_update())
    before = {"scheme": ins.scheme, "source": ins.source}
    if ins.scheme != cmd.keep_scheme:
        ins.scheme, ins.source = cmd.keep_scheme, d.other_source
    d.status, d.cleared_by = "cleared", ctx.actor
    d.resolution = f"保留{SCHEME_ZH[cmd.keep_scheme]}" + (f"；{cmd.note}" if cmd.note else "")
    s.flush()
    out = {"id": d.id, "person_id": d.person_id, "kept_scheme": cmd.keep_scheme, "resolution": d.resolution,
           "clause": ENROL_CLAUSE}
    ctx.audit("ltc.duplicate.cleared", "ltc_insured", d.person_id, before=before,
              after={"scheme": ins.scheme, "source": ins.source})
    return out


@handles(SetPopulation)
def _population(ctx: Context, cmd: SetPopulation) -> dict:
    s = ctx.session
    row = s.get(Population, (cmd.district, cmd.year))
    before = None if row is None else {"registered": row.registered, "source": row.source}
    if row is None:
        s.add(Population(district=cmd.district, year=cmd.year, registered=cmd.registered, source=cmd.source))
    else:
        row.registered, row.source = cmd.registered, cmd.source
    s.flush()
    out = {"district": cmd.district, "year": cmd.year, "registered": cmd.registered, "source": cmd.source}
    ctx.audit("ltc.population.set", "ltc_population", f"{cmd.district}/{cmd.year}", before=before, after=out)
    return out
