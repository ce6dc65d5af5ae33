"""What an account owes for a billing period: pure arithmetic on exact decimals (docs/invoices.md).

Invoices are made in arrears, at the start of a period, for the period that just ended: each
stretch of time the account spent on a priced plan of that billing period is one line, its
price times the share of the period it covers (to the second), rounded half up to the cent.
Tax is the settings' rate on the sum of the rounded lines, rounded the same way. Nothing here
uses floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal, Protocol

Period = Literal["month", "year"]
CENT: Final = Decimal("0.01")
HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class PlanSpan:
    """From `since` the account was on this plan (until the next span's `since`)."""

    since: datetime
    plan: str
    price: Decimal | None  # per billing period; None: not billed
    period: Period


@dataclass(frozen=True, slots=True)
class Line:
    plan: str
    start: datetime
    end: datetime
    price: Decimal  # the plan's price for a whole period
    amount: Decimal  # its share for [start, end), to the cent

    @property
    def description(self) -> str:
        return f"Plan {self.plan}, {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def window(period: Period, ending: datetime) -> tuple[datetime, datetime]:
    """The calendar month or year (UTC) that ends at `ending`, which must start one."""
    ending = ending.astimezone(UTC)
    if ending != _start_of(period, ending):
        raise ValueError(f"{ending} does not start a {period}")
    if period == "year":
        return ending.replace(year=ending.year - 1), ending
    year, month = (ending.year, ending.month - 1) if ending.month > 1 else (ending.year - 1, 12)
    return ending.replace(year=year, month=month), ending


def periods_ending(at: datetime) -> list[Period]:
    """The billing periods that end at `at` (a month's start; January's ends a year too)."""
    at = at.astimezone(UTC)
    ending: list[Period] = []
    if at == _start_of("month", at):
        ending.append("month")
    if at == _start_of("year", at):
        ending.append("year")
    return ending


def current_boundary(now: datetime) -> datetime:
    """The start of the month `now` is in: the last moment periods ended."""
    return _start_of("month", now.astimezone(UTC))


def next_boundary(now: datetime) -> datetime:
    """The start of the month after the one `now` is in."""
    start = current_boundary(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def lines(spans: Sequence[PlanSpan], period: Period, start: datetime, end: datetime) -> list[Line]:
    """One line per stretch of [start, end) spent on a priced plan billed per `period`.

    Back-to-back spans of the same plan at the same price are one stretch, so a period spent
    on one plan is billed at exactly its price."""
    length = Decimal((end - start).total_seconds())
    stretches: list[tuple[PlanSpan, datetime, datetime]] = []
    ordered = sorted(spans, key=lambda span: span.since)
    for index, span in enumerate(ordered):
        until = ordered[index + 1].since if index + 1 < len(ordered) else end
        begin, finish = max(span.since, start), min(until, end)
        if finish <= begin or span.price is None or span.period != period:
            continue
        last = stretches[-1] if stretches else None
        if last and last[0].plan == span.plan and last[0].price == span.price and last[2] == begin:
            stretches[-1] = (last[0], last[1], finish)
        else:
            stretches.append((span, begin, finish))
    found: list[Line] = []
    for span, begin, finish in stretches:
        assert span.price is not None
        share = Decimal((finish - begin).total_seconds()) / length
        found.append(Line(span.plan, begin, finish, span.price, cents(span.price * share)))
    return found


class Billed(Protocol):
    """A line of an invoice: a plan's stretch (Line) or a one-off charge."""

    @property
    def amount(self) -> Decimal: ...


def totals(items: Sequence[Billed], tax_rate: Decimal) -> Totals:
    net = sum((line.amount for line in items), Decimal("0.00"))
    tax = cents(net * tax_rate / HUNDRED)
    return Totals(net, tax, net + tax)


def _start_of(period: Period, moment: datetime) -> datetime:
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start.replace(month=1) if period == "year" else start
