"""One formatting rule for amounts and rates (issue 10, daily use 1)."""

from decimal import Decimal as D

import pytest

from tracker.domain import formatting


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("35.2"), "35.20"),
        (D("0.964"), "0.96"),
        (D("1.234567"), "1.23"),
        (D("2.6946"), "2.69"),
        (D("1234.565"), "1,234.57"),
        (D("0.125"), "0.13"),
        (D("3898.22"), "3,898.22"),
        (None, "—"),
        (0, "0.00"),
    ],
)
def test_money(value, shown):
    assert formatting.money(value) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (D("0.3446"), "34.46%"),
        (D("0.34455"), "34.46%"),
        (D("0.345"), "34.50%"),
        (D("1"), "100.00%"),
        (D("12.5"), "1,250.00%"),
        (None, "—"),
    ],
)
def test_rate(fraction, shown):
    assert formatting.rate(fraction) == shown


def test_half_up_not_half_even():
    assert formatting.money(D("0.125")) == "0.13" and formatting.money(D("0.135")) == "0.14"
