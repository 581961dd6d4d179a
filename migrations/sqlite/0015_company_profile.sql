-- SQLite twin of postgres/0020_company_profile.sql. The company's profile
-- (issues 12 and 15): the legal name, tax id and address its printed
-- documents carry, its logo (a PNG in the file store, named by id so a
-- changed logo gets a new address), and how it rounds a document's tax.

ALTER TABLE tenants ADD COLUMN legal_name TEXT;
ALTER TABLE tenants ADD COLUMN tax_id TEXT;
ALTER TABLE tenants ADD COLUMN address TEXT;
ALTER TABLE tenants ADD COLUMN logo_id BLOB;
ALTER TABLE tenants ADD COLUMN rounding TEXT NOT NULL DEFAULT 'line'
    CHECK (rounding IN ('line', 'document'));
