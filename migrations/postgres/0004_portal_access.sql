-- Portal access (DESIGN.md §3): each contact's access to the two portals and its
-- sign-in secret; portal roles (named bundles of permissions, seeded and
-- tenant-editable); per link, the roles, the individual permissions and the
-- visible branches; single-use tokens (invitations, sign-in links, resets); and
-- each tenant's policy version, bumped with every change to any of these.

ALTER TABLE tenants ADD COLUMN policy_version bigint NOT NULL DEFAULT 1;

ALTER TABLE contacts ADD COLUMN customer_portal boolean NOT NULL DEFAULT false;
ALTER TABLE contacts ADD COLUMN supplier_portal boolean NOT NULL DEFAULT false;
ALTER TABLE contacts ADD COLUMN portal_password_hash text;
ALTER TABLE contacts ADD COLUMN portal_activated_at timestamptz;
ALTER TABLE contacts ADD COLUMN portal_signed_in_at timestamptz;
-- none → invited → active; disabled when access is turned off after that.
ALTER TABLE contacts ADD COLUMN portal_status text NOT NULL DEFAULT 'none' CHECK (portal_status IN ('none', 'invited', 'active', 'disabled'));
-- Set when too many failed sign-ins lock the contact out.
ALTER TABLE contacts ADD COLUMN portal_locked_until timestamptz;
-- Every portal session carries the epoch it started in; bumping it ends them all.
ALTER TABLE contacts ADD COLUMN portal_session_epoch integer NOT NULL DEFAULT 0;
CREATE INDEX contacts_portal_idx ON contacts (tenant_id, portal_status, sort_name, id);

CREATE TABLE portal_roles (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    portal      text NOT NULL CHECK (portal IN ('customer', 'supplier')),
    -- The role's key in policies/portal_roles.csv when it was seeded from there.
    seed_key    text,
    name_es     text NOT NULL,
    name_en     text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX portal_roles_seed_key ON portal_roles (tenant_id, portal, seed_key) WHERE seed_key IS NOT NULL;
CREATE UNIQUE INDEX portal_roles_name_key ON portal_roles (tenant_id, portal, lower(name_es));

CREATE TABLE portal_role_permissions (
    tenant_id   uuid NOT NULL,
    role_id     uuid NOT NULL,
    permission  text NOT NULL,
    PRIMARY KEY (tenant_id, role_id, permission),
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_roles (tenant_id, id) ON DELETE CASCADE
);

-- A customer link sees all the customer's branches, or only those in link_branches.
ALTER TABLE contact_links ADD COLUMN all_branches boolean NOT NULL DEFAULT true;

CREATE TABLE link_roles (
    tenant_id   uuid NOT NULL,
    link_id     uuid NOT NULL,
    role_id     uuid NOT NULL,
    PRIMARY KEY (tenant_id, link_id, role_id),
    FOREIGN KEY (tenant_id, link_id) REFERENCES contact_links (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES portal_roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX link_roles_role_idx ON link_roles (tenant_id, role_id);

CREATE TABLE link_permissions (
    tenant_id   uuid NOT NULL,
    link_id     uuid NOT NULL,
    permission  text NOT NULL,
    PRIMARY KEY (tenant_id, link_id, permission),
    FOREIGN KEY (tenant_id, link_id) REFERENCES contact_links (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE link_branches (
    tenant_id   uuid NOT NULL,
    link_id     uuid NOT NULL,
    branch_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, link_id, branch_id),
    FOREIGN KEY (tenant_id, link_id) REFERENCES contact_links (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);

CREATE TABLE portal_tokens (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    contact_id  uuid NOT NULL,
    purpose     text NOT NULL CHECK (purpose IN ('invitation', 'sign_in', 'reset')),
    -- SHA-256 of the secret; the secret itself is only ever in the email.
    token_hash  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX portal_tokens_hash_key ON portal_tokens (tenant_id, token_hash);
CREATE INDEX portal_tokens_contact_idx ON portal_tokens (tenant_id, contact_id, purpose, created_at DESC);

-- Existing companies get the seeded portal roles (policies/portal_roles.csv).
INSERT INTO portal_roles (tenant_id, id, portal, seed_key, name_es, name_en, created_at)
SELECT t.id, gen_random_uuid(), v.portal, v.seed_key, v.name_es, v.name_en, now()
FROM tenants t CROSS JOIN (VALUES
    ('customer', 'buyer', 'Comprador', 'Buyer'),
    ('customer', 'approver', 'Aprobador', 'Approver'),
    ('customer', 'accounts_payable', 'Cuentas por pagar', 'Accounts payable'),
    ('customer', 'service', 'Servicio técnico', 'Service'),
    ('customer', 'read_only', 'Solo lectura', 'Read-only'),
    ('supplier', 'sales_rep', 'Ejecutivo de ventas', 'Sales representative'),
    ('supplier', 'billing', 'Facturación', 'Billing'),
    ('supplier', 'read_only', 'Solo lectura', 'Read-only')
) AS v (portal, seed_key, name_es, name_en);
INSERT INTO portal_role_permissions (tenant_id, role_id, permission)
SELECT r.tenant_id, r.id, v.permission
FROM portal_roles r JOIN (VALUES
    ('customer', 'buyer', 'quotes.view'),
    ('customer', 'buyer', 'quotes.create'),
    ('customer', 'buyer', 'orders.view'),
    ('customer', 'buyer', 'orders.create'),
    ('customer', 'buyer', 'documents.view'),
    ('customer', 'approver', 'quotes.view'),
    ('customer', 'approver', 'quotes.authorize'),
    ('customer', 'approver', 'orders.view'),
    ('customer', 'approver', 'orders.authorize'),
    ('customer', 'approver', 'documents.view'),
    ('customer', 'accounts_payable', 'sales.view'),
    ('customer', 'accounts_payable', 'receivables.view'),
    ('customer', 'accounts_payable', 'documents.view'),
    ('customer', 'service', 'service_requests.view'),
    ('customer', 'service', 'service_requests.create'),
    ('customer', 'service', 'documents.view'),
    ('customer', 'read_only', 'sales.view'),
    ('customer', 'read_only', 'receivables.view'),
    ('customer', 'read_only', 'quotes.view'),
    ('customer', 'read_only', 'orders.view'),
    ('customer', 'read_only', 'service_requests.view'),
    ('customer', 'read_only', 'documents.view'),
    ('supplier', 'sales_rep', 'purchase_orders.view'),
    ('supplier', 'sales_rep', 'purchase_orders.acknowledge'),
    ('supplier', 'sales_rep', 'documents.view'),
    ('supplier', 'billing', 'supplier_invoices.view'),
    ('supplier', 'billing', 'supplier_invoices.create'),
    ('supplier', 'billing', 'payables.view'),
    ('supplier', 'billing', 'documents.view'),
    ('supplier', 'read_only', 'purchase_orders.view'),
    ('supplier', 'read_only', 'supplier_invoices.view'),
    ('supplier', 'read_only', 'payables.view'),
    ('supplier', 'read_only', 'documents.view')
) AS v (portal, seed_key, permission) ON r.portal = v.portal AND r.seed_key = v.seed_key;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['portal_roles', 'portal_role_permissions', 'link_roles', 'link_permissions', 'link_branches', 'portal_tokens']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
            'USING (tenant_id = NULLIF(current_setting(''portico.tenant_id'', true), '''')::uuid) '
            'WITH CHECK (tenant_id = NULLIF(current_setting(''portico.tenant_id'', true), '''')::uuid)', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO portico_app', t);
    END LOOP;
END
$$;
