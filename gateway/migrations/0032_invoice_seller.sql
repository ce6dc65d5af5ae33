-- An issued invoice keeps the seller's lines it was issued with (docs/invoices.md): its PDF,
-- and its credit note's, print those, whatever the billing settings say later. NULL for a
-- draft (it prints the settings as they are) and for invoices issued before this migration.
ALTER TABLE invoices ADD COLUMN seller VARCHAR(1000) NULL;
