"""Control notices (管控通告) as data: one YAML or JSON file per notice.

A notice names its 文号 and the clause of each part (objects, ban, registry, penalties), a window in
Beijing time with its "24时" reading, one or more zones (a GeoJSON line or polygon with a buffer in
metres), the objects covered (an open list when the text ends in 等: an object outside it is
*unknown*, never permitted) and the exempt purposes. The shipped notices live beside this module
(``notices/``); an operator adds or replaces notices — e.g. 17号 with the surveyed seawall — by
putting files in the directories named by ``GAZETTE_AIRSPACE_NOTICES`` (separated by ``:``). A file
there with the id of a shipped notice replaces it. No code changes for the next notice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from gazette.errors import InvalidInput, NotFound
from jiaxing.schemes.airspace.geometry import DEFAULT_CRS, Zone, read_geojson

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHIPPED = Path(__file__).resolve().parent / "notices"
ENV = "GAZETTE_AIRSPACE_NOTICES"
OTHER = "other"  # the kind of an object the notice does not list


@dataclass
class Notice:
    id: str  # 文号, e.g. 嘉政发〔2022〕17号
    title: str
    title_en: str
    clauses: dict[str, str]  # objects / ban / registry / penalties → clause id
    window_text: str
    start: dt.datetime  # aware; inclusive
    end: dt.datetime  # aware; exclusive (X日24时 = X+1日 00:00)
    end_reading: str
    zones: list[Zone]
    kinds: dict[str, dict[str, str]]  # kind → {zh, en, group}
    kinds_open: bool
    purposes: dict[str, dict[str, str]]
    purposes_open: bool
    departments: dict[str, Any]
    path: str

    @property
    def ban_clause(self) -> str:
        return self.clauses["ban"]

    def clause(self, part: str) -> str:
        return self.clauses.get(part) or self.ban_clause

    def in_window(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end

    def window_json(self) -> dict[str, str]:
        return {"start": self.start.astimezone(SHANGHAI).isoformat(), "end": self.end.astimezone(SHANGHAI).isoformat(),
                "text": self.window_text, "end_reading": self.end_reading}

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "title_en": self.title_en, "clauses": self.clauses,
                "window": self.window_json(),
                "zones": [{"name": z.name, "name_en": z.name_en, "text": z.text, "buffer_m": z.buffer_m,
                           "measured_from": z.measured_from, "approximate": z.approximate, "source": z.source,
                           "crs": z.crs, "geometry": z.geometry.__geo_interface__} for z in self.zones],
                "objects": {"kinds": self.kinds, "open_list": self.kinds_open},
                "exempt": {"purposes": self.purposes, "open_list": self.purposes_open},
                "departments": self.departments}


def not_found(what_zh: str, what_en: str, ident: str, field: str) -> NotFound:
    """A NotFound (404) naming the thing in each language, the identifier cut to 100 characters."""
    return NotFound(what_zh, str(ident)[:100], field=field, what_en=what_en)


def _bad(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(zh, en, field=field, code="invalid_notice")


def _time(value: Any, field: str) -> dt.datetime:
    try:
        t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise _bad(field, f"时间格式错误：{value}", f"malformed time: {value}") from None
    return t.replace(tzinfo=SHANGHAI) if t.tzinfo is None else t


def parse_notice(raw: dict[str, Any], path: str = "<data>") -> Notice:
    """Validate one notice (a dict from YAML/JSON); every error names the field."""
    if not isinstance(raw, dict):
        raise _bad("notice", "通告文件应为一个对象", "a notice file holds one mapping")
    for key in ("id", "title", "clauses", "window", "zones", "objects"):
        if key not in raw:
            raise _bad(key, f"通告缺少字段：{key}", f"the notice lacks {key}")
    clauses = {str(k): str(v) for k, v in dict(raw["clauses"]).items()}
    if "ban" not in clauses:
        raise _bad("clauses.ban", "通告须写明禁止性条款", "the notice names its ban clause")
    w = raw["window"]
    start, end = _time(w.get("start"), "window.start"), _time(w.get("end"), "window.end")
    if end <= start:
        raise _bad("window.end", "管控时段的结束时间早于或等于开始时间", "the window ends before it starts")
    zones = []
    for i, z in enumerate(raw["zones"] or []):
        f = f"zones[{i}]"
        try:
            buffer_m = float(z.get("buffer_m", 0))
        except (TypeError, ValueError):
            raise _bad(f"{f}.buffer_m", "缓冲距离应为米数", "buffer_m is metres") from None
        if not 0 <= buffer_m <= 100_000:
            raise _bad(f"{f}.buffer_m", "缓冲距离应在 0–100000 米", "buffer_m is 0–100000 m")
        zones.append(Zone(name=str(z.get("name", f"区域 {i + 1}")), name_en=str(z.get("name_en", "")),
                          text=str(z.get("text", "")), buffer_m=buffer_m,
                          geometry=read_geojson(z.get("geometry"), f"{f}.geometry"),
                          crs=str(z.get("crs", DEFAULT_CRS)), approximate=bool(z.get("approximate", False)),
                          source=str(z.get("source", "")), measured_from=str(z.get("measured_from", "line"))))
    if not zones:
        raise _bad("zones", "通告至少须有一个管控区域", "a notice has at least one zone")
    objects = raw["objects"] or {}
    kinds = {str(k): {kk: str(vv) for kk, vv in dict(v).items()} for k, v in dict(objects.get("kinds") or {}).items()}
    if not kinds or OTHER in kinds:
        raise _bad("objects.kinds", "须列出所管控的物体（other 为保留字）", "list the objects covered (other is reserved)")
    exempt = raw.get("exempt") or {}
    purposes = {str(k): {kk: str(vv) for kk, vv in dict(v).items()} for k, v in dict(exempt.get("purposes") or {}).items()}
    return Notice(id=str(raw["id"]), title=str(raw["title"]), title_en=str(raw.get("title_en", "")), clauses=clauses,
                  window_text=str(w.get("text", "")), start=start, end=end, end_reading=str(w.get("end_reading", "")),
                  zones=zones, kinds=kinds, kinds_open=bool(objects.get("listed_open", True)),
                  purposes=purposes, purposes_open=bool(exempt.get("listed_open", True)),
                  departments=dict(raw.get("departments") or {}), path=path)


def read_file(path: Path) -> Notice:
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise _bad("notice", f"通告文件无法解析：{path.name}", f"cannot parse the notice file {path.name}: {exc}") from None
    return parse_notice(raw, str(path))


def _files(directory: Path) -> list[Path]:
    if directory.is_file():
        return [directory]
    return sorted(p for p in directory.glob("*") if p.suffix in (".yaml", ".yml", ".json"))


_CACHE: dict[str, dict[str, Notice]] = {}


def _extra_dirs() -> str:
    return os.environ.get(ENV, "")


def all_notices() -> dict[str, Notice]:
    """Every notice by id: the shipped ones, then the operator's (which replace a shipped id). Cached
    per value of GAZETTE_AIRSPACE_NOTICES."""
    extra = _extra_dirs()
    found = _CACHE.get(extra)
    if found is None:
        found = {}
        dirs = [SHIPPED] + [Path(p) for p in extra.split(os.pathsep) if p.strip()]
        for d in dirs:
            if d.exists():
                for f in _files(d):
                    n = read_file(f)
                    found[n.id] = n
        _CACHE.clear()
        _CACHE[extra] = found
    return found


def get_notice(notice_id: str) -> Notice:
    from gazette.corpus.docnumber import canonical_doc_number

    notices = all_notices()
    if notice_id in notices:
        return notices[notice_id]
    try:
        canon = canonical_doc_number(notice_id)
    except Exception:  # noqa: BLE001
        canon = None
    if canon and canon in notices:
        return notices[canon]
    raise not_found("管控通告", "control notice", str(notice_id)[:100], field="notice")


def known_kinds() -> dict[str, dict[str, str]]:
    """Every object kind any notice lists, plus ``other`` (an object no list names)."""
    out: dict[str, dict[str, str]] = {}
    for n in all_notices().values():
        out.update(n.kinds)
    out[OTHER] = {"zh": "其他（通告未列明）", "en": "other (not listed)", "group": "other"}
    return out


def check_kind(kind: str, field: str = "object") -> str:
    k = (kind or "").strip()
    if k not in known_kinds():
        raise InvalidInput(f"未知的物体类型：{kind}（可选：{'、'.join(known_kinds())}；通告未列明的物体请填 other）",
                           f"unknown object kind: {kind} (one of {', '.join(known_kinds())}; "
                           "an object no notice lists is 'other')", field=field, code="unknown_object_kind")
    return k
