"""When a certificate renews (pure): at a third of its lifetime left, and after a failure again
later and later (1 h, 2 h, 4 h, ... at most a day apart), so a CA's rate limits are never spent
on a retry loop and a failing renewal is retried long before the certificate expires (90 days:
renewal starts 30 days ahead, about 30 tries in the worst case)."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(hours=1)
LONGEST_RETRY = timedelta(days=1)


def renew_at(not_before: datetime, not_after: datetime) -> datetime:
    """When a third of the certificate's lifetime is left."""
    return not_after - (not_after - not_before) / 3


def retry_at(now: datetime, failures: int) -> datetime:
    """After `failures` failed attempts in a row (1 or more): doubling waits, at most a day."""
    doublings: int = min(max(failures, 1) - 1, 16)
    wait: timedelta = FIRST_RETRY * (1 << doublings)
    return now + min(wait, LONGEST_RETRY)


def next_try(now: datetime, failures: int, ca_retry_after: datetime | None) -> datetime:
    """The next try after a failure: the doubling wait, or later when the CA said so (its
    Retry-After on a rate limit): asking before that only spends the limit again."""
    ours = retry_at(now, failures)
    return ours if ca_retry_after is None else max(ours, ca_retry_after)
