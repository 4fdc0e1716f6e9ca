"""Parameters in OpenFisca's YAML format: dated values, scales, references, units.

A policy folder's ``parameters.yaml`` is a tree. A node with ``values`` is a leaf, a node with
``brackets`` is a scale, any other mapping is a branch. Values are keyed by their start date; a
``null`` value ends the previous one. ``metadata.reference`` lists clause ids, ``metadata.unit``
(or ``threshold_unit`` / ``amount_unit`` for scales) the unit: ``currency-CNY`` values are yuan in
the file and integer fen in memory, ``/1`` values are exact Decimal rates. ``metadata.decision``
records how an ambiguous text was read (also in docs/decisions.md). Reference data from outside the
gazette (wages, geometry) carries ``metadata.source`` and ``metadata.demo: true`` where the shipped
value is only a demonstration value.

A parameter's id is ``<policy folder>.<path in the file>``, e.g. ``nev.voucher.tiers``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from gazette.errors import GazetteError, InvalidInput
from gazette.rules.money import fen_to_yuan, to_decimal, yuan_to_fen

MONEY = "currency-CNY"
_RESERVED = {"description", "metadata", "documentation", "values", "brackets", "reference", "unit"}


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false (``on``, ``yes``, ``no`` stay strings)."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=Yaml12Loader)  # noqa: S506 — a SafeLoader subclass


def convert(value: Any, unit: str | None, where: str) -> Any:
    """A YAML/JSON value in its unit → the in-memory value (fen for money, Decimal for numbers)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [convert(v, unit, where) for v in value]
    if isinstance(value, (dict, bool, str)) and not (isinstance(value, str) and unit in (MONEY, "/1")):
        return value
    if unit == MONEY:
        return yuan_to_fen(value, field=where)
    if isinstance(value, (int, float, Decimal, str)):
        d = to_decimal(value, field=where)
        return int(d) if d == d.to_integral_value() and unit not in ("/1",) else d
    return value


