// The answers of GET /server and of the reconcile (docs/api.md, "Server overview", "Reconcile";
// docs/reconcile.md), from the generated types; only the dashboard reads them.
import type { Schemas } from '@/types/api';

export type Filesystem = Schemas['Filesystem'];
export type ServerFacts = Schemas['ServerFacts'];
export type ResourceCounts = Schemas['Counts'];
export type ServerOverview = Schemas['ServerOverview'];

export type ReconcileFinding = Schemas['Finding'];
export type ReconcileResource = ReconcileFinding['resource'];
export type ReconcileSummary = Schemas['ResourceSummary'];
export type ReconcileReport = Schemas['ReconcileReport'];
export type ReconcileState = Schemas['ReconcileState'];
