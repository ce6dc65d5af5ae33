"""The invoice arithmetic on its own (no database): pro-rating to the second, cents rounded
half up, tax on the sum of the lines, periods and windows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.invoicing import (
    PlanSpan,
    Totals,
    current_boundary,
    lines,
    periods_ending,
    totals,
    window,
)

NOV, DEC = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


def span(day: int, plan: str, price: str | None, period: str = "month", hour: int = 0) -> PlanSpan:
    since = (
        datetime(2026, 11, day, hour, tzinfo=UTC) if day > 0 else datetime(2026, 1, 1, tzinfo=UTC)
    )
    return PlanSpan(since, plan, None if price is None else Decimal(price), period)  # type: ignore[arg-type]


def test_a_whole_month_on_one_plan_is_its_price() -> None:
    found = lines([span(0, "basic", "9.99")], "month", NOV, DEC)
    assert [(line.plan, line.amount) for line in found] == [("basic", Decimal("9.99"))]


def test_a_change_mid_month_is_pro_rated_to_the_cent() -> None:
    found = lines([span(0, "basic", "10.00"), span(11, "pro", "30.00")], "month", NOV, DEC)
    assert [(line.plan, line.amount) for line in found] == [
        ("basic", Decimal("3.33")),  # 10 of 30 days
        ("pro", Decimal("20.00")),  # 20 of 30 days
    ]
    assert totals(found, Decimal("21.00")) == Totals(
        Decimal("23.33"), Decimal("4.90"), Decimal("28.23")
    )


def test_half_a_cent_rounds_up_and_tax_is_on_the_rounded_sum() -> None:
    # 0.05 for 1/10 of the month: 0.005 -> 0.01 (half up, not to even).
    found = lines([span(0, "free", None), span(28, "tiny", "0.05")], "month", NOV, DEC)
    assert [line.amount for line in found] == [Decimal("0.01")]
    assert totals(found, Decimal("50.00")).tax == Decimal("0.01")  # 0.005 -> 0.01


def test_a_plan_joined_mid_day_counts_the_seconds() -> None:
    found = lines([span(16, "basic", "10.00", hour=12)], "month", NOV, DEC)
    assert [line.amount for line in found] == [Decimal("4.83")]  # 14.5 of 30 days


def test_free_and_other_period_plans_make_no_line() -> None:
    assert lines([span(0, "free", None)], "month", NOV, DEC) == []
    assert lines([span(0, "yearly", "120.00", "year")], "month", NOV, DEC) == []


def test_returning_to_the_same_plan_bills_it_as_one_stretch_per_stretch() -> None:
    found = lines(
        [span(0, "basic", "10.00"), span(11, "pro", "30.00"), span(21, "basic", "10.00")],
        "month",
        NOV,
        DEC,
    )
    assert [(line.plan, line.amount) for line in found] == [
        ("basic", Decimal("3.33")),
        ("pro", Decimal("10.00")),
        ("basic", Decimal("3.33")),
    ]


def test_windows_and_the_periods_ending() -> None:
    assert window("month", DEC) == (NOV, DEC)
    jan = datetime(2027, 1, 1, tzinfo=UTC)
    assert window("month", jan) == (DEC, jan)
    assert window("year", jan) == (datetime(2026, 1, 1, tzinfo=UTC), jan)
    assert periods_ending(DEC) == ["month"]
    assert periods_ending(jan) == ["month", "year"]
    assert current_boundary(datetime(2026, 12, 4, 22, 45, tzinfo=UTC)) == DEC
    with pytest.raises(ValueError, match="does not start"):
        window("year", DEC)


@given(
    price=st.decimals(min_value=0, max_value=10_000, places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=30 * 86400 - 1), max_size=5, unique=True),
)
def test_a_month_split_on_one_plan_sums_to_its_price(price: Decimal, cuts: list[int]) -> None:
    """However often the record of one plan is split (same plan, same price), the month bills
    exactly its price: stretches are joined before they are priced."""
    seconds = sorted(cuts)
    spans = [PlanSpan(datetime(2026, 1, 1, tzinfo=UTC), "basic", price, "month")] + [
        PlanSpan(datetime.fromtimestamp(NOV.timestamp() + s, UTC), "basic", price, "month")
        for s in seconds
    ]
    found = lines(spans, "month", NOV, DEC)
    assert sum(line.amount for line in found) == price
