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

Every construct of OpenFisca's parameter format is read (tested against openfisca-core on the
``openfisca-country-template`` tree, tests/rules/test_openfisca_*.py): values keyed by date or a bare
``{date: value}`` mapping; ``expected`` placeholders (metadata: listed in ``expected``, never a value);
a directory tree with ``index.yaml`` (:func:`load_parameter_dir`) and the ``description`` /
``documentation`` / ``metadata`` of branch nodes (collected in ``nodes``); scales with ``amount``
(``single_amount`` or marginal amount), ``rate`` (marginal rate) or ``average_rate`` brackets
(evaluated by :mod:`gazette.rules.scales`); ``reference`` as a string, a list or a list of
``{title, href}``. Any ``currency-XXX`` amount is held in integer minor units (cents for EUR); a rule
may only read CNY amounts — another currency loads, and :meth:`Parameter.at` refuses it
(``parameter_currency_unsupported``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from gazette import validate
from gazette.errors import InvalidInput, Misconfigured, NotFound
from gazette.rules.money import fen_to_yuan

MONEY = "currency-CNY"
_RESERVED = {"description", "metadata", "documentation", "values", "brackets", "reference", "unit"}
_BRACKET_KEYS = ("threshold", "amount", "rate", "average_rate")
#: ISO 4217 minor-unit digits that are not 2 (the default) — money is held in integer minor units.
_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "XOF": 0, "XAF": 0, "BHD": 3, "IQD": 3,
                 "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}


def currency(unit: str | None) -> str | None:
    """``currency-EUR`` → ``EUR``; None for any other unit (``currency-EUR/m2`` is a rate, not money)."""
    if isinstance(unit, str) and unit.startswith("currency-") and "/" not in unit:
        return unit[len("currency-"):]
    return None


def minor_digits(unit: str | None) -> int | None:
    """Decimal places of the minor unit of a money unit (2 for CNY and EUR), None if not money."""
    code = currency(unit)
    return None if code is None else _MINOR_DIGITS.get(code, 2)


def _foreign_currency(unit: str | None) -> str | None:
    """The currency code of a unit a rule of this engine cannot use (any currency but CNY)."""
    code = unit[len("currency-"):].split("/", 1)[0] if isinstance(unit, str) and unit.startswith("currency-") else None
    return code if code != "CNY" else None


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false (``on``, ``yes``, ``no`` stay strings)."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


if getattr(yaml, "__with_libyaml__", False):

    class _FastYaml12Loader(yaml.CSafeLoader):
        """libyaml's parser (≈10× faster on the start-up path) with the resolver of :class:`Yaml12Loader`."""

    _FastYaml12Loader.yaml_implicit_resolvers = Yaml12Loader.yaml_implicit_resolvers
    _LOADER: type = _FastYaml12Loader
else:  # pragma: no cover — PyYAML built without libyaml
    _LOADER = Yaml12Loader


def load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 — a SafeLoader subclass


def convert(value: Any, unit: str | None, where: str) -> Any:
    """A YAML/JSON value in its unit → the in-memory value (fen for money, Decimal for numbers)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [convert(v, unit, where) for v in value]
    if isinstance(value, (dict, bool, str)) and not (isinstance(value, str) and (unit == "/1" or currency(unit))):
        return value
    if unit != MONEY and currency(unit):  # another currency: exact minor units (a Decimal if finer than that)
        d = validate.decimal_number(value, where).scaleb(minor_digits(unit) or 0)
        return int(d) if d == d.to_integral_value() else d
    if unit == MONEY:
        return validate.scaled_number(value, where, scale=2)  # the documented range, as every edge
    if isinstance(value, (int, float, Decimal, str)):
        d = validate.decimal_number(value, where)
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
    if currency(unit) and isinstance(value, (int, Decimal)):
        return format(Decimal(value).scaleb(-(minor_digits(unit) or 0)), "f")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _date(key: Any, where: str) -> dt.date:
    if isinstance(key, dt.date):
        return key
    try:
        return dt.date.fromisoformat(str(key))
    except ValueError:
        raise Misconfigured(f"参数日期格式错误：{key}", f"bad date {key!r} in {where}",
                            code="bad_parameter_file") from None


def _is_expected(entry: Any) -> bool:
    """OpenFisca's placeholder: ``2016-01-01: expected`` or ``{expected: …}`` — metadata, not a value."""
    return entry == "expected" or (isinstance(entry, dict) and bool(entry.get("expected")))


def _history(raw: Any, unit: str | None, where: str,
             expected: list[dt.date] | None = None) -> list[tuple[dt.date, Any]]:
    if isinstance(raw, dict) and "values" in raw and not _is_dated(raw):  # a bracket key written in full
        raw = raw["values"]
    if not isinstance(raw, dict):
        raise Misconfigured(f"参数格式错误：{where}", f"values must be a mapping: {where}", code="bad_parameter_file")
    out = []
    for key, entry in raw.items():
        if _is_expected(entry):
            if expected is not None:
                expected.append(_date(key, where))
            continue
        v = entry.get("value") if isinstance(entry, dict) else entry
        out.append((_date(key, where), convert(v, unit, where)))
    out.sort(key=lambda kv: kv[0])
    return out


def _is_dated(node: Any) -> bool:
    """A bare ``{date: value}`` mapping (OpenFisca's short form of a leaf)."""
    return isinstance(node, dict) and bool(node) and all(
        isinstance(k, dt.date) or (isinstance(k, str) and len(k) == 10 and k[4] == "-" and k[:4].isdigit())
        for k in node)


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
    documentation: str | None = None
    expected: list[dt.date] = field(default_factory=list)  # OpenFisca placeholders: a change is expected

    def at(self, on: dt.date) -> tuple[Any, dt.date]:
        """The value a rule reads on ``on`` (and its start date); refuses a currency other than CNY."""
        _refuse_foreign(self.id, self.unit)
        return self.value_at(on)

    def value_at(self, on: dt.date) -> tuple[Any, dt.date]:
        """The value in force on ``on`` in its unit, whatever the unit."""
        value, start = _at(self.history, on)
        if value is None or start is None:
            raise ParameterUndefined(self.id, on)
        return value, start

    def change_dates(self) -> list[dt.date]:
        return sorted({s for s, _ in self.history})

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
        } | _extra_json(self)


