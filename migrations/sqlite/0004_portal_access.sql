-- Portal access (DESIGN.md §3): each contact's access to the two portals and its
-- sign-in secret; portal roles (named bundles of permissions, seeded and
-- tenant-editable); per link, the roles, the individual permissions and the
-- visible branches; single-use tokens (invitations, sign-in links, resets); and
-- each tenant's policy version, bumped with every change to any of these.

ALTER TABLE tenants ADD COLUMN policy_version INTEGER NOT NULL DEFAULT 1;

ALTER TABLE contacts ADD COLUMN customer_portal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN supplier_portal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN portal_password_hash TEXT;
ALTER TABLE contacts ADD COLUMN portal_activated_at TEXT;
ALTER TABLE contacts ADD COLUMN portal_signed_in_at TEXT;
-- none → invited → active; disabled when access is turned off after that.
ALTER TABLE contacts ADD COLUMN portal_status TEXT NOT NULL DEFAULT 'none' CHECK (portal_status IN ('none', 'invited', 'active', 'disabled'));
-- Set when too many failed sign-ins lock the contact out.
ALTER TABLE contacts ADD COLUMN portal_locked_until TEXT;
-- Every portal session carries the epoch it started in; bumping it ends them all.
ALTER TABLE contacts ADD COLUMN portal_session_epoch INTEGER NOT NULL DEFAULT 0;
CREATE INDEX contacts_portal_idx ON contacts (tenant_id, portal_status, sort_name, id);

CREATE TABLE portal_roles (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    id          BLOB NOT NULL,
    portal      TEXT NOT NULL CHECK (portal IN ('customer', 'supplier')),
    -- The role's key in policies/portal_roles.csv when it was seeded from there.
    seed_key    TEXT,
    name_es     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX portal_roles_seed_key ON portal_roles (tenant_id, portal, seed_key) WHERE seed_key IS NOT NULL;
CREATE UNIQUE INDEX portal_roles_name_key ON portal_roles (tenant_id, portal, lower(name_es));

CREATE TABLE portal_role_permissions (
    tenant_id   BLOB NOT NULL,
    role_id     BLOB NOT NULL,
    permission  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, permission),
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_roles (tenant_id, id) ON DELETE CASCADE
);

-- A customer link sees all the customer's branches, or only those in link_branches.
ALTER TABLE contact_links ADD COLUMN all_branches INTEGER NOT NULL DEFAULT 1;

