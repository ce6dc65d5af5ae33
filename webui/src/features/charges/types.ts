// The API's one-off charge shapes (docs/invoices.md, One-off charges), from the generated types;
// only this feature reads them.
import type { Schemas } from '@/types/api';

/** A line for an account's next invoice; `invoice` names the invoice that billed it, null while pending. */
export type Charge = Schemas['Charge'];
/** What POST /charges takes: the amount is a string with two decimals, never a number. */
export type ChargeCreate = Schemas['ChargeCreate'];
