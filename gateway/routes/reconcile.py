"""Reconcile on demand: administrators compare the records with the system and see the report
(gateway/reconcile/ holds the comparison and the repairs; the app holds one Reconciler, which
serializes runs, so the handlers only ask it)."""

from __future__ import annotations

from aiohttp import web

from gateway import keys
from gateway.api import Call, Operation, json_response
from gateway.models.reconcile import ReconcileState
from gateway.reconcile import RECONCILE_PATH, ReconcileReport


async def run_reconcile(call: Call) -> web.StreamResponse:
    report = await call.request.app[keys.RECONCILER].run(call.me.name, "request")
    return json_response(report)


async def get_reconcile(call: Call) -> web.StreamResponse:
    reconciler = call.request.app[keys.RECONCILER]
    return json_response(ReconcileState(running=reconciler.running, last=reconciler.last))


operations = [
    Operation(
        "POST",
        RECONCILE_PATH,
        run_reconcile,
        "runReconcile",
        "Compare the records with the system now, repair what is safe, report the rest",
        "reconcile",
        response=ReconcileReport,
        errors=(503,),
    ),
    Operation(
        "GET",
        RECONCILE_PATH,
        get_reconcile,
        "getReconcile",
        "The last reconcile's report, and whether one is under way",
        "reconcile",
        response=ReconcileState,
    ),
]
