from datetime import date

import pytest

from tracker.domain.periods import PeriodError, current_period, parse_period_key, period_for, periods_of_year


@pytest.mark.parametrize(
    "day, frequency, key, start, end, label",
    [
        (date(2023, 6, 30), "monthly", "2023-06", date(2023, 6, 1), date(2023, 6, 30), "2023年6月"),
        (date(2024, 2, 10), "monthly", "2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
        (date(2023, 6, 30), "quarterly", "2023-Q2", date(2023, 4, 1), date(2023, 6, 30), "2023年第2季度"),
        (date(2023, 12, 31), "quarterly", "2023-Q4", date(2023, 10, 1), date(2023, 12, 31), "2023年第4季度"),
    ],
)
def test_period_for(day, frequency, key, start, end, label):
    period = period_for(day, frequency)
    assert (period.key, period.start, period.end, period.label) == (key, start, end, label)
    assert period.contains(day) and parse_period_key(key) == period


def test_periods_of_year():
    assert [p.key for p in periods_of_year(2023, "quarterly")] == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert len(periods_of_year(2023)) == 12


@pytest.mark.parametrize("key", ["2023-13", "2023-Q5", "2023", "abc", "2023-Q", "2023-1"])
def test_bad_keys(key):
    with pytest.raises(PeriodError, match="不是有效的填报期间"):
        parse_period_key(key)


@pytest.mark.parametrize(
    "today, year, key",
    [(date(2023, 7, 15), 2023, "2023-07"), (date(2026, 11, 26), 2023, "2023-12"), (date(2022, 12, 1), 2023, "2023-01")],
)
def test_current_period_is_clamped_into_the_year(today, year, key):
    assert current_period(today, year).key == key
