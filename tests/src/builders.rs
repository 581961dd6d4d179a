//! Fixture builders: a company and the records a test needs in it (staff of a
//! role, accounts with branches, contacts linked with grants, API keys, signed-in
//! sessions), written once instead of per test file.

use portico_auth::hash_password;
use portico_data::{
    AccountId, Actor, BranchId, By, ContactId, LinkAccessInput, LinkId, PortalTokenPurpose, Tenant,
};
use portico_domain::{
    AccountFields, AccountKind, BranchFields, ContactFields, Email, LinkFields, Portal, StaffRole,
};
use uuid::Uuid;

use crate::{Browser, PASSWORD, Page, TestApp};

/// Changes made by the test itself, not by a user.
pub const SYSTEM: By<'static> = By {
    actor: Actor::System,
    request_id: None,
};

/// A company being built: created with its owner `owner@<slug>.test`.
pub struct Company<'a> {
    app: &'a TestApp,
    pub tenant: Tenant,
    pub slug: String,
}

/// What a contact's link grants: seeded roles (by key, `buyer`), permissions
/// (`documents.view`) and the branches they reach (`None`: every branch).
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub roles: Vec<&'static str>,
    pub permissions: Vec<&'static str>,
    pub branches: Option<Vec<BranchId>>,
    /// The link's approval limit (`None`: no limit).
    pub approval_limit: Option<rust_decimal::Decimal>,
}

impl Grant {
    /// These permissions on every branch.
    pub fn all_branches(permissions: &[&'static str]) -> Self {
        Self {
            roles: Vec::new(),
            permissions: permissions.to_vec(),
            branches: None,
            approval_limit: None,
        }
    }

    /// These permissions on these branches only.
    pub fn branches(permissions: &[&'static str], branches: &[BranchId]) -> Self {
        Self {
            roles: Vec::new(),
            permissions: permissions.to_vec(),
            branches: Some(branches.to_vec()),
            approval_limit: None,
        }
    }

    /// The same grant with an approval limit (`"5000"`).
    pub fn limited(self, limit: &str) -> Self {
        Self {
            approval_limit: Some(limit.parse().expect("a decimal limit")),
            ..self
        }
    }

    /// The same grant with these seeded roles (by key) as well.
    pub fn with_roles(self, roles: &[&'static str]) -> Self {
        Self {
            roles: roles.to_vec(),
            ..self
        }
    }
}

/// The portal where an account kind's contacts sign in.
pub fn portal_of(kind: AccountKind) -> Portal {
    match kind {
        AccountKind::Customer => Portal::Customer,
        AccountKind::Supplier => Portal::Supplier,
    }
}

impl<'a> Company<'a> {
    /// A new active company `slug` with its owner (password [`PASSWORD`]).
    pub async fn new(app: &'a TestApp, slug: &str) -> Self {
        Self::named(app, slug, &format!("Empresa {slug}")).await
    }

    /// A new active company `slug` called `name` (as mails and pages show it).
    pub async fn named(app: &'a TestApp, slug: &str, name: &str) -> Self {
        Self {
            tenant: app.company_named(slug, name).await,
            app,
            slug: slug.to_owned(),
        }
    }

    /// The company's site (`<slug>.localhost:8080`).
    pub fn host(&self) -> String {
        format!("{}.localhost:8080", self.slug)
    }

    /// The company's site as a URL (`http://<slug>.localhost:8080`), as mails link to it.
    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// A staff user `email` of `role`, password [`PASSWORD`].
    pub async fn staff(&self, email: &str, role: StaffRole) {
        self.app.staff(&self.tenant, email, role).await;
    }

    /// A staff user `email` of `role`, signed in to the back office.
    pub async fn signed_in_staff(&self, email: &str, role: StaffRole) -> Browser<'a> {
        self.staff(email, role).await;
        self.staff_session(email).await
    }

    /// A customer (with branches enabled, as new customers are) or supplier.
    pub async fn account(&self, kind: AccountKind, code: &str, name: &str) -> AccountId {
        let fields = AccountFields {
            code: code.into(),
            name: name.into(),
            branches_enabled: kind == AccountKind::Customer,
            ..Default::default()
        };
        self.account_with(kind, &fields).await
    }

    /// An account with exactly these fields.
    pub async fn account_with(&self, kind: AccountKind, fields: &AccountFields) -> AccountId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let id = tx
            .accounts()
            .create(kind, fields, SYSTEM)
            .await
            .expect("account")
            .id;
        tx.commit().await.expect("commit");
        id
    }

    /// A customer with branches enabled and these `(code, name)` branches, in order.
    pub async fn customer_with_branches(
        &self,
        code: &str,
        name: &str,
        branches: &[(&str, &str)],
    ) -> (AccountId, Vec<BranchId>) {
        let account = self.account(AccountKind::Customer, code, name).await;
        let mut ids = Vec::new();
        for (code, name) in branches {
            ids.push(self.branch(account, code, name).await);
        }
        (account, ids)
    }

    /// A branch of `account`.
    pub async fn branch(&self, account: AccountId, code: &str, name: &str) -> BranchId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let fields = BranchFields {
            code: code.into(),
            name: name.into(),
            ..Default::default()
        };
        let branch = tx
            .branches()
            .create(account, &fields, SYSTEM)
            .await
            .expect("branch");
        tx.commit().await.expect("commit");
        branch.expect("the account exists").id
    }

