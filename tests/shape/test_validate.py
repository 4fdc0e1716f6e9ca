"""The shared validators: one canonical form per value, both sides of every bound."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazette import validate
from gazette.errors import InvalidInput


def make_id(prefix17: str) -> str:
    return prefix17 + validate.id_check_digit(prefix17)


GOOD = make_id("33040219900101123")


def test_person_id_canonical_forms():
    assert validate.person_id(GOOD) == GOOD
    assert validate.person_id(f"  {GOOD}\n") == GOOD  # white space never makes a second identity
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GOOD)
    assert validate.person_id(full_width) == GOOD
    with_x = make_id("11010519491231002")
    assert with_x.endswith("X")
    assert validate.person_id(with_x.lower()) == with_x


@pytest.mark.parametrize("bad", ["123", GOOD[:-1], GOOD + "1", "33040219901301123" + "1", "3304021990010112" + "AB",
                                 None, 330402199001011234, True, "", GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")])
def test_person_id_refused(bad):
    with pytest.raises(InvalidInput) as err:
        validate.person_id(bad)
    assert err.value.field == "person_id"
    assert err.value.code == "invalid_person_id"


def test_person_id_future_birth_refused():
    future = make_id(f"330402{dt.date.today().year + 1}0101123")
    with pytest.raises(InvalidInput):
        validate.person_id(future)


def test_birth_and_sex():
    assert validate.birth_date(GOOD) == dt.date(1990, 1, 1)
    assert validate.sex(GOOD) == "male"  # 17th digit 3 is odd


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999))
def test_person_id_round_trip(born, seq):
    ident = make_id(f"330402{born:%Y%m%d}{seq:03d}")
    assert validate.person_id(ident) == ident
    assert validate.birth_date(ident) == born


def test_enterprise_id():
    code = "91330402MA2B" + "12345"
    code += validate.uscc_check_char(code)
    assert validate.enterprise_id(code.lower()) == code
    with pytest.raises(InvalidInput):
        validate.enterprise_id(code[:-1] + ("0" if code[-1] != "0" else "1"))
    with pytest.raises(InvalidInput):
        validate.enterprise_id("91330402MA2B1234I5")


@pytest.mark.parametrize(("text", "fen"), [("250000", 25_000_000), ("1,234.50", 123_450), ("０.０１", 1), ("0", 0)])
def test_yuan_accepted(text, fen):
    assert validate.yuan(text) == fen


@pytest.mark.parametrize("bad", ["92233720368547759", "1e308", "1e400", "4500." + "0" * 5000, "4500.", "nan", "inf",
                                 "-1", "1.005", 1.5, True, None, "", str(2**70)])
def test_yuan_refused(bad):
    with pytest.raises(InvalidInput) as err:
        validate.yuan(bad, "price")
    assert err.value.field == "price"


def test_yuan_bounds_both_sides():
    assert validate.yuan("100", maximum=100) == 10_000
    with pytest.raises(InvalidInput):
        validate.yuan("100.01", maximum=100)
    with pytest.raises(InvalidInput):
        validate.yuan("0", allow_zero=False)


@pytest.mark.parametrize("bad", ["1.0", 1.0, True, 2**70, "12a", None])
def test_integer_refused(bad):
    with pytest.raises(InvalidInput):
        validate.integer(bad, "n", minimum=0, maximum=10**6)


def test_integer_bounds():
    assert validate.integer("12", "n", minimum=0, maximum=12) == 12
    with pytest.raises(InvalidInput):
        validate.integer(13, "n", minimum=0, maximum=12)


def test_dates_and_months():
    assert validate.date("２０２２-０９-０１") == dt.date(2022, 9, 1)
    for bad in ["2022-02-30", "2022-9-1", "1899-12-31", 20220901, None]:
        with pytest.raises(InvalidInput):
            validate.date(bad)
    assert validate.month("2022-09") == "2022-09"
    for bad in ["2022-13", "2022-9", "202209", None]:
        with pytest.raises(InvalidInput):
            validate.month(bad)