CREATE TABLE link_roles (
    tenant_id   BLOB NOT NULL,
    link_id     BLOB NOT NULL,
    role_id     BLOB NOT NULL,
    PRIMARY KEY (tenant_id, link_id, role_id),
    FOREIGN KEY (tenant_id, link_id) REFERENCES contact_links (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX link_roles_role_idx ON link_roles (tenant_id, role_id);

CREATE TABLE link_permissions (
    tenant_id   BLOB NOT NULL,
    link_id     BLOB NOT NULL,
    permission  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, link_id, permission),
    FOREIGN KEY (tenant_id, link_id) REFERENCES contact_links (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE link_branches (
    tenant_id   BLOB NOT NULL,
    link_id     BLOB NOT NULL,
    branch_id   BLOB NOT NULL,
    PRIMARY KEY (tenant_id, link_id, branch_id),
    FOREIGN KEY (tenant_id, link_id) REFERENCES contact_links (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);

CREATE TABLE portal_tokens (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    id          BLOB NOT NULL,
    contact_id  BLOB NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invitation', 'sign_in', 'reset')),
    -- SHA-256 of the secret; the secret itself is only ever in the email.
    token_hash  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    revoked_at  TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX portal_tokens_hash_key ON portal_tokens (tenant_id, token_hash);
CREATE INDEX portal_tokens_contact_idx ON portal_tokens (tenant_id, contact_id, purpose, created_at DESC);

-- Existing companies get the seeded portal roles (policies/portal_roles.csv).
INSERT INTO portal_roles (tenant_id, id, portal, seed_key, name_es, name_en, created_at)
SELECT t.id, randomblob(16), v.portal, v.seed_key, v.name_es, v.name_en, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM tenants t CROSS JOIN (
    SELECT 'customer' AS portal, 'buyer' AS seed_key, 'Comprador' AS name_es, 'Buyer' AS name_en
    UNION ALL SELECT 'customer', 'approver', 'Aprobador', 'Approver'
    UNION ALL SELECT 'customer', 'accounts_payable', 'Cuentas por pagar', 'Accounts payable'
    UNION ALL SELECT 'customer', 'service', 'Servicio técnico', 'Service'
    UNION ALL SELECT 'customer', 'read_only', 'Solo lectura', 'Read-only'
    UNION ALL SELECT 'supplier', 'sales_rep', 'Ejecutivo de ventas', 'Sales representative'
    UNION ALL SELECT 'supplier', 'billing', 'Facturación', 'Billing'
    UNION ALL SELECT 'supplier', 'read_only', 'Solo lectura', 'Read-only'
) AS v;
INSERT INTO portal_role_permissions (tenant_id, role_id, permission)
SELECT r.tenant_id, r.id, v.permission
FROM portal_roles r JOIN (
    SELECT 'customer' AS portal, 'buyer' AS seed_key, 'quotes.view' AS permission
    UNION ALL SELECT 'customer', 'buyer', 'quotes.create'
    UNION ALL SELECT 'customer', 'buyer', 'orders.view'
    UNION ALL SELECT 'customer', 'buyer', 'orders.create'
    UNION ALL SELECT 'customer', 'buyer', 'documents.view'
    UNION ALL SELECT 'customer', 'approver', 'quotes.view'
    UNION ALL SELECT 'customer', 'approver', 'quotes.authorize'
    UNION ALL SELECT 'customer', 'approver', 'orders.view'
    UNION ALL SELECT 'customer', 'approver', 'orders.authorize'
    UNION ALL SELECT 'customer', 'approver', 'documents.view'
    UNION ALL SELECT 'customer', 'accounts_payable', 'sales.view'
    UNION ALL SELECT 'customer', 'accounts_payable', 'receivables.view'
    UNION ALL SELECT 'customer', 'accounts_payable', 'documents.view'
    UNION ALL SELECT 'customer', 'service', 'service_requests.view'
    UNION ALL SELECT 'customer', 'service', 'service_requests.create'
    UNION ALL SELECT 'customer', 'service', 'documents.view'
    UNION ALL SELECT 'customer', 'read_only', 'sales.view'
    UNION ALL SELECT 'customer', 'read_only', 'receivables.view'
    UNION ALL SELECT 'customer', 'read_only', 'quotes.view'
    UNION ALL SELECT 'customer', 'read_only', 'orders.view'
    UNION ALL SELECT 'customer', 'read_only', 'service_requests.view'
    UNION ALL SELECT 'customer', 'read_only', 'documents.view'
    UNION ALL SELECT 'supplier', 'sales_rep', 'purchase_orders.view'
    UNION ALL SELECT 'supplier', 'sales_rep', 'purchase_orders.acknowledge'
    UNION ALL SELECT 'supplier', 'sales_rep', 'documents.view'
    UNION ALL SELECT 'supplier', 'billing', 'supplier_invoices.view'
    UNION ALL SELECT 'supplier', 'billing', 'supplier_invoices.create'
    UNION ALL SELECT 'supplier', 'billing', 'payables.view'
    UNION ALL SELECT 'supplier', 'billing', 'documents.view'
    UNION ALL SELECT 'supplier', 'read_only', 'purchase_orders.view'
    UNION ALL SELECT 'supplier', 'read_only', 'supplier_invoices.view'
    UNION ALL SELECT 'supplier', 'read_only', 'payables.view'
    UNION ALL SELECT 'supplier', 'read_only', 'documents.view'
) AS v ON r.portal = v.portal AND r.seed_key = v.seed_key;