def _extra_json(p: Parameter | Scale) -> dict:
    out: dict[str, Any] = {}
    if p.documentation:
        out["documentation"] = p.documentation
    if p.expected:
        out["expected"] = [d.isoformat() for d in p.expected]
    return out


def _refuse_foreign(pid: str, *units: str | None) -> None:
    for unit in units:
        code = _foreign_currency(unit)
        if code:
            raise InvalidInput(
                f"参数 {pid} 的单位为 {unit}：规则只能使用人民币（currency-CNY）金额",
                f"parameter {pid} is in {unit}: a rule can only use amounts in CNY (currency-CNY)",
                field="id", code="parameter_currency_unsupported")


@dataclass
class Bracket:
    threshold: list[tuple[dt.date, Any]]
    amount: list[tuple[dt.date, Any]]
    rate: list[tuple[dt.date, Any]] = field(default_factory=list)
    average_rate: list[tuple[dt.date, Any]] = field(default_factory=list)
    keys: tuple[str, ...] = ("threshold", "amount")  # the keys the file gives this bracket


@dataclass
class Scale:
    """A scale of brackets. ``scale_type`` as OpenFisca reads it: ``single_amount`` (``metadata.type``:
    the amount of the highest bracket reached — the step tiers of the Jiaxing pack), ``marginal_amount``
    (amounts, no type: the sum of the amounts of the brackets passed), ``linear_average_rate``
    (``average_rate``) or ``marginal_rate`` (``rate``). Evaluate with :mod:`gazette.rules.scales`."""

    id: str
    description: str
    threshold_unit: str | None
    amount_unit: str | None
    references: list[str]
    brackets: list[Bracket]
    metadata: dict = field(default_factory=dict)
    kind: str = "scale"
    rate_unit: str | None = None
    documentation: str | None = None
    expected: list[dt.date] = field(default_factory=list)

    @property
    def unit(self) -> str | None:
        return self.amount_unit if self.value_key == "amount" else self.rate_unit

    @property
    def scale_type(self) -> str:
        if self.metadata.get("type") == "single_amount":
            return "single_amount"
        keys = {k for b in self.brackets for k in b.keys}
        if "amount" in keys:
            return "marginal_amount"
        return "linear_average_rate" if "average_rate" in keys else "marginal_rate"

    @property
    def value_key(self) -> str:
        """The bracket key holding the scale's values: ``amount``, ``rate`` or ``average_rate``."""
        return {"linear_average_rate": "average_rate", "marginal_rate": "rate"}.get(self.scale_type, "amount")

    def change_dates(self) -> list[dt.date]:
        return sorted({s for b in self.brackets for k in _BRACKET_KEYS for s, _ in getattr(b, k)})

    def at(self, on: dt.date) -> tuple[list[tuple[Any, Any]], dt.date]:
        """[(threshold, amount), …] ascending by threshold, and the latest start date among them.
        Refuses a currency other than CNY (a rule is asking)."""
        _refuse_foreign(self.id, self.threshold_unit, self.amount_unit, self.rate_unit)
        return self.rows_at(on)

    def rows_at(self, on: dt.date) -> tuple[list[tuple[Any, Any]], dt.date]:
        """[(threshold, value), …] of the brackets that have both on ``on`` (value: amount, rate or
        average rate by ``scale_type``), ascending by threshold, and the latest start date among them."""
        rows, start = [], None
        key = self.value_key
        for b in self.brackets:
            t, ts = _at(b.threshold, on)
            a, as_ = _at(getattr(b, key), on)
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
                    k: [{"start": s.isoformat(), "value": render(v, self._unit_of(k))} for s, v in getattr(b, k)]
                    for k in _BRACKET_KEYS if k in b.keys or k in ("threshold", "amount")
                }
                for b in self.brackets
            ],
        } | _extra_json(self)

    def _unit_of(self, key: str) -> str | None:
        return {"threshold": self.threshold_unit, "amount": self.amount_unit}.get(key, self.rate_unit)


