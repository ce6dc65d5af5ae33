// The API's invoice shapes (docs/invoices.md), from the generated types; only this feature
// reads them.
import type { Schemas } from '@/types/api';

export type Invoice = Schemas['Invoice'];
/** draft (administrators only) -> issued (numbered) -> paid or void. */
export type InvoiceStatus = Invoice['status'];
export type InvoiceRun = Schemas['InvoiceRun'];
/** Currency (ISO 4217), tax rate in percent ("21.00") and the seller's lines on invoices. */
export type BillingSettings = Schemas['BillingSettings'];
