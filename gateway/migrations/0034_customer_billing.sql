-- An account's billing details (docs/invoices.md, "The customer"): the customer's name and
-- address printed on its invoices (up to 8 lines joined by LF, as the seller's), its VAT
-- number, and whether its invoices fall under the reverse charge (a business in another EU
-- country: no tax, the customer accounts for it). The tax rate becomes optional in the row,
-- which now exists for any of them. A reverse charge needs the VAT number, and bills no tax.
ALTER TABLE account_billing
    MODIFY tax_rate DECIMAL(5, 2) NULL,
    ADD COLUMN customer VARCHAR(1000) NOT NULL DEFAULT '',
    ADD COLUMN vat_number VARCHAR(15) NULL,
    ADD COLUMN reverse_charge BOOLEAN NOT NULL DEFAULT FALSE,
    ADD CONSTRAINT account_billing_reverse_charge CHECK (
        NOT reverse_charge OR (vat_number IS NOT NULL AND (tax_rate IS NULL OR tax_rate = 0)));
-- An invoice made under the reverse charge says so (decided at the run, with its tax); the
-- customer's lines and VAT number go with it when it is issued, as the seller's do, so a draft
-- prints them as they are and an issued invoice as they were.
ALTER TABLE invoices
    ADD COLUMN reverse_charge BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN customer VARCHAR(1000) NULL,
    ADD COLUMN vat_number VARCHAR(15) NULL;
