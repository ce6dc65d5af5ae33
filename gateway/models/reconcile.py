"""Reconcile on the wire: the report (gateway/reconcile/report.py) and whether one runs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gateway.reconcile import ReconcileReport


class ReconcileState(BaseModel):
    running: bool = Field(description="A reconcile is under way")
    last: ReconcileReport | None = Field(description="The last report; null before the first")
