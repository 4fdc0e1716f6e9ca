"""openfisca-core reads our exported parameter tree with the same values on the same dates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gazette.rules.openfisca_compare import compare, openfisca_tree
from gazette.rules.openfisca_export import export as write
from gazette.rules.openfisca_export import load_pack_parameters
from gazette.rules.parameters import load_parameter_dir

pytest.importorskip("openfisca_core")

POLICIES = Path(__file__).resolve().parents[2] / "src" / "jiaxing" / "policies"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    params, nodes = load_pack_parameters(POLICIES)
    out = tmp_path_factory.mktemp("openfisca")
    write(params, out, nodes, description="jiaxing")
    return params, nodes, out


def test_openfisca_core_reads_every_value_of_the_pack(exported):
    params, _, out = exported
    result = compare(params, openfisca_tree(out))
    assert result.mismatches == []
    assert result.parameters == len(params) >= 100
    assert result.scale_points > 0


def test_the_engine_and_the_export_see_the_same_tree(exported):
    from gazette.rules.engine import get_engine

    params, _, _ = exported
    assert set(params) == {p.id for p in get_engine("jiaxing").params}


def test_clause_ids_and_decisions_are_kept(exported):
    params, nodes, out = exported
    theirs = openfisca_tree(out)
    for pid, p in params.items():
        obj = theirs
        for part in pid.split("."):
            obj = obj.children[part] if hasattr(obj, "children") else obj
        assert obj.metadata.get("reference") == p.references, pid
    raw = yaml.safe_load((out / "nev.yaml").read_text(encoding="utf-8"))
    tiers = raw["voucher"]["tiers"]
    assert "D1" in tiers["documentation"] and tiers["metadata"]["reference"][0] == "嘉政办发〔2022〕47号#一"
    assert raw["description"] == nodes["nev"].description
    assert raw["voucher"]["district_minimum_budget"]["metadata"]["reference"] == ["嘉政办发〔2022〕47号#一"]
    basic = theirs.children["resident_pension"].children["basic_pension"]
    assert "D13" in basic.documentation


def test_the_export_reads_back_the_same_in_our_loader(exported):
    params, _, out = exported
    back = load_parameter_dir(out)
    assert set(back) == set(params)

    def plain(p):
        d = p.to_json()
        d.pop("documentation", None)  # the decision, now also in OpenFisca's documentation
        return d

    assert [pid for pid in params if plain(params[pid]) != plain(back[pid])] == []


def test_cli_export_check(tmp_path):
    from gazette.cli import app

    r = CliRunner().invoke(app, ["params", "export", str(tmp_path / "of"), "--check"])
    assert r.exit_code == 0, r.output
    assert "all equal" in r.output and (tmp_path / "of" / "nev.yaml").exists()
    r = CliRunner().invoke(app, ["params", "nev.voucher.tiers"])  # the old form still shows one parameter
    assert r.exit_code == 0 and '"nev.voucher.tiers"' in r.output
