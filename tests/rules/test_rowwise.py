"""The row-at-a-time path (one applicant) gives exactly the frame path's results: the whole
``/calculate`` document — statuses, amounts, every explanation item — for every YAML case of the pack and
on random situations touching every entity (so every rule) of the pack."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.rules.cases import _json_safe, load_cases
from gazette.rules.engine import Evaluation, Status, get_engine
from gazette.rules.engine.single import row_rule
from gazette.rules.parameters import Parameter

E = get_engine()


def both(situation, on, overrides=None, rule_ids=None, explain=True):
    """The JSON of each path (or the error code each raised)."""
    out = []
    for row_path in (True, False):
        E.row_path = row_path
        if row_path:  # the row path must answer by itself, never by falling back to the frame path
            E._evaluate_frames = _no_fallback
        try:
            out.append(json.dumps(E.calculate(situation, on, overrides, explain=explain, rule_ids=rule_ids),
                                  ensure_ascii=False, default=str))
        except Exception as exc:  # noqa: BLE001 - both paths must refuse alike
            out.append(f"error {getattr(exc, 'code', type(exc).__name__)} {getattr(exc, 'field', '')}")
        finally:
            E.row_path = True
            E.__dict__.pop("_evaluate_frames", None)
    return out


def _no_fallback(*_a, **_k):
    raise AssertionError("the row path fell back to the frame path")


def test_every_rule_has_a_row_form():
    for on in sorted({r.valid_from for r in E.rules}):  # every rule is active on its first day
        for compiled in E.compile(on).values():
            for c in compiled:
                assert row_rule(c) is not None, (c.rule.id, on)


def test_every_yaml_case_is_the_same_on_both_paths():
    n = 0
    for p in E.policies:
        for c in load_cases(p.tests_path):
            on = c["on"] if isinstance(c["on"], dt.date) else dt.date.fromisoformat(str(c["on"]))
            row, frame = both(_json_safe(c["input"]), on, _json_safe(c.get("overrides")))
            assert row == frame, (p.name, c.get("name"))
            n += 1
    assert n >= 80


def test_typed_results_carry_fen_and_status_words():
    sit = {"vehicle_purchases": {"c1": {"price_yuan": 250000, "new_energy": True, "date": "2022-10-08"}}}
    ev = E.evaluate(sit, dt.date(2022, 10, 8), rule_ids={"嘉政办发〔2022〕47号#一"})
    assert isinstance(ev, Evaluation)
    r = ev.one("嘉政办发〔2022〕47号#一", "c1")
    assert r.status is Status.ELIGIBLE and r.status == "eligible" and r.amount_fen == 600_000
    assert ev.totals.benefits_fen == 600_000


# ---------------------------------------------------------------- random situations

def _interesting_fen() -> list[int]:
    """Every money amount and threshold the pack's parameters hold, and its neighbours: the boundaries."""
    vals: set[int] = set()
    for p in E.params:
        if isinstance(p, Parameter):
            rows = [v for _s, v in p.history]
        else:
            rows = [v for b in p.brackets for _s, v in b.threshold] + [v for b in p.brackets for _s, v in b.amount]
        for v in rows:
            if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**14:
                vals |= {v - 1, v, v + 1}
    return sorted(v for v in vals if v >= 0)


FEN = _interesting_fen()
DATES = sorted({d + dt.timedelta(days=k) for r in E.rules for d in (r.valid_from, r.valid_to) if d for k in (-1, 0, 1)})
YEARS = ["2019", "2020", "2021", "2022", "2023", "2024"]


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _value(var, ids):
    t = var.type
    if t == "bool":
        return st.booleans()
    if t == "money":
        return st.one_of(st.sampled_from(FEN), st.integers(0, 10**11)).map(_yuan)
    if t == "decimal":
        return st.integers(0, 10**7).map(lambda k: str(Decimal(k).scaleb(-var.scale)))
    if t == "int":
        return st.one_of(st.integers(0, 3000), st.sampled_from([0, 1, 2, 3, 5, 10, 50, 100, 1000, 2019, 2020, 2021, 2022]))
    if t == "str":
        return st.sampled_from(list(var.choices)) if var.choices else st.text("ab", max_size=3)
    if t == "date":
        return st.one_of(st.sampled_from(DATES), st.dates(dt.date(1940, 1, 1), dt.date(2026, 12, 31))).map(str)
    if t == "datetime":
        return st.datetimes(dt.datetime(2022, 1, 1), dt.datetime(2024, 12, 31)).map(lambda d: d.isoformat())
    if t == "ref":
        return st.sampled_from(ids.get(var.target, ["absent"]))
    raise AssertionError(t)


@st.composite
def situations(draw):
    ids = {"person": ["p1"], "enterprise": ["e1"]}
    sit = {}
    for ent in E.entities.values():
        member = {}
        for var in ent.variables:
            if var.type == "ref" and var.target not in ids:
                continue
            if not draw(st.booleans()) and draw(st.integers(0, 4)) == 0:  # about 1 in 10 facts unknown
                continue
            if var.period == "year":
                years = draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=4))
                member[var.name] = {y: draw(_value(var, ids)) for y in years}
            else:
                member[var.name] = draw(_value(var, ids))
        mid = ids.get(ent.name, [f"{ent.name[0]}1"])[0]
        sit[ent.plural] = {mid: member}
    return sit


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sit=situations(), on=st.sampled_from(DATES))
def test_random_situations_are_the_same_on_both_paths(sit, on):
    row, frame = both(sit, on)
    assert row == frame
    assert not row.startswith("error"), row
