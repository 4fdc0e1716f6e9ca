"""Loading a pack: its entities, each policy folder's parameters and rules (like openfisca-core's
tax-benefit system). Nothing here evaluates anything."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from gazette.errors import Misconfigured
from gazette.rules.entities import Entity
from gazette.rules.parameters import Parameter, ParameterSet, Scale, load_parameter_file
from gazette.rules.rule import Rule


@dataclass
class Policy:
    """One gazette document's folder: ``parameters.yaml``, ``rules.py``, ``tests.yaml``."""

    name: str
    path: Path
    rules: list[Rule]
    parameters: dict[str, Parameter | Scale]

    @property
    def tests_path(self) -> Path:
        return self.path / "tests.yaml"


@dataclass
class LoadedPack:
    policies_dir: Path
    entities: dict[str, Entity]
    by_plural: dict[str, Entity]
    policies: list[Policy]
    params: ParameterSet
    rules: list[Rule]
    rules_by_id: dict[str, Rule]


def _bad_pack(zh: str, en: str) -> Misconfigured:
    return Misconfigured(zh, en, code="bad_pack")


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise _bad_pack(f"无法加载 {path}", f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_policies(policies_dir: Path, pack_name: str = "pack") -> LoadedPack:
    """Entities from ``entities.py``; every folder holding a ``rules.py`` is a policy."""
    policies_dir = Path(policies_dir)
    ent_mod = load_module(policies_dir / "entities.py", f"_gazette_{pack_name}_entities")
    entities = {e.name: e for e in ent_mod.ENTITIES}
    policies: list[Policy] = []
    params: dict[str, Parameter | Scale] = {}
    rules: list[Rule] = []
    for folder in sorted(p for p in policies_dir.iterdir() if (p / "rules.py").exists()):
        name = folder.name
        fparams = load_parameter_file(folder / "parameters.yaml", name) if (folder / "parameters.yaml").exists() else {}
        params.update(fparams)
        mod = load_module(folder / "rules.py", f"_gazette_{pack_name}_{name}_rules")
        found = [v for v in vars(mod).values() if isinstance(v, Rule)]
        for r in found:
            r.policy = name
            if r.entity not in entities:
                raise _bad_pack(f"规则 {r.id} 的实体未声明", f"rule {r.id}: unknown entity {r.entity}")
        rules.extend(found)
        policies.append(Policy(name, folder, found, fparams))
    rules_by_id = {r.id: r for r in rules}
    if len(rules_by_id) != len(rules):
        raise _bad_pack("规则 id 重复", "duplicate rule ids")
    return LoadedPack(policies_dir, entities, {e.plural: e for e in ent_mod.ENTITIES}, policies, ParameterSet(params),
                      rules, rules_by_id)