    /// A contact with an email and no links.
    pub async fn contact(&self, first: &str, last: &str, email: &str) -> ContactId {
        let fields = ContactFields {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(Email::parse(email).expect("email")),
            ..Default::default()
        };
        self.contact_with(&fields).await
    }

    /// A contact with exactly these fields and no links.
    pub async fn contact_with(&self, fields: &ContactFields) -> ContactId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let id = tx
            .contacts()
            .create(fields, SYSTEM)
            .await
            .expect("contact")
            .id;
        tx.commit().await.expect("commit");
        id
    }

    /// A contact with portal access to `portals` and, when `password`, the
    /// password [`PASSWORD`]; no links.
    pub async fn portal_contact(
        &self,
        fields: &ContactFields,
        portals: &[Portal],
        password: bool,
    ) -> ContactId {
        let id = self.contact_with(fields).await;
        for portal in portals {
            self.open_portal(id, *portal).await;
        }
        if password {
            self.set_password(id).await;
        }
        id
    }

    /// Turns `portal` access on (or off) for `contact`.
    pub async fn portal_access(&self, contact: ContactId, portal: Portal, on: bool) {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        tx.portal_access()
            .set(contact, portal, on, SYSTEM)
            .await
            .expect("portal access");
        tx.commit().await.expect("commit");
    }

    /// Turns `portal` access on for `contact`.
    pub async fn open_portal(&self, contact: ContactId, portal: Portal) {
        self.portal_access(contact, portal, true).await;
    }

    /// Gives `contact` the portal password [`PASSWORD`].
    pub async fn set_password(&self, contact: ContactId) {
        let hash = hash_password(PASSWORD).await.expect("hash");
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        tx.portal_credentials()
            .set_password(contact, &hash, SYSTEM)
            .await
            .expect("password")
            .expect("the contact exists");
        tx.commit().await.expect("commit");
    }

    /// Archives (or restores) `contact`.
    pub async fn archive(&self, contact: ContactId, archived: bool) {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        tx.contacts()
            .set_archived(contact, archived, SYSTEM)
            .await
            .expect("archive");
        tx.commit().await.expect("commit");
    }

    /// Links `contact` to `account` with `grant`, opens the account's portal
    /// to it and gives it the password [`PASSWORD`].
    pub async fn link(
        &self,
        contact: ContactId,
        account: AccountId,
        kind: AccountKind,
        grant: &Grant,
    ) -> LinkId {
        self.open_portal(contact, portal_of(kind)).await;
        let link = self
            .link_only(contact, account, portal_of(kind), grant)
            .await;
        self.set_password(contact).await;
        link
    }

    /// Links `contact` to `account` (whose contacts use `portal`) with `grant`,
    /// leaving portal access and password as they are.
    pub async fn link_only(
        &self,
        contact: ContactId,
        account: AccountId,
        portal: Portal,
        grant: &Grant,
    ) -> LinkId {
        let link = self
            .link_with(contact, account, &LinkFields::default())
            .await;
        self.regrant(link, portal, grant).await;
        link
    }

    /// Links `contact` to `account` with these link fields and no grants.
    pub async fn link_with(
        &self,
        contact: ContactId,
        account: AccountId,
        fields: &LinkFields,
    ) -> LinkId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let link = tx
            .links()
            .create(contact, account, fields, SYSTEM)
            .await
            .expect("link")
            .expect("the account exists");
        tx.commit().await.expect("commit");
        link.id
    }

    /// Replaces what `link` (to an account of `portal`) grants with `grant`.
    pub async fn regrant(&self, link: LinkId, portal: Portal, grant: &Grant) {
        let mut role_ids = Vec::new();
        for key in &grant.roles {
            role_ids.push(self.role(portal, key).await);
        }
        let access = LinkAccessInput {
            role_ids,
            permissions: grant.permissions.iter().map(|p| (*p).to_owned()).collect(),
            all_branches: grant.branches.is_none(),
            branch_ids: grant
                .branches
                .iter()
                .flatten()
                .map(|b| b.as_uuid())
                .collect(),
            approval_limit: grant.approval_limit,
        };
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        tx.link_grants()
            .set(link, &access, SYSTEM)
            .await
            .expect("link access")
            .expect("the link exists");
        tx.commit().await.expect("commit");
    }

    /// The id of the seeded `portal` role `key` (`buyer`, `read_only`…).
    pub async fn role(&self, portal: Portal, key: &str) -> Uuid {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let roles = tx.portal_roles().list(Some(portal)).await.expect("roles");
        tx.commit().await.expect("commit");
        roles
            .iter()
            .find(|r| r.seed_key.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("no seeded role {key}"))
            .id
    }

    /// A portal token (invitation, sign-in link, reset) for `contact`, in clear.
    pub async fn token(
        &self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
        ttl: chrono::Duration,
    ) -> String {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let secret = tx
            .portal_tokens()
            .create(contact, purpose, ttl)
            .await
            .expect("token")
            .expect("the contact exists");
        tx.commit().await.expect("commit");
        secret
    }

    /// Waits until the app serves the company's latest policy version (a
    /// commit reaches the policy cache through a background task).
    pub async fn settled(&self) {
        settled(self.app, &self.tenant).await;
    }

    /// An admin API key of `role`, in clear.
    pub async fn api_key(&self, role: StaffRole) -> String {
        api_key(self.app, &self.tenant, role).await
    }

    /// A browser on the company's site, signed in to the back office as `email`.
    pub async fn staff_session(&self, email: &str) -> Browser<'a> {
        self.app.signed_in(&self.slug, email).await
    }

    /// A browser on the company's site, signed in to `portal` as the contact `email`.
    pub async fn portal_session(&self, portal: Portal, email: &str) -> Browser<'a> {
        let browser = self.app.browser(&self.host());
        let page = portal_sign_in(&browser, portal, email, PASSWORD).await;
        assert_eq!(
            page.status,
            poem::http::StatusCode::SEE_OTHER,
            "{email} signs in: {}",
            page.body
        );
        browser
    }

    /// A browser calling the admin API with `key`.
    pub fn api_client(&self, key: &str) -> Browser<'a> {
        api_client(self.app, &self.slug, key)
    }
}

