"""``gazette airspace …`` — notices, the flight check (point, track, batch), the registry, flights,
seals and violations from the command line. Every command takes ``--json``; a state change takes
``--key`` (a repeat with the same key returns the first result). The CLI acts as the operator."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from jiaxing.schemes.airspace.statuses import FlightStatus

app = typer.Typer(help="临时空域管控（嘉政发〔2022〕17号）。Temporary airspace control: check, registry, flights.",
                  no_args_is_help=True)
devices_app = typer.Typer(help="设备登记与封存（三）。Device registry and sealing.", no_args_is_help=True)
flights_app = typer.Typer(help="依法批准的豁免飞行（二）。Exempt flights.", no_args_is_help=True)
violations_app = typer.Typer(help="违规记录与移交（四）。Violations handed to the competent department.",
                             no_args_is_help=True)
app.add_typer(devices_app, name="devices")
app.add_typer(flights_app, name="flights")
app.add_typer(violations_app, name="violations")

Json = Annotated[bool, typer.Option("--json", help="print JSON")]
Key = Annotated[str | None, typer.Option("--key", help="idempotency key (default: a new one)")]
ACTOR = "operator"


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="airspace")


def _emit(data: Any, as_json: bool, line: str | None = None) -> None:
    if as_json or line is None:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        if isinstance(data, dict) and data.get("replayed"):
            line += "（同一 --key 的重复请求：返回首次结果，未作更改 / a repeat of this --key: the first result, nothing changed）"
        typer.echo(line)


def _key(key: str | None) -> str:
    return key or f"cli-{secrets.token_urlsafe(12)}"


def _run(cmd) -> dict[str, Any]:
    from gazette.schemes.handler import execute
    from jiaxing.schemes.airspace import handlers  # noqa: F401

    out = execute(cmd)
    return {**out.result, "replayed": out.replayed}


def _check_line(r: dict) -> str:
    label = {"prohibited": "禁止 prohibited", "permitted": "允许 permitted", "unknown": "无法确定 unknown"}[r["outcome"]]
    w = r.get("window") or {}
    return (f"{label} — {r.get('reason_zh', '')} / {r.get('reason_en', '')} · {r.get('clause')} · "
            f"距管控区域 {r.get('distance_m')} 米 · 时段 {w.get('start')} – {w.get('end')}")


@app.command("notices")
def notices(as_json: Json = False) -> None:
    """管控通告列表。The control notices (shipped and the operator's)."""
    from jiaxing.schemes.airspace.notices import all_notices

    data = [n.summary() for n in all_notices().values()]
    _emit(data, as_json, "\n".join(f"{n['id']}  {n['window']['start']} – {n['window']['end']}  {n['title']}"
                                   for n in data))


@app.command("validate")
def validate_notice(file: Annotated[Path, typer.Argument(help="a notice file (.yaml or .json)")],
                    as_json: Json = False) -> None:
    """校验一份管控通告文件（例如载入测绘的标准海塘之前）。Validate a notice file before putting it in
    GAZETTE_AIRSPACE_NOTICES."""
    from jiaxing.schemes.airspace.notices import read_file

    n = read_file(file)
    _emit(n.summary(), as_json, f"通告有效 valid: {n.id} · {len(n.zones)} 个区域 zone(s) · "
                                f"{n.window_json()['start']} – {n.window_json()['end']}")


@app.command("check")
def check(lat: Annotated[float | None, typer.Option(help="WGS84 latitude")] = None,
          lon: Annotated[float | None, typer.Option(help="WGS84 longitude")] = None,
          at: Annotated[str | None, typer.Option(help="ISO time; Z or +08:00; none = Beijing time")] = None,
          object_kind: Annotated[str, typer.Option("--object", help="drone, balloon, sky_lantern … or other")] = "drone",
          device: Annotated[str | None, typer.Option(help="serial or registration number")] = None,
          track: Annotated[Path | None, typer.Option(help="a JSON file: [{lat, lon, at}, …]")] = None,
          as_json: Json = False) -> None:
    """检查一次飞行（一个点或一条航迹）。Check a point or a track: prohibited, permitted or unknown."""
    from gazette.errors import InvalidInput
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.airspace import queries
    from jiaxing.schemes.airspace.check import check_point, check_track

    flights: list = []
    if device:
        with unit_of_work() as s:
            d, flights = queries.flights_for_check(s, device)
        object_kind = d.kind
    if track is not None:
        try:
            points = json.loads(track.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput("航迹文件应为 JSON 数组", f"the track file is a JSON array: {exc}", field="track") from None
        r = check_track(points, object_kind, flights=flights)
    else:
        for name, value in (("lat", lat), ("lon", lon), ("at", at)):
            if value is None:
                raise InvalidInput(f"缺少 --{name}（或给出 --track）", f"--{name} is required (or give --track)", field=name)
        r = check_point(lat, lon, at, object_kind, flights=flights)
    _emit(r, as_json, _check_line(r))


@app.command("batch")
def batch(file: Annotated[Path, typer.Argument(help=".csv/.parquet/.arrow: track_id, at, lat, lon[, object, device]")],
          out: Annotated[Path | None, typer.Option("-o", "--out", help="per-fix outcomes (.parquet or .csv)")] = None,
          object_kind: Annotated[str, typer.Option("--object", help="kind when the file has no object column")] = "drone",
          as_json: Json = False) -> None:
    """批量检查航迹文件。Check a file of tracks (vectorised); per-track totals, per-fix outcomes to --out."""
    import polars as pl

    from gazette.store.db import unit_of_work
    from jiaxing.schemes.airspace import queries
    from jiaxing.schemes.airspace.batch import check_frame, read_tracks

    t0 = time.perf_counter()
    df = read_tracks(file)
    by_device: dict[str, list] = {}
    if "device" in df.columns:
        with unit_of_work() as s:
            for ref in df["device"].drop_nulls().unique().head(10_000).to_list():
                d = queries.find_device(s, ref)
                if d is not None:
                    by_device[ref] = queries.approved_flights(s, d)
    result, summary = check_frame(df, object_kind, flights_by_device=by_device)
    if out is not None:
        tmp = out.with_name(out.name + ".part")
        result.write_csv(tmp) if out.suffix == ".csv" else result.with_columns(pl.col("outcome")).write_parquet(tmp)
        tmp.replace(out)  # written whole or not at all
        summary["out"] = str(out)
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    p = summary["points_by_outcome"]
    _emit(summary, as_json, f"{summary['points']} 个点 points / {summary['tracks']} 条航迹 tracks: 禁止 prohibited "
                            f"{p['prohibited']}, 无法确定 unknown {p['unknown']}, 允许 permitted {p['permitted']} "
                            f"({summary['seconds']} s)")


# ------------------------------------------------------------------------------ devices


@devices_app.command("register")
def device_register(owner_id: Annotated[str, typer.Option(help="身份证号 or 统一社会信用代码")],
                    owner_name: Annotated[str, typer.Option()], kind: Annotated[str, typer.Option()],
                    model: Annotated[str, typer.Option()], serial: Annotated[str, typer.Option()],
                    owner_kind: Annotated[str, typer.Option(help="person or organisation")] = "person",
                    phone: Annotated[str | None, typer.Option()] = None,
                    unit: Annotated[str, typer.Option(help="registering police unit")] = "公安机关",
                    co_registrar: Annotated[list[str] | None, typer.Option(help="气象 / 体育 (repeatable)")] = None,
                    key: Key = None, as_json: Json = False) -> None:
    """公安机关登记设备（会同气象、体育）。Register a device as the police."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.RegisterDevice(idempotency_key=_key(key), actor=ACTOR, owner_kind=owner_kind,
                                     owner_id=owner_id,
                                     owner_name=owner_name, owner_phone=phone, kind=kind, model=model,
                                     serial=serial,
                                     by_registrar=True, unit=unit, co_registrars=tuple(co_registrar or ())))
    _emit(r, as_json, f"已登记 registered: 设备 {r['id']} {r['registration_no']} ({r['serial']})")


@devices_app.command("confirm")
def device_confirm(device_id: int, unit: Annotated[str, typer.Option()] = "公安机关",
                   co_registrar: Annotated[list[str] | None, typer.Option()] = None, key: Key = None,
                   as_json: Json = False) -> None:
    """登记所有人提交的设备信息。Register an owner's submission."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.ConfirmRegistration(idempotency_key=_key(key), actor=ACTOR, device_id=device_id,
                                          unit=unit,
                                          co_registrars=tuple(co_registrar or ())))
    _emit(r, as_json, f"已登记 registered: 设备 {r['id']} {r['registration_no']}")


