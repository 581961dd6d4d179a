-- The role a contact's link gets when the contact is given access to a portal for
-- the first time (e.g. from the Add Contact form's portal box), per tenant and
-- portal. No row means none: the link grants nothing until staff choose. Deleting
-- the role deletes the row, so the default falls back to none.

CREATE TABLE portal_default_roles (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    portal      text NOT NULL CHECK (portal IN ('customer', 'supplier')),
    role_id     uuid NOT NULL,
    PRIMARY KEY (tenant_id, portal),
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX portal_default_roles_role_idx ON portal_default_roles (tenant_id, role_id);

ALTER TABLE portal_default_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_default_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_default_roles
    USING (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON portal_default_roles TO portico_app;
