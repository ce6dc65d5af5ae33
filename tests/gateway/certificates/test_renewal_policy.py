"""When certificates renew (gateway/renewal_policy.py; no sandbox): a third of the lifetime
before expiry, and after failures doubling waits of at most a day, so a failing renewal of a
90-day certificate is tried about 30 times before it expires and never in a loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.renewal_policy import renew_at, retry_at

START = datetime(2026, 12, 1, tzinfo=UTC)


def test_renewal_starts_with_a_third_of_the_lifetime_left() -> None:
    assert renew_at(START, START + timedelta(days=90)) == START + timedelta(days=60)
    assert renew_at(START, START + timedelta(days=6)) == START + timedelta(days=4)


def test_retries_wait_longer_and_longer_up_to_a_day() -> None:
    waits = [retry_at(START, failures) - START for failures in range(1, 9)]
    hours = [wait / timedelta(hours=1) for wait in waits]
    assert hours == [1, 2, 4, 8, 16, 24, 24, 24]
    assert retry_at(START, 0) - START == timedelta(hours=1)
    assert retry_at(START, 10_000) - START == timedelta(days=1)


def test_a_failing_renewal_is_tried_often_before_expiry_but_never_in_a_loop() -> None:
    not_after = START + timedelta(days=90)
    moment, failures, tries = renew_at(START, not_after), 0, 0
    while moment < not_after:
        tries += 1
        failures += 1
        moment = retry_at(moment, failures)
    assert 25 <= tries <= 35
