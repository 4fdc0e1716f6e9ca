"""Each construct of OpenFisca's parameter format, read by our loader and by openfisca-core alike;
each kind of scale evaluated exactly as openfisca-core evaluates it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazette.errors import GazetteError
from gazette.rules import scales
from gazette.rules.openfisca_compare import compare, openfisca_tree
from gazette.rules.openfisca_export import export as write
from gazette.rules.parameters import Bracket, Node, Scale, load_parameter_dir, parse_override

pytest.importorskip("openfisca_core")

INDEX = """
description: Root of a test tree
documentation: |
  Two files and a folder.
metadata:
  reference: https://law.example/root
"""

MISC = """
description: Constructs
bare:
  2015-01-01: 550
  2016-01-01: 600
  2017-01-01: null
old_style:
  description: unit and reference beside values (backward compatible)
  unit: currency-JPY
  reference: https://law.example/old
  values:
    2015-01-01: 1200
refs:
  description: references as {title, href}
  metadata:
    unit: /1
    reference:
      - title: Article 1
        href: https://law.example/1
      - title: Article 2
  documentation: Written by hand.
  values:
    2015-01-01: {value: 0.125, metadata: {reference: https://law.example/1/2015}}
    2019-01-01: {expected: true}
    2020-01-01: expected
flag:
  values: {2015-01-01: true, 2018-06-01: false}
words:
  values: {2015-01-01: {value: [a, b]}}
"""

SCALES = """
average:
  metadata: {threshold_unit: currency-EUR, rate_unit: /1}
  brackets:
    - threshold: {2015-01-01: 0}
      average_rate: {2015-01-01: 0}
    - threshold: {2015-01-01: 1000}
      average_rate: {2015-01-01: 0.1, 2018-01-01: 0.15}
    - threshold: {2015-01-01: 5000.5}
      average_rate: {2015-01-01: 0.25}
marginal:
  metadata: {threshold_unit: currency-EUR, rate_unit: /1}
  brackets:
    - threshold: {2015-01-01: 0}
      rate: {2015-01-01: 0.055}
    - threshold: {2015-01-01: 1000}
      rate: {2015-01-01: 0.1, 2016-01-01: null}
    - threshold: {2015-01-01: 1000, 2016-01-01: 1200}
      rate: {2015-01-01: 0.045}
single:
  metadata: {type: single_amount, threshold_unit: currency-EUR, amount_unit: currency-EUR}
  brackets:
    - threshold: {2015-01-01: 10}
      amount: {2015-01-01: 1.5}
    - threshold: {2015-01-01: 20.25}
      amount: {2015-01-01: 3}
unitless:
  brackets:
    - threshold: {2015-01-01: 0}
      amount: {2015-01-01: 1}
    - threshold: {2015-01-01: 2.5}
      amount: {2015-01-01: 2}
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    (root / "index.yaml").write_text(INDEX, encoding="utf-8")
    (root / "misc.yaml").write_text(MISC, encoding="utf-8")
    (root / "taxes").mkdir()
    (root / "taxes" / "scales.yml").write_text(SCALES, encoding="utf-8")
    nodes: dict[str, Node] = {}
    return root, load_parameter_dir(root, "", nodes), nodes


def test_our_loader_and_openfisca_core_agree(tree):
    root, ours, _ = tree
    result = compare(ours, openfisca_tree(root))
    assert result.mismatches == []
    assert result.parameters == 9 and result.scale_points > 30


def test_constructs(tree):
    _, ours, nodes = tree
    assert nodes[""].description == "Root of a test tree" and nodes[""].metadata["reference"] == "https://law.example/root"
    assert ours["misc.bare"].value_at(dt.date(2016, 3, 1))[0] == 600
    assert not ours["misc.bare"].defined_on(dt.date(2017, 1, 1))
    old = ours["misc.old_style"]
    assert (old.unit, old.references, old.value_at(dt.date(2015, 1, 1))[0]) == (
        "currency-JPY", ["https://law.example/old"], 1200)  # yen have no minor unit
    refs = ours["misc.refs"]
    assert refs.references == ["https://law.example/1", "Article 2"]
    assert refs.expected == [dt.date(2019, 1, 1), dt.date(2020, 1, 1)]
    assert refs.value_at(dt.date(2021, 1, 1))[0] == Decimal("0.125")
    assert refs.documentation == "Written by hand."
    assert ours["misc.flag"].value_at(dt.date(2019, 1, 1))[0] is False
    assert ours["taxes.scales.average"].scale_type == "linear_average_rate"
    assert ours["taxes.scales.unitless"].scale_type == "marginal_amount"
    with pytest.raises(GazetteError, match="parameter_currency_unsupported"):
        old.at(dt.date(2015, 1, 1))
    with pytest.raises(GazetteError, match="parameter_currency_unsupported"):  # nor a what-if of it
        parse_override(ours["taxes.scales.single"], [{"threshold": 0, "amount": 1}])


def test_scale_values(tree):
    _, ours, _ = tree
    on = dt.date(2015, 6, 1)
    marginal = ours["taxes.scales.marginal"]  # two brackets at 1000: their rates add up, as in openfisca-core
    assert scales.brackets_at(marginal, on) == ([0, 100000], [Decimal("0.055"), Decimal("0.145")])
    assert scales.calc(marginal, on, 100010, exact=True) == Fraction(5500) + Fraction(145, 1000) * 10
    assert scales.calc(marginal, on, 100010) == 5501  # 5501.45 fen
    avg = ours["taxes.scales.average"]  # 3000 EUR: 10% + (2000/4000.5) × 15% on average
    expected = Fraction(300000) * (Fraction(1, 10) + Fraction(200000, 400050) * Fraction(15, 100))
    assert scales.calc(avg, on, 300000, exact=True) == expected
    assert scales.calc(avg, on, 300000) == scales.round_half_up(expected)
    assert scales.calc(avg, on, 500050) == 0  # at and above the last threshold: 0, as openfisca-core
    single = ours["taxes.scales.single"]
    assert [scales.calc(single, on, b) for b in (999, 1000, 2025, 10**9)] == [0, 150, 300, 300]
    assert scales.calc(ours["taxes.scales.unitless"], on, Decimal("2.6")) == 3


def test_export_of_a_foreign_tree_round_trips_through_openfisca_core(tree, tmp_path):
    _, ours, nodes = tree
    write(ours, tmp_path, nodes)
    assert compare(ours, openfisca_tree(tmp_path)).mismatches == []


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 10**8), min_size=1, max_size=5, unique=True),
    rates=st.lists(st.integers(0, 100), min_size=6, max_size=6),
    bases=st.lists(st.integers(-10**3, 2 * 10**8), min_size=1, max_size=8),
)
def test_marginal_rate_matches_openfisca_core(cuts, rates, bases):
    """Random marginal-rate scales (thresholds in fen, rates in %) against openfisca-core's float result."""
    import numpy
    from openfisca_core.taxscales import MarginalRateTaxScale

    thresholds = [0, *sorted(cuts)]
    day = dt.date(2020, 1, 1)
    scale = Scale("t", "", "currency-CNY", None, [], [
        Bracket([(day, t)], [], rate=[(day, Decimal(r) / 100)], keys=("threshold", "rate"))
        for t, r in zip(thresholds, rates, strict=False)], rate_unit="/1")
    theirs = MarginalRateTaxScale()
    for t, r in zip(thresholds, rates, strict=False):
        theirs.add_bracket(t / 100, r / 100)
    got = theirs.calc(numpy.array([b / 100 for b in bases]))
    for b, t in zip(bases, got, strict=True):
        mine = scales.calc(scale, day, b, exact=True) / 100
        assert abs(Fraction(float(t)) - mine) < Fraction(1, 10**6), (b, mine, t)


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(["single_amount", "marginal_amount", "rate", "average_rate"]),
    cuts=st.lists(st.integers(1, 10**7), min_size=1, max_size=4, unique=True),
    values=st.lists(st.integers(0, 10**4), min_size=5, max_size=5),
)
def test_random_scales_of_every_kind_match_openfisca_core(kind, cuts, values):
    """Random scales written as OpenFisca YAML (thresholds in cents of EUR), read by both, compared on the
    grid of every threshold ± one cent and on every change date."""
    import tempfile
    from pathlib import Path

    thresholds = [0, *sorted(cuts)]
    key = "amount" if kind in ("single_amount", "marginal_amount") else kind
    meta = "{threshold_unit: currency-EUR" + (", type: single_amount}" if kind == "single_amount" else "}")
    lines = [f"s:\n  metadata: {meta}\n  brackets:"]
    for t, v in zip(thresholds, values, strict=False):
        value = v if key == "amount" else f"{v / 10**4:.4f}"
        lines.append(f"    - threshold: {{2020-01-01: {t / 100:.2f}}}\n      {key}: {{2020-01-01: {value}}}")
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "t.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = compare(load_parameter_dir(Path(d)), openfisca_tree(Path(d)))
    assert result.mismatches == [] and result.scale_points >= len(thresholds) + 2