def render(value: Any, unit: str | None) -> Any:
    """In-memory value → JSON-friendly value in its unit (yuan strings for money)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [render(v, unit) for v in value]
    if unit == MONEY and isinstance(value, int):
        return fen_to_yuan(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _date(key: Any, where: str) -> dt.date:
    if isinstance(key, dt.date):
        return key
    try:
        return dt.date.fromisoformat(str(key))
    except ValueError:
        raise GazetteError("bad_parameter_file", f"参数日期格式错误：{key}", f"bad date {key!r} in {where}",
                           status=500) from None


def _history(raw: Any, unit: str | None, where: str) -> list[tuple[dt.date, Any]]:
    if not isinstance(raw, dict):
        raise GazetteError("bad_parameter_file", f"参数格式错误：{where}", f"values must be a mapping: {where}",
                           status=500)
    out = []
    for key, entry in raw.items():
        v = entry.get("value") if isinstance(entry, dict) else entry
        out.append((_date(key, where), convert(v, unit, where)))
    out.sort(key=lambda kv: kv[0])
    return out


def _at(history: list[tuple[dt.date, Any]], on: dt.date) -> tuple[Any, dt.date | None]:
    value, start = None, None
    for s, v in history:
        if s <= on:
            value, start = v, s
        else:
            break
    return value, start


@dataclass
class Parameter:
    """A leaf parameter: one value per period of validity."""

    id: str
    description: str
    unit: str | None
    references: list[str]
    history: list[tuple[dt.date, Any]]
    metadata: dict = field(default_factory=dict)
    kind: str = "value"

    def at(self, on: dt.date) -> tuple[Any, dt.date]:
        value, start = _at(self.history, on)
        if value is None or start is None:
            raise ParameterUndefined(self.id, on)
        return value, start

    def defined_on(self, on: dt.date) -> bool:
        return _at(self.history, on)[0] is not None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "unit": self.unit,
            "references": self.references,
            "metadata": {k: v for k, v in self.metadata.items() if k not in ("reference", "unit")},
            "history": [{"start": s.isoformat(), "value": render(v, self.unit)} for s, v in self.history],
        }


@dataclass
class Bracket:
    threshold: list[tuple[dt.date, Any]]
    amount: list[tuple[dt.date, Any]]


@dataclass
class Scale:
    """A step scale (``metadata.type: single_amount``): the amount of the highest bracket reached."""

    id: str
    description: str
    threshold_unit: str | None
    amount_unit: str | None
    references: list[str]
    brackets: list[Bracket]
    metadata: dict = field(default_factory=dict)
    kind: str = "scale"

    @property
    def unit(self) -> str | None:
        return self.amount_unit

    def at(self, on: dt.date) -> tuple[list[tuple[Any, Any]], dt.date]:
        """[(threshold, amount), …] ascending by threshold, and the latest start date among them."""
        rows, start = [], None
        for b in self.brackets:
            t, ts = _at(b.threshold, on)
            a, as_ = _at(b.amount, on)
            if t is None or a is None:
                continue
            rows.append((t, a))
            for s in (ts, as_):
                if s and (start is None or s > start):
                    start = s
        if not rows or start is None:
            raise ParameterUndefined(self.id, on)
        rows.sort(key=lambda r: r[0])
        return rows, start

    def defined_on(self, on: dt.date) -> bool:
        try:
            self.at(on)
            return True
        except ParameterUndefined:
            return False

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "threshold_unit": self.threshold_unit,
            "amount_unit": self.amount_unit,
            "references": self.references,
            "metadata": {k: v for k, v in self.metadata.items() if k not in ("reference",)},
            "brackets": [
                {
                    "threshold": [{"start": s.isoformat(), "value": render(v, self.threshold_unit)}
                                  for s, v in b.threshold],
                    "amount": [{"start": s.isoformat(), "value": render(v, self.amount_unit)} for s, v in b.amount],
                }
                for b in self.brackets
            ],
        }


class ParameterUndefined(GazetteError):
    def __init__(self, pid: str, on: dt.date):
        super().__init__(
            code="parameter_undefined",
            message_zh=f"参数 {pid} 在 {on.isoformat()} 无有效值",
            message_en=f"parameter {pid} has no value on {on.isoformat()}",
            field="on",
            status=422,
        )


def _refs(meta: dict, node: dict) -> list[str]:
    refs = meta.get("reference", node.get("reference", []))
    if isinstance(refs, str):
        refs = [refs]
    return [str(r) for r in refs or []]


def _walk(node: Any, prefix: str, out: dict[str, Parameter | Scale], where: str) -> None:
    if not isinstance(node, dict):
        raise GazetteError("bad_parameter_file", f"参数格式错误：{prefix}", f"malformed parameter node {prefix} in {where}",
                           status=500)
    meta = node.get("metadata") or {}
    desc = str(node.get("description", ""))
    if "values" in node:
        unit = meta.get("unit", node.get("unit"))
        out[prefix] = Parameter(prefix, desc, unit, _refs(meta, node), _history(node["values"], unit, prefix), meta)
        return
    if "brackets" in node:
        tu, au = meta.get("threshold_unit"), meta.get("amount_unit")
        brackets = [
            Bracket(_history(b["threshold"], tu, prefix), _history(b["amount"], au, prefix)) for b in node["brackets"]
        ]
        out[prefix] = Scale(prefix, desc, tu, au, _refs(meta, node), brackets, meta)
        return
    for key, child in node.items():
        if key in _RESERVED:
            continue
        _walk(child, f"{prefix}.{key}", out, where)


def load_parameter_file(path: Path, namespace: str) -> dict[str, Parameter | Scale]:
    data = load_yaml(path) or {}
    out: dict[str, Parameter | Scale] = {}
    _walk(data, namespace, out, str(path))
    return out


class ParameterSet:
    """All parameters of a pack, plus per-run overrides (what-if)."""

    def __init__(self, params: dict[str, Parameter | Scale]):
        self.params = params

    def get(self, pid: str) -> Parameter | Scale:
        try:
            return self.params[pid]
        except KeyError:
            raise GazetteError("parameter_not_found", f"未找到参数：{pid}", f"parameter not found: {pid}",
                               field="id", status=404) from None

    def __contains__(self, pid: str) -> bool:
        return pid in self.params

    def __iter__(self):
        return iter(self.params.values())


def parse_override(param: Parameter | Scale, raw: Any) -> Any:
    """A what-if override (JSON, units as in the YAML) → in-memory value, validated."""
    where = f"overrides.{param.id}"
    if isinstance(param, Scale):
        if not isinstance(raw, list) or not raw:
            raise InvalidInput("阶梯参数的覆盖值须为非空列表", "a scale override must be a non-empty list of brackets",
                               field=where)
        rows = []
        for i, b in enumerate(raw):
            if not isinstance(b, dict) or "threshold" not in b or "amount" not in b:
                raise InvalidInput("阶梯须包含 threshold 和 amount", "each bracket needs threshold and amount",
                                   field=f"{where}[{i}]")
            rows.append((convert(b["threshold"], param.threshold_unit, where), convert(b["amount"], param.amount_unit, where)))
        rows.sort(key=lambda r: r[0])
        return rows
    if raw is None:
        raise InvalidInput("覆盖值不能为空", "an override cannot be null", field=where)
    return convert(raw, param.unit, where)
