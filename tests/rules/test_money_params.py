from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from gazette.errors import GazetteError, InvalidInput
from gazette.rules.money import fen_to_yuan, mul_ratio_half_up, yuan_to_fen
from gazette.rules.parameters import ParameterUndefined, load_parameter_file, parse_override


def test_yuan_to_fen_is_exact():
    assert yuan_to_fen("19999999.50") == 1999999950
    assert yuan_to_fen(19999999.5) == 1999999950
    assert yuan_to_fen(250000) == 25000000
    assert yuan_to_fen("1,234.5") == 123450
    assert yuan_to_fen(Decimal("0.01")) == 1
    assert fen_to_yuan(1999999950) == "19999999.50"
    assert fen_to_yuan(-5) == "-0.05"


@pytest.mark.parametrize("bad", ["0.001", "abc", True, None, "nan", [1]])
def test_yuan_to_fen_rejects(bad):
    with pytest.raises(InvalidInput):
        yuan_to_fen(bad)


def test_round_half_up_vectorised():
    s = pl.Series([1, 3, 5, 15, 25], dtype=pl.Int64)  # × 0.5 → .5 cases round up
    out = pl.select(mul_ratio_half_up(pl.lit(s), 1, 2)).to_series().to_list()
    assert out == [1, 2, 3, 8, 13]


YAML = """
leaf:
  description: a leaf
  values:
    2022-01-01: {value: 290}
    2022-06-01: 320
    2023-01-01: {value: null}
  metadata: {unit: currency-CNY, reference: [X#一]}
rate:
  values: {2022-01-01: {value: 0.15}}
  metadata: {unit: /1}
words:
  values: {2022-01-01: {value: on}}
scale:
  metadata: {type: single_amount, threshold_unit: currency-CNY, amount_unit: currency-CNY, reference: [X#二]}
  brackets:
    - threshold: {2022-01-01: {value: 0}}
      amount: {2022-01-01: {value: 1}}
    - threshold: {2022-01-01: {value: 100}}
      amount: {2022-01-01: {value: 5}}
"""


def test_parameter_history(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(YAML, encoding="utf-8")
    ps = load_parameter_file(f, "t")
    leaf = ps["t.leaf"]
    assert leaf.at(dt.date(2022, 1, 1)) == (29000, dt.date(2022, 1, 1))
    assert leaf.at(dt.date(2022, 12, 31)) == (32000, dt.date(2022, 6, 1))
    with pytest.raises(ParameterUndefined):
        leaf.at(dt.date(2023, 1, 1))
    with pytest.raises(ParameterUndefined):
        leaf.at(dt.date(2021, 12, 31))
    assert leaf.references == ["X#一"]
    assert ps["t.rate"].at(dt.date(2022, 3, 1))[0] == Decimal("0.15")
    assert ps["t.words"].at(dt.date(2022, 3, 1))[0] == "on"  # YAML 1.2: not a boolean
    rows, _ = ps["t.scale"].at(dt.date(2022, 3, 1))
    assert rows == [(0, 100), (10000, 500)]
    assert leaf.to_json()["history"][1] == {"start": "2022-06-01", "value": "320.00"}


def test_override_parsing(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(YAML, encoding="utf-8")
    ps = load_parameter_file(f, "t")
    assert parse_override(ps["t.leaf"], "300.5") == 30050
    assert parse_override(ps["t.scale"], [{"threshold": 50, "amount": 2}, {"threshold": 0, "amount": 1}]) == [(0, 100), (5000, 200)]
    with pytest.raises(GazetteError):
        parse_override(ps["t.scale"], 3)
    with pytest.raises(GazetteError):
        parse_override(ps["t.leaf"], None)