class ParameterUndefined(InvalidInput):
    def __init__(self, pid: str, on: dt.date):
        super().__init__(
            message_zh=f"参数 {pid} 在 {on.isoformat()} 无有效值",
            message_en=f"parameter {pid} has no value on {on.isoformat()}",
            field="on",
            code="parameter_undefined",
        )


def _refs(meta: dict, node: dict) -> list[str]:
    """``reference`` as a string, a list, or a list of ``{title, href}`` → strings (the href, else the title)."""
    refs = meta.get("reference", node.get("reference", []))
    if isinstance(refs, (str, dict)):
        refs = [refs]
    return [str(r.get("href") or r.get("title") or "") if isinstance(r, dict) else str(r) for r in refs or []]


@dataclass
class Node:
    """A branch of the tree: its ``description``, ``documentation`` and ``metadata`` (OpenFisca's
    ``index.yaml`` or the keys beside the children in a file)."""

    id: str
    description: str | None = None
    documentation: str | None = None
    metadata: dict = field(default_factory=dict)


def _join(prefix: str, key: Any) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _meta(node: dict) -> dict:
    """``metadata`` with OpenFisca's backward-compatible top-level ``unit`` / ``reference`` folded in."""
    meta = dict(node.get("metadata") or {})
    for k in ("unit", "reference"):
        if node.get(k) is not None and k not in meta:
            meta[k] = node[k]
    return meta