@devices_app.command("seal")
def device_seal(device_id: int, reason: Annotated[str, typer.Option()], place: Annotated[str, typer.Option()],
                officer: Annotated[str, typer.Option()],
                mode: Annotated[str, typer.Option(help="requested (owner asked) or direct")] = "requested",
                notice: Annotated[str | None, typer.Option()] = None, key: Key = None, as_json: Json = False) -> None:
    """临时封存。Seal a device (a sealed device cannot be approved to fly)."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.SealDevice(idempotency_key=_key(key), actor=ACTOR, device_id=device_id, mode=mode,
                                 reason=reason,
                                 place=place, officer=officer, notice_id=notice))
    _emit(r, as_json, f"已封存 sealed: 设备 {r['id']}")


@devices_app.command("release")
def device_release(device_id: int, reason: Annotated[str, typer.Option()], officer: Annotated[str, typer.Option()],
                   key: Key = None, as_json: Json = False) -> None:
    """解除封存。Release a sealed device."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.ReleaseDevice(idempotency_key=_key(key), actor=ACTOR, device_id=device_id,
                                    reason=reason,
                                    officer=officer))
    _emit(r, as_json, f"已解除封存 released: 设备 {r['id']}")


@devices_app.command("list")
def device_list(sealed: Annotated[bool | None, typer.Option("--sealed/--not-sealed")] = None,
                as_json: Json = False) -> None:
    """设备列表。Registered devices."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.airspace import queries

    with unit_of_work() as s:
        rows = queries.list_devices(s, sealed=sealed)
    _emit(rows, as_json, "\n".join(f"{d['id']}\t{d['registration_no'] or '待登记'}\t{d['kind']}\t{d['serial']}\t"
                                   f"{'封存 sealed' if d['sealed'] else d['status']}\t{d['owner']['name']}" for d in rows))


# ------------------------------------------------------------------------------ flights


@flights_app.command("apply")
def flight_apply(device_id: Annotated[int, typer.Option()], purpose: Annotated[str, typer.Option()],
                 pilot: Annotated[str, typer.Option()], start: Annotated[str, typer.Option()],
                 end: Annotated[str, typer.Option()], lat: Annotated[float, typer.Option()],
                 lon: Annotated[float, typer.Option()], radius: Annotated[float, typer.Option(help="metres")] = 300,
                 notice: Annotated[str, typer.Option()] = "嘉政发〔2022〕17号",
                 detail: Annotated[str | None, typer.Option(help="the activity, for purpose other")] = None,
                 key: Key = None, as_json: Json = False) -> None:
    """申请豁免飞行。Apply for an exempt flight."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.ApplyFlight(idempotency_key=_key(key), actor=ACTOR, notice_id=notice,
                                  device_id=device_id,
                                  purpose=purpose, purpose_detail=detail, pilot=pilot, start=start, end=end,
                                  lat=lat,
                                  lon=lon, radius_m=radius))
    _emit(r, as_json, f"已申请 applied: 飞行 {r['id']}")