/// Where a portal is served on a company's site.
pub fn portal_base(portal: Portal) -> &'static str {
    match portal {
        Portal::Customer => "/portal",
        Portal::Supplier => "/supplier",
    }
}

/// Posts the sign-in form of `portal` with `email` and `password`.
pub async fn portal_sign_in(
    browser: &Browser<'_>,
    portal: Portal,
    email: &str,
    password: &str,
) -> Page {
    let path = format!("{}/sign-in", portal_base(portal));
    browser
        .submit(&path, &path, &[("email", email), ("password", password)])
        .await
}

/// Waits until the app serves `tenant`'s latest policy version (a commit
/// reaches the policy cache through a background task).
pub async fn settled(app: &TestApp, tenant: &Tenant) {
    let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
    let version = tx.policy().version().await.expect("policy version");
    tx.commit().await.expect("commit");
    for _ in 0..300 {
        if app
            .state
            .policies
            .version(tenant)
            .await
            .expect("served version")
            >= version
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the policy version {version} never arrived");
}

/// An admin API key of `role` for `tenant`, in clear.
pub async fn api_key(app: &TestApp, tenant: &Tenant, role: StaffRole) -> String {
    let key = portico_admin::api_keys::new_key();
    let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
    tx.api_keys()
        .create("test", role, &key, &portico_auth::hash_token(&key), SYSTEM)
        .await
        .expect("api key");
    tx.commit().await.expect("commit");
    key
}

/// A browser on `<slug>.localhost:8080` calling the admin API with `key`.
pub fn api_client<'a>(app: &'a TestApp, slug: &str, key: &str) -> Browser<'a> {
    app.browser(&format!("{slug}.localhost:8080"))
        .with_header("authorization", &format!("Bearer {key}"))
}

