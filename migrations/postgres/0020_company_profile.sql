-- The company's profile (issues 12 and 15): the legal name, tax id and
-- address its printed documents carry, its logo (a PNG in the file store,
-- named by id so a changed logo gets a new address), and how it rounds a
-- document's tax (each line's, or the sum once). The company's own staff
-- change them; the application role may update only these columns.

ALTER TABLE tenants ADD COLUMN legal_name text;
ALTER TABLE tenants ADD COLUMN tax_id text;
ALTER TABLE tenants ADD COLUMN address text;
ALTER TABLE tenants ADD COLUMN logo_id uuid;
ALTER TABLE tenants ADD COLUMN rounding text NOT NULL DEFAULT 'line'
    CHECK (rounding IN ('line', 'document'));
GRANT UPDATE (legal_name, tax_id, address, logo_id, rounding) ON tenants TO portico_app;