@flights_app.command("decide")
def flight_decide(flight_id: int, basis: Annotated[str, typer.Option(help="the legal basis (依据)")],
                  department: Annotated[str, typer.Option()],
                  approve: Annotated[bool, typer.Option("--approve/--refuse")] = True,
                  key: Key = None, as_json: Json = False) -> None:
    """批准或不予批准。Approve or refuse an exempt flight."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.DecideFlight(idempotency_key=_key(key), actor=ACTOR, flight_id=flight_id,
                                   approve=approve, basis=basis,
                                   department=department))
    _emit(r, as_json,
          f"飞行 {r['id']}: {'已批准 approved' if r['status'] == FlightStatus.APPROVED else '不予批准 refused'}")


@flights_app.command("list")
def flight_list(status: Annotated[str | None, typer.Option()] = None, as_json: Json = False) -> None:
    """豁免飞行列表。Exempt flights."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.airspace import queries

    with unit_of_work() as s:
        rows = queries.list_flights(s, status=status)
    _emit(rows, as_json, "\n".join(f"{f['id']}\t{f['status']}\t{f['purpose']}\t{f['start']} – {f['end']}\t"
                                   f"设备 {f['device_id']}" for f in rows))


# ------------------------------------------------------------------------------ violations


@violations_app.command("record")
def violation_record(at: Annotated[str, typer.Option()], lat: Annotated[float, typer.Option()],
                     lon: Annotated[float, typer.Option()],
                     object_kind: Annotated[str, typer.Option("--object")] = "drone",
                     notice: Annotated[str, typer.Option()] = "嘉政发〔2022〕17号",
                     device: Annotated[str | None, typer.Option()] = None,
                     source: Annotated[str, typer.Option(help="report or check")] = "report",
                     description: Annotated[str | None, typer.Option()] = None,
                     key: Key = None, as_json: Json = False) -> None:
    """记录违规飞行。Record a flight found in a zone."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.RecordViolation(idempotency_key=_key(key), actor=ACTOR, notice_id=notice, at=at,
                                      lat=lat, lon=lon,
                                      object_kind=object_kind, source=source, description=description,
                                      device=device))
    _emit(r, as_json, f"已记录 recorded: 违规 {r['id']}（{r['clause']}）")


@violations_app.command("handover")
def violation_handover(violation_id: int, department: Annotated[str, typer.Option()],
                       note: Annotated[str | None, typer.Option()] = None, key: Key = None,
                       as_json: Json = False) -> None:
    """移交主管部门。Hand a violation to the competent department."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.HandOverViolation(idempotency_key=_key(key), actor=ACTOR, violation_id=violation_id,
                                        department=department, note=note))
    _emit(r, as_json, f"已移交 handed over: 违规 {r['id']} → {r['department']}")


@violations_app.command("close")
def violation_close(violation_id: int, note: Annotated[str, typer.Option()], key: Key = None,
                    as_json: Json = False) -> None:
    """办结。Close a violation."""
    from jiaxing.schemes.airspace import commands

    r = _run(commands.CloseViolation(idempotency_key=_key(key), actor=ACTOR, violation_id=violation_id, note=note))
    _emit(r, as_json, f"已办结 closed: 违规 {r['id']}")


@violations_app.command("list")
def violation_list(status: Annotated[str | None, typer.Option()] = None, as_json: Json = False) -> None:
    """违规记录列表。Violations."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.airspace import queries

    with unit_of_work() as s:
        rows = queries.list_violations(s, status=status)
    _emit(rows, as_json, "\n".join(f"{v['id']}\t{v['status']}\t{v['observed_at']}\t{v['clause']}\t"
                                   f"{v['department'] or ''}" for v in rows))
