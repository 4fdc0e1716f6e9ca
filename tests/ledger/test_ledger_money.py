from decimal import Decimal

import pytest

from gazette.api.problems import http_status
from gazette.ledger import MAX_AMOUNT_FEN, InvalidAmount, check_amount, fen_to_yuan, round_fen, yuan_to_fen


@pytest.mark.parametrize(
    "yuan, fen",
    [
        ("0", 0),
        ("1", 100),
        ("1234.5", 123450),
        ("1234.56", 123456),
        (" 8,000.00 ", 800000),
        (250000, 25000000),
        (Decimal("0.01"), 1),
        ("-3.20", -320),
    ],
)
def test_yuan_to_fen_is_exact(yuan, fen):
    assert yuan_to_fen(yuan) == fen


@pytest.mark.parametrize("bad", ["1.234", "abc", "", "NaN", "Infinity", 1.5, True, "1e20"])
def test_yuan_to_fen_refuses_what_is_not_an_exact_amount(bad):
    with pytest.raises(InvalidAmount) as err:
        yuan_to_fen(bad)
    assert err.value.code == "invalid_amount"


@pytest.mark.parametrize(
    "fen, text", [(0, "0.00"), (1, "0.01"), (123456, "1234.56"), (-5, "-0.05"), (100, "1.00")]
)
def test_fen_to_yuan(fen, text):
    assert fen_to_yuan(fen) == text
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("bad", [0, -1, 1.0, True, "100", None, MAX_AMOUNT_FEN + 1])
def test_check_amount_refuses(bad):
    with pytest.raises(InvalidAmount) as err:
        check_amount(bad)
    assert http_status(err.value) == 422


def test_check_amount_accepts_bounds():
    assert check_amount(1) == 1
    assert check_amount(MAX_AMOUNT_FEN) == MAX_AMOUNT_FEN


def test_round_fen_is_half_up():
    assert round_fen(Decimal("2.5")) == 3
    assert round_fen(Decimal("-2.5")) == -3  # ROUND_HALF_UP rounds away from zero
    assert round_fen(Decimal("12349"), 100) == 12300
    assert round_fen(Decimal("12350"), 100) == 12400
