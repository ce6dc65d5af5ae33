"""Configs checked before they go live: a batch together first, then its changes one by one.

nginx (web) and named (DNS) take a batch of changes the same way: apply them all to the live
state, stage the result and run the program's check on it (`nginx -t`, `named-checkzone`). When
the check refuses the batch, only the offending changes may fail: the changes are added to the
live state again one at a time, each staged and checked, and those the check refuses fail with
the program's reason while the others go live. What "stage" and "check" mean, and how a checked
state is published, stays with each resource (nginx publishes whole generations, see
agent/system/web/nginx.py; named gets one zone file at a time): this module only orders the
attempts and decides who fails.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from agent.errors import AgentError
from agent.system.base.work import Pending

logger = logging.getLogger(__name__)

S = TypeVar("S")  # a state: what is staged and checked (nginx's sites, one DNS zone)
C = TypeVar("C")  # what a change says
R = TypeVar("R")  # what applying a change gives back (its caller may get more: DNS adds the zone)


async def check_batch(
    base: S,
    candidate: S,
    outcomes: Sequence[tuple[Pending[C, Any], R]],
    *,
    apply: Callable[[S, C], tuple[S, R]],
    check: Callable[[S], Awaitable[None]],
    rejected: type[AgentError],
    base_checked: bool = True,
    noun: str = "the check",
) -> tuple[S, list[tuple[Pending[C, Any], R]]]:
    """The state to publish and the changes it carries, given `candidate`: all of `outcomes`
    applied in order to `base` (each change's result beside it).

    `check(state)` stages a state and raises `rejected` when the program refuses it. When it
    refuses the candidate: with one change on a base known to pass (`base_checked`), that change
    fails; otherwise, the base is checked first when it is not known to pass (a refused base
    raises: it is the whole batch's failure, as it is with no change at all), then each change
    is applied with `apply` to the state accepted so far and checked; a change that `apply`
    refuses (it relied on one refused before it) or that the program refuses fails, and the
    others are kept. A change that leaves the state as it was needs no check. The state
    `check` staged last may be a refused one (the last change tried): what the caller publishes
    is the state returned, never simply the last staged.
    """
    try:
        await check(candidate)
        return candidate, list(outcomes)
    except rejected as error:
        if not outcomes:
            raise
        if len(outcomes) == 1 and base_checked:
            outcomes[0][0].fail(error)
            return base, []
        logger.warning("%s refused %d changes together; checking each", noun, len(outcomes))
    if not base_checked:
        await check(base)
    return await _one_by_one(base, outcomes, apply, check, rejected)


async def _one_by_one(
    base: S,
    outcomes: Sequence[tuple[Pending[C, Any], R]],
    apply: Callable[[S, C], tuple[S, R]],
    check: Callable[[S], Awaitable[None]],
    rejected: type[AgentError],
) -> tuple[S, list[tuple[Pending[C, Any], R]]]:
    good, kept = base, []
    for pending, _ in outcomes:
        try:
            trial, result = apply(good, pending.change)
        except AgentError as error:
            pending.fail(error)
            continue
        if trial is not good and trial != good:
            try:
                await check(trial)
            except rejected as error:
                pending.fail(error)
                continue
        good = trial
        kept.append((pending, result))
    return good, kept
