"""Our loader reads OpenFisca's own reference tree (openfisca-country-template) as openfisca-core does.

Every parameter, on every date at which a value of it changes and the day before; every scale on a
grid of bases with every threshold and one cent either side (gazette.rules.openfisca_compare).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from gazette.errors import GazetteError
from gazette.rules import scales
from gazette.rules.openfisca_compare import compare, openfisca_tree
from gazette.rules.parameters import Node, load_parameter_dir

template = pytest.importorskip("openfisca_country_template")
pytest.importorskip("openfisca_core")

ROOT = Path(template.__file__).parent / "parameters"


@pytest.fixture(scope="module")
def trees():
    nodes: dict[str, Node] = {}
    ours = load_parameter_dir(ROOT, "", nodes)
    return ours, nodes, openfisca_tree(ROOT)


def test_the_whole_tree_is_equal_on_every_change_date(trees):
    ours, _, theirs = trees
    result = compare(ours, theirs)
    assert result.mismatches == []
    assert result.parameters == len(ours) == 12  # every file of the 8.2.0 tree, nested ones included
    assert result.values >= 40
    assert result.scale_points >= 60


def test_every_construct_is_read(trees):
    ours, nodes, _ = trees
    rate = ours["taxes.income_tax_rate"]
    assert rate.expected == [dt.date(2016, 1, 1)]  # a placeholder is metadata, not a value
    assert rate.value_at(dt.date(2016, 6, 1)) == (Decimal("0.15"), dt.date(2015, 1, 1))
    housing = ours["benefits.housing_allowance"]
    assert housing.defined_on(dt.date(2016, 11, 30)) and not housing.defined_on(dt.date(2016, 12, 1))  # null ends
    assert housing.documentation.startswith("A fraction of the rent.")
    assert ours["benefits.basic_income"].value_at(dt.date(2016, 1, 1))[0] == 60000  # 600.0 EUR in cents
    assert ours["general.age_of_retirement"].value_at(dt.date(2000, 1, 1))[0] == Decimal("60.33")
    assert ours["taxes.housing_tax.rate"].unit == "currency-EUR/m2"
    assert nodes["benefits"].description == "Social benefits"  # index.yaml
    assert nodes["taxes.housing_tax"].documentation.startswith("The housing tax")  # a node inside a file
    kinds = {pid: p.scale_type for pid, p in ours.items() if p.kind == "scale"}
    assert kinds == {"benefits.meal_price": "single_amount",
                     "benefits.swimming_pool_access_cost_increase": "marginal_amount",
                     "taxes.social_security_contribution": "marginal_rate"}


def test_a_currency_other_than_cny_loads_but_a_rule_cannot_read_it(trees):
    ours, _, _ = trees
    for pid in ("benefits.basic_income", "taxes.housing_tax.rate", "benefits.meal_price"):
        with pytest.raises(GazetteError) as e:
            ours[pid].at(dt.date(2018, 1, 1))
        assert e.value.code == "parameter_currency_unsupported"
        assert "currency-EUR" in e.value.message_en and "人民币" in e.value.message_zh


def test_scales_exactly(trees):
    ours, _, _ = trees
    ssc = ours["taxes.social_security_contribution"]
    on = dt.date(2017, 6, 1)  # 2% to 6,000; 6% to 12,400; 12% above (thresholds in cents)
    assert scales.calc(ssc, on, 600000) == 12000
    assert scales.calc(ssc, on, 1240000 + 1, exact=True) == Fraction(12000 + 38400) + Fraction(12, 100)
    assert scales.calc(ssc, on, 1240000 + 1) == 50400  # 50,400.12 fen → 50,400 (half-up)
    assert scales.calc(ssc, on, 25) == 1  # 0.5 fen → 1 fen: 四舍五入, half away from zero
    meal = ours["benefits.meal_price"]
    assert [scales.calc(meal, on, b) for b in (24999, 25000, 200000)] == [0, 1, 8]
    pool = ours["benefits.swimming_pool_access_cost_increase"]
    assert [scales.calc(pool, on, b) for b in (24900, 24901, 99901)] == [0, 1, 4]


def test_the_comparison_catches_a_difference(trees):
    ours, _, theirs = trees
    changed = copy.deepcopy(ours)
    leaf = changed["taxes.income_tax_rate"]
    leaf.history[-1] = (leaf.history[-1][0], Decimal("0.151"))
    scale = changed["taxes.social_security_contribution"]
    scale.brackets[1].threshold[-1] = (dt.date(2017, 1, 1), 600001)  # one cent
    result = compare(changed, theirs)
    assert any(m.startswith("taxes.income_tax_rate 2015-01-01") for m in result.mismatches)
    assert any(m.startswith("taxes.social_security_contribution 2017-01-01") for m in result.mismatches)
