"""Our parameter tree written as OpenFisca parameter files that openfisca-core loads unchanged.

``gazette params export DIR`` writes one ``<policy>.yaml`` per policy folder and an ``index.yaml``
for the root. Each parameter keeps its description, its ``metadata`` (``unit``,
``threshold_unit``/``amount_unit``/``rate_unit``, ``type``, ``source``, ``demo``…) and its clause ids
in ``metadata.reference``; our reading of an ambiguous text (``metadata.decision``) is written as
OpenFisca's ``documentation`` (and kept in ``metadata.decision`` so that our loader reads the export
back losslessly). Values are written in the file's units: money in yuan (``6000`` or ``19999999.5``,
exact decimals — never a rounded float), rates as decimals, ``null`` ends, ``expected`` placeholders
as such. No YAML anchors, booleans only as ``true``/``false``, and every string quoted where YAML 1.1
(openfisca-core's reader) would read it as something else (``on``, ``2022-09-10T00:00:00``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from gazette.rules.parameters import Node, Parameter, Scale, minor_digits

_BRACKET_UNIT = {"threshold": "threshold_unit", "amount": "amount_unit", "rate": "rate_unit",
                 "average_rate": "rate_unit"}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_decimal(dumper: yaml.SafeDumper, d: Decimal) -> yaml.ScalarNode:
    text = format(d, "f")
    if "." in text:
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)
    return dumper.represent_scalar("tag:yaml.org,2002:int", text)


_Dumper.add_representer(Decimal, _represent_decimal)


def file_value(value: Any, unit: str | None) -> Any:
    """An in-memory value → the value as the file writes it (money: minor units → major units)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, list):
        return [file_value(v, unit) for v in value]
    digits = minor_digits(unit)
    if digits is not None and isinstance(value, (int, Decimal)):
        d = Decimal(value).scaleb(-digits)
        return int(d) if d == d.to_integral_value() else d.normalize()
    if isinstance(value, Decimal) and value == value.to_integral_value() and "." not in str(value):
        return int(value)
    return value


def _history(history: list[tuple[dt.date, Any]], unit: str | None, expected: list[dt.date]) -> dict:
    out: dict[Any, Any] = {d: {"value": file_value(v, unit)} for d, v in history}
    for d in expected:
        out.setdefault(d, "expected")
    return dict(sorted(out.items()))


def _documentation(p: Parameter | Scale | Node) -> str | None:
    meta = p.metadata or {}
    parts = [str(x).strip() for x in (p.documentation, meta.get("decision")) if x]
    return "\n\n".join(parts) or None


def _metadata(p: Parameter | Scale) -> dict:
    meta = {k: v for k, v in (p.metadata or {}).items()}
    if p.references and not meta.get("reference"):
        meta["reference"] = list(p.references)
    if isinstance(p, Parameter) and p.unit and "unit" not in meta:
        meta["unit"] = p.unit
    return meta


def parameter_entry(p: Parameter | Scale) -> dict:
    """One parameter or scale as an OpenFisca YAML mapping."""
    out: dict[str, Any] = {}
    if p.description:
        out["description"] = p.description
    meta = _metadata(p)
    if meta:
        out["metadata"] = meta
    doc = _documentation(p)
    if doc:
        out["documentation"] = doc
    if isinstance(p, Parameter):
        out["values"] = _history(p.history, p.unit, p.expected)
        return out
    units = {"threshold": p.threshold_unit, "amount": p.amount_unit, "rate": p.rate_unit,
             "average_rate": p.rate_unit}
    out["brackets"] = [
        {k: _history(getattr(b, k), units[k], []) for k in b.keys} for b in p.brackets
    ]
    return out


def _branch(node: Node | None) -> dict:
    out: dict[str, Any] = {}
    if node is None:
        return out
    if node.description:
        out["description"] = node.description
    if node.metadata:
        out["metadata"] = dict(node.metadata)
    doc = _documentation(node)
    if doc:
        out["documentation"] = doc
    return out


def tree(params: dict[str, Parameter | Scale], nodes: dict[str, Node] | None = None) -> dict[str, dict]:
    """The nested OpenFisca mapping of each top-level name (policy folder)."""
    nodes = nodes or {}
    root: dict[str, Any] = {}
    for pid, p in params.items():
        parts = pid.split(".")
        here = root
        for i, part in enumerate(parts[:-1]):
            if part not in here:
                here[part] = _branch(nodes.get(".".join(parts[: i + 1])))
            here = here[part]
        here[parts[-1]] = parameter_entry(p)
    return root


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120,
                     default_flow_style=False)


def export(params: dict[str, Parameter | Scale], out_dir: Path, nodes: dict[str, Node] | None = None,
           description: str | None = None) -> list[Path]:
    """Write the tree into ``out_dir`` (created): ``index.yaml`` and one ``<name>.yaml`` per top-level name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    index = _branch((nodes or {}).get(""))
    if description and "description" not in index:
        index["description"] = description
    if index:
        (out_dir / "index.yaml").write_text(dump(index), encoding="utf-8")
        written.append(out_dir / "index.yaml")
    for name, subtree in tree(params, nodes).items():
        path = out_dir / f"{name}.yaml"
        path.write_text(dump(subtree), encoding="utf-8")
        written.append(path)
    return written


def load_pack_parameters(policies_dir: Path) -> tuple[dict[str, Parameter | Scale], dict[str, Node]]:
    """A pack's parameter tree as the engine sees it (each policy folder with rules), with its branches."""
    from gazette.rules.parameters import load_parameter_file

    params: dict[str, Parameter | Scale] = {}
    nodes: dict[str, Node] = {}
    for folder in sorted(p for p in Path(policies_dir).iterdir() if (p / "rules.py").exists()):
        if (folder / "parameters.yaml").exists():
            params.update(load_parameter_file(folder / "parameters.yaml", folder.name, nodes))
    return params, nodes