/// The records of a company that are neither accounts nor contacts: what the
/// isolation matrix needs to fill every path parameter with a real id.
impl Company<'_> {
    /// A staff user `email` of `role` (password [`PASSWORD`]), by id.
    pub async fn staff_user(&self, email: &str, role: StaffRole) -> portico_data::StaffUserId {
        self.staff(email, role).await;
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let user = tx
            .staff()
            .find_by_email(&Email::parse(email).expect("email"))
            .await
            .expect("staff lookup")
            .expect("the staff user exists");
        tx.commit().await.expect("commit");
        user.id
    }

    /// A contact import of `file_name`, started by the owner (still checking).
    pub async fn contact_import(&self, file_name: &str) -> uuid::Uuid {
        let owner = format!("owner@{}.test", self.slug);
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let owner = tx
            .staff()
            .find_by_email(&Email::parse(&owner).expect("email"))
            .await
            .expect("staff lookup")
            .expect("the owner exists");
        let import = tx
            .imports()
            .create(file_name, owner.id)
            .await
            .expect("import");
        tx.commit().await.expect("commit");
        import.id
    }

    /// A company-defined portal role of `portal` granting `permissions`.
    pub async fn portal_role(
        &self,
        portal: Portal,
        name: &str,
        permissions: &[&str],
    ) -> uuid::Uuid {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let input = portico_data::PortalRoleInput {
            name_es: name.into(),
            name_en: name.into(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        };
        let id = tx
            .portal_roles()
            .create(portal, &input, SYSTEM)
            .await
            .expect("portal role");
        tx.commit().await.expect("commit");
        id
    }

    /// An admin API key of `role`, by id (its secret is not kept).
    pub async fn api_key_id(&self, role: StaffRole) -> portico_data::ApiKeyId {
        let key = portico_admin::api_keys::new_key();
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let id = tx
            .api_keys()
            .create(
                "isolation",
                role,
                &key,
                &portico_auth::hash_token(&key),
                SYSTEM,
            )
            .await
            .expect("api key")
            .id;
        tx.commit().await.expect("commit");
        id
    }

    /// An entry `name` appended to one of the contact lists (titles, categories).
    pub async fn list_entry(&self, list: portico_data::ContactList, name: &str) -> uuid::Uuid {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let entry = tx
            .lists()
            .add_entry(list, name, SYSTEM)
            .await
            .expect("list entry");
        tx.commit().await.expect("commit");
        entry.id
    }
}