def _walk(node: Any, prefix: str, out: dict[str, Parameter | Scale], where: str,
          nodes: dict[str, Node] | None = None) -> None:
    if not isinstance(node, dict):
        raise Misconfigured(f"参数格式错误：{prefix}", f"malformed parameter node {prefix} in {where}",
                            code="bad_parameter_file")
    if _is_dated(node):  # OpenFisca's short form: {2015-01-01: 550, …}
        node = {"values": node}
    meta = node.get("metadata") or {}
    if "unit" in node or "reference" in node:
        meta = _meta(node)
    desc = str(node.get("description") or "")
    doc = node.get("documentation")
    if "values" in node:
        unit = meta.get("unit")
        expected: list[dt.date] = []
        history = _history(node["values"], unit, prefix, expected)
        out[prefix] = Parameter(prefix, desc, unit, _refs(meta, node), history, meta, documentation=doc,
                                expected=expected)
        return
    if "brackets" in node:
        tu, au, ru = meta.get("threshold_unit"), meta.get("amount_unit"), meta.get("rate_unit")
        units = {"threshold": tu, "amount": au, "rate": ru, "average_rate": ru}
        brackets, expected = [], []
        for b in node["brackets"] or []:
            if not isinstance(b, dict):
                raise Misconfigured(f"参数格式错误：{prefix}", f"malformed bracket in {prefix}", code="bad_parameter_file")
            hist = {k: _history(b[k], units[k], prefix, expected) if k in b else [] for k in _BRACKET_KEYS}
            brackets.append(Bracket(**hist, keys=tuple(k for k in _BRACKET_KEYS if k in b)))
        out[prefix] = Scale(prefix, desc, tu, au, _refs(meta, node), brackets, meta, rate_unit=ru, documentation=doc,
                            expected=sorted(set(expected)))
        return
    if nodes is not None:
        nodes[prefix] = Node(prefix, node.get("description"), doc, meta)
    for key, child in node.items():
        if key in _RESERVED:
            continue
        _walk(child, _join(prefix, key), out, where, nodes)


def load_parameter_file(path: Path, namespace: str,
                        nodes: dict[str, Node] | None = None) -> dict[str, Parameter | Scale]:
    """One YAML file as the subtree ``namespace`` (a policy folder's ``parameters.yaml``); branch nodes'
    description/documentation/metadata go into ``nodes`` when given."""
    data = load_yaml(path) or {}
    out: dict[str, Parameter | Scale] = {}
    _walk(data, namespace, out, str(path), nodes)
    return out


def load_parameter_dir(path: Path, namespace: str = "",
                       nodes: dict[str, Node] | None = None) -> dict[str, Parameter | Scale]:
    """An OpenFisca parameter directory: each ``*.yaml`` / ``*.yml`` file is a child named by its stem,
    each sub-directory a branch, ``index.yaml`` the directory's own description and metadata."""
    out: dict[str, Parameter | Scale] = {}
    for child in sorted(Path(path).iterdir()):
        if child.is_dir():
            out.update(load_parameter_dir(child, _join(namespace, child.name), nodes))
        elif child.suffix in (".yaml", ".yml"):
            if child.stem == "index":
                if nodes is not None:
                    data = load_yaml(child) or {}
                    nodes[namespace] = Node(namespace, data.get("description"), data.get("documentation"), _meta(data))
            else:
                out.update(load_parameter_file(child, _join(namespace, child.stem), nodes))
    if nodes is not None:
        nodes.setdefault(namespace, Node(namespace))
    return out


class ParameterSet:
    """All parameters of a pack, plus per-run overrides (what-if)."""

    def __init__(self, params: dict[str, Parameter | Scale]):
        self.params = params

    def get(self, pid: str) -> Parameter | Scale:
        try:
            return self.params[pid]
        except KeyError:
            raise NotFound("参数", pid, field="id", what_en="parameter", code="parameter_not_found") from None

    def __contains__(self, pid: str) -> bool:
        return pid in self.params

    def __iter__(self):
        return iter(self.params.values())


def parse_override(param: Parameter | Scale, raw: Any) -> Any:
    """A what-if override (JSON, units as in the YAML) → in-memory value, validated."""
    where = f"overrides.{param.id}"
    _refuse_foreign(param.id, param.unit, getattr(param, "threshold_unit", None))
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
