-- The role a contact's link gets when the contact is given access to a portal for
-- the first time (e.g. from the Add Contact form's portal box), per tenant and
-- portal. No row means none: the link grants nothing until staff choose. Deleting
-- the role deletes the row, so the default falls back to none.

CREATE TABLE portal_default_roles (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    portal      TEXT NOT NULL CHECK (portal IN ('customer', 'supplier')),
    role_id     BLOB NOT NULL,
    PRIMARY KEY (tenant_id, portal),
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX portal_default_roles_role_idx ON portal_default_roles (tenant_id, role_id);