/// An invoice of one untaxed line of `amount` DOP for customer `customer`
/// (by code), of branch `branch` (by code) when given, issued and due on the
/// dates given (`2026-01-31`); its external reference is `ERP-<number>`.
pub fn invoice_input(
    number: &str,
    customer: &str,
    branch: Option<&str>,
    issued_on: &str,
    due_on: &str,
    amount: &str,
) -> portico_domain::sales::InvoiceInput {
    use portico_domain::sales::{InvoiceInput, LineInput};
    InvoiceInput {
        kind: "invoice".into(),
        number: number.into(),
        external_ref: format!("ERP-{number}"),
        customer: customer.into(),
        branch: branch.map(str::to_owned),
        issued_on: issued_on.into(),
        due_on: Some(due_on.into()),
        currency: "DOP".into(),
        notes: None,
        lines: vec![LineInput {
            item_code: None,
            description: format!("Servicios de {number}"),
            quantity: "1".into(),
            unit_price: amount.into(),
            tax_rate: "0".into(),
        }],
        applied_to: Vec::new(),
    }
}

/// A payment of `amount` DOP by transfer for customer `customer` (by code),
/// applied as `applied_to` says (invoice number, amount); its external
/// reference is `ERP-<number>`.
pub fn payment_input(
    number: &str,
    customer: &str,
    branch: Option<&str>,
    received_on: &str,
    amount: &str,
    applied_to: &[(&str, &str)],
) -> portico_domain::sales::PaymentInput {
    use portico_domain::sales::{ApplicationInput, PaymentInput};
    PaymentInput {
        number: number.into(),
        external_ref: format!("ERP-{number}"),
        customer: customer.into(),
        branch: branch.map(str::to_owned),
        received_on: received_on.into(),
        currency: "DOP".into(),
        method: "transfer".into(),
        reference: None,
        amount: amount.into(),
        applied_to: applied_to
            .iter()
            .map(|(invoice, amount)| ApplicationInput {
                invoice: (*invoice).into(),
                amount: (*amount).into(),
            })
            .collect(),
    }
}

/// The company's letterhead.
impl Company<'_> {
    /// Sets a logo (a `width`×`height` PNG, checked and stored as an upload
    /// is) on the company, as its staff would; its id.
    pub async fn logo(&self, width: u32, height: u32) -> Uuid {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([20, 90, 160, 255]));
        let mut png = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut png, image::ImageFormat::Png)
            .expect("a PNG");
        let png = portico_files::process_logo(&png.into_inner()).expect("an acceptable logo");
        let id = portico_web::logo::store(&self.app.state.files, self.tenant.id(), png)
            .await
            .expect("stored");
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        tx.settings()
            .set_logo(Some(id), SYSTEM)
            .await
            .expect("logo set");
        tx.commit().await.expect("commit");
        self.app.state.tenants.forget(self.tenant.slug()).await;
        id
    }
}

/// Sales records pushed as the ERP would, by the system.
impl Company<'_> {
    /// A quote (sent) or an order (submitted) of customer `code`, of
    /// `branch`, with one line of `amount` (exempt); its id and number.
    pub async fn sales_order(
        &self,
        kind: portico_domain::orders::OrderKind,
        code: &str,
        branch: Option<BranchId>,
        amount: &str,
    ) -> (Uuid, String) {
        use portico_domain::orders::{OrderKind, OrderLine, OrderMove};
        let account = self.account_id(code).await;
        let price: rust_decimal::Decimal = amount.parse().expect("an amount");
        let line = OrderLine {
            item_id: None,
            item_code: Some("X-1".into()),
            description: "Artículo".into(),
            unit: "u".into(),
            quantity: rust_decimal::Decimal::ONE,
            unit_price: price,
            tax_rate: rust_decimal::Decimal::ZERO,
            net: price,
            tax: rust_decimal::Decimal::ZERO,
        };
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let row = tx
            .orders()
            .create(
                portico_data::NewOrder {
                    kind,
                    account,
                    branch,
                    currency: "DOP".into(),
                    lines: vec![line],
                    valid_until: None,
                    deliver_on: None,
                    quote: None,
                    notes: None,
                    created_by: None,
                },
                SYSTEM,
            )
            .await
            .expect("a quote or order");
        if kind == OrderKind::Quote {
            tx.orders()
                .apply(&row, OrderMove::Send, None, None, SYSTEM)
                .await
                .expect("sent");
        }
        tx.commit().await.expect("commit");
        (row.id, row.number)
    }

    /// A purchase order (sent) of supplier `code` by the ERP's `reference`,
    /// with one line of 10 × 5 (exempt); its id and number.
    pub async fn purchase_order(&self, code: &str, reference: &str) -> (Uuid, String) {
        use portico_domain::orders::DraftLineInput;
        use portico_domain::purchasing::{ErpPurchaseOrderInput, PoLineInput};
        use portico_domain::sales::LineInput;
        let input = ErpPurchaseOrderInput {
            external_ref: reference.into(),
            supplier: code.into(),
            currency: "DOP".into(),
            lines: vec![PoLineInput {
                line: DraftLineInput {
                    line: LineInput {
                        item_code: Some("X-1".into()),
                        description: "Materia prima".into(),
                        quantity: "10".into(),
                        unit_price: "5".into(),
                        tax_rate: "0".into(),
                    },
                    unit: "kg".into(),
                },
                expected_on: None,
            }],
            ..Default::default()
        }
        .validate()
        .expect("a valid purchase order");
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let id = tx
            .purchase_orders()
            .upsert(&[input], SYSTEM)
            .await
            .expect("upserted")[0]
            .id;
        let row = tx
            .purchase_orders()
            .find(id)
            .await
            .expect("read")
            .expect("found");
        tx.commit().await.expect("commit");
        (id, row.number)
    }

    /// A supplier invoice (submitted, matched or not) of supplier `code`,
    /// billing all of a new received purchase order `reference`; its id.
    pub async fn supplier_invoice(&self, code: &str, reference: &str) -> Uuid {
        use portico_domain::purchasing::{ErpReceiptInput, ReceiptLineInput};
        use portico_domain::supplier_invoices::{InvoiceLineInput, SupplierInvoiceInput};
        let (order, _) = self.purchase_order(code, reference).await;
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let receipt = ErpReceiptInput {
            external_ref: format!("EM-{reference}"),
            purchase_order: reference.into(),
            lines: vec![ReceiptLineInput {
                position: 1,
                accepted: "10".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
        .validate()
        .expect("a valid receipt");
        tx.goods_receipts()
            .upsert(&[receipt], SYSTEM)
            .await
            .expect("received");
        let detail = tx
            .purchase_orders()
            .detail(order)
            .await
            .expect("read")
            .expect("found");
        let invoice = SupplierInvoiceInput {
            number: format!("F-{reference}"),
            issued_on: "2026-11-20".into(),
            tax_id: "1".into(),
            lines: vec![InvoiceLineInput {
                position: 1,
                quantity: "10".into(),
                unit_price: "5".into(),
                tax_rate: "0".into(),
            }],
            ..Default::default()
        }
        .validate()
        .expect("a valid invoice");
        let report = tx
            .supplier_invoices()
            .prematch(&detail, &invoice)
            .await
            .expect("matched");
        let row = tx
            .supplier_invoices()
            .submit(&detail, &invoice, &report, SYSTEM)
            .await
            .expect("submitted");
        tx.commit().await.expect("commit");
        row.id
    }

    /// Upserts `inputs` (checked first) in one transaction; the ids, in order.
    pub async fn invoices(&self, inputs: &[portico_domain::sales::InvoiceInput]) -> Vec<Uuid> {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let rounding = tx.settings().rounding().await.expect("rounding");
        let records: Vec<_> = inputs
            .iter()
            .map(|i| i.validate(rounding).expect("a valid invoice"))
            .collect();
        let outcomes = tx
            .sales()
            .upsert_invoices(&records, SYSTEM)
            .await
            .expect("invoices upserted");
        tx.commit().await.expect("commit");
        outcomes.into_iter().map(|o| o.id).collect()
    }

    /// Upserts `inputs` (checked first) in one transaction; the ids, in order.
    pub async fn payments(&self, inputs: &[portico_domain::sales::PaymentInput]) -> Vec<Uuid> {
        let records: Vec<_> = inputs
            .iter()
            .map(|i| i.validate().expect("a valid payment"))
            .collect();
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let outcomes = tx
            .sales()
            .upsert_payments(&records, SYSTEM)
            .await
            .expect("payments upserted");
        tx.commit().await.expect("commit");
        outcomes.into_iter().map(|o| o.id).collect()
    }
}

/// Documents shared with customers, as staff would upload them.
impl Company<'_> {
    /// A document titled `title` of customer `code` (of `branch`), with one
    /// version holding `bytes` (a text file) unless they are empty; its id.
    pub async fn document(
        &self,
        code: &str,
        branch: Option<BranchId>,
        title: &str,
        bytes: &[u8],
    ) -> Uuid {
        use portico_domain::documents::DocumentInput;
        let account = self.account_id(code).await;
        let fields = DocumentInput {
            title: title.into(),
            kind: "other".into(),
            branch: branch.map(|b| b.as_uuid()),
            external_ref: None,
        }
        .validate()
        .expect("a valid document");
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let row = tx
            .documents()
            .create(account, &fields, SYSTEM)
            .await
            .expect("a document");
        if !bytes.is_empty() {
            let file_id = Uuid::now_v7();
            let key = portico_files::FileKey::document(self.tenant.id().as_uuid(), file_id);
            self.app
                .state
                .files
                .put(&key, bytes.to_vec().into())
                .await
                .expect("file stored");
            tx.documents()
                .add_version(
                    row.id,
                    portico_data::NewVersion::of(
                        file_id,
                        "documento.txt".into(),
                        "text/plain".into(),
                        bytes,
                        None,
                    ),
                    SYSTEM,
                )
                .await
                .expect("a version");
        }
        tx.commit().await.expect("commit");
        row.id
    }
}

/// Service requests, as a customer's contact would open them.
impl Company<'_> {
    /// A request titled `subject` of customer `code` (of `branch`), opened by
    /// Portico, with one text file; its id and the file's.
    pub async fn service_request(
        &self,
        code: &str,
        branch: Option<BranchId>,
        subject: &str,
    ) -> (Uuid, Uuid) {
        use portico_domain::service::RequestInput;
        let account = self.account_id(code).await;
        let fields = RequestInput {
            subject: subject.into(),
            description: "Descripción".into(),
            priority: String::new(),
            branch: branch.map(|b| b.as_uuid()),
        }
        .validate()
        .expect("a valid request");
        let file_id = Uuid::now_v7();
        let bytes = b"adjunto";
        let key = portico_files::FileKey::attachment(self.tenant.id().as_uuid(), file_id);
        self.app
            .state
            .files
            .put(&key, bytes.to_vec().into())
            .await
            .expect("file stored");
        let file = portico_data::NewVersion::of(
            file_id,
            "adjunto.txt".into(),
            "text/plain".into(),
            bytes,
            None,
        );
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let row = tx
            .service_requests()
            .create(
                portico_data::NewRequest { account, fields },
                &[file],
                SYSTEM,
            )
            .await
            .expect("a request");
        tx.commit().await.expect("commit");
        (row.id, file_id)
    }
}

/// Records looked up by the codes a test gave them.
impl Company<'_> {
    /// The account with `code` (customer or supplier).
    pub async fn account_id(&self, code: &str) -> AccountId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let mut found = None;
        for kind in [AccountKind::Customer, AccountKind::Supplier] {
            if let Some(account) = tx
                .accounts()
                .find_by_code(kind, code)
                .await
                .expect("account lookup")
            {
                found = Some(account.id);
            }
        }
        tx.commit().await.expect("commit");
        found.unwrap_or_else(|| panic!("no account {code}"))
    }

    /// The branch of `account` with `code`.
    pub async fn branch_id(&self, account: AccountId, code: &str) -> BranchId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let branches = tx.branches().list(account, 500).await.expect("branches");
        tx.commit().await.expect("commit");
        branches
            .into_iter()
            .find(|b| b.fields.code == code)
            .map(|b| b.id)
            .unwrap_or_else(|| panic!("no branch {code}"))
    }
}
