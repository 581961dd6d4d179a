//! Fixture builders: a company and the records a test needs in it (staff of a
//! role, accounts with branches, contacts linked with grants, API keys, signed-in
//! sessions), written once instead of per test file.

use portico_auth::hash_password;
use portico_data::{AccountId, Actor, BranchId, By, ContactId, LinkAccessInput, LinkId, Tenant};
use portico_domain::{
    AccountFields, AccountKind, BranchFields, ContactFields, Email, LinkFields, Portal, StaffRole,
};

use crate::{Browser, PASSWORD, TestApp};

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

/// What a contact's link grants: permissions (`documents.view`) and the
/// branches they reach (`None`: every branch).
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub permissions: Vec<&'static str>,
    pub branches: Option<Vec<BranchId>>,
}

impl Grant {
    /// These permissions on every branch.
    pub fn all_branches(permissions: &[&'static str]) -> Self {
        Self {
            permissions: permissions.to_vec(),
            branches: None,
        }
    }

    /// These permissions on these branches only.
    pub fn branches(permissions: &[&'static str], branches: &[BranchId]) -> Self {
        Self {
            permissions: permissions.to_vec(),
            branches: Some(branches.to_vec()),
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
        Self {
            tenant: app.company(slug).await,
            app,
            slug: slug.to_owned(),
        }
    }

    /// The company's site (`<slug>.localhost:8080`).
    pub fn host(&self) -> String {
        format!("{}.localhost:8080", self.slug)
    }

    /// A staff user `email` of `role`, password [`PASSWORD`].
    pub async fn staff(&self, email: &str, role: StaffRole) {
        self.app.staff(&self.tenant, email, role).await;
    }

    /// A customer (with branches enabled, as new customers are) or supplier.
    pub async fn account(&self, kind: AccountKind, code: &str, name: &str) -> AccountId {
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let fields = AccountFields {
            code: code.into(),
            name: name.into(),
            branches_enabled: kind == AccountKind::Customer,
            ..Default::default()
        };
        let id = tx
            .accounts()
            .create(kind, &fields, SYSTEM)
            .await
            .expect("account")
            .id;
        tx.commit().await.expect("commit");
        id
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
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        let fields = ContactFields {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(Email::parse(email).expect("email")),
            ..Default::default()
        };
        let id = tx
            .contacts()
            .create(&fields, SYSTEM)
            .await
            .expect("contact")
            .id;
        tx.commit().await.expect("commit");
        id
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
        let mut tx = self.app.db.db.tenant_tx(&self.tenant).await.expect("tx");
        tx.portal_access()
            .set(contact, portal_of(kind), true, SYSTEM)
            .await
            .expect("portal access");
        let link = tx
            .links()
            .create(contact, account, &LinkFields::default(), SYSTEM)
            .await
            .expect("link")
            .expect("the account exists");
        let access = LinkAccessInput {
            role_ids: Vec::new(),
            permissions: grant.permissions.iter().map(|p| (*p).to_owned()).collect(),
            all_branches: grant.branches.is_none(),
            branch_ids: grant
                .branches
                .iter()
                .flatten()
                .map(|b| b.as_uuid())
                .collect(),
        };
        tx.link_grants()
            .set(link.id, &access, SYSTEM)
            .await
            .expect("link access")
            .expect("the link exists");
        let hash = hash_password(PASSWORD).await.expect("hash");
        tx.portal_credentials()
            .set_password(contact, &hash, SYSTEM)
            .await
            .expect("password")
            .expect("the contact exists");
        tx.commit().await.expect("commit");
        link.id
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
        let sign_in = format!("{}/sign-in", portal_base(portal));
        let page = browser
            .submit(
                &sign_in,
                &sign_in,
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert!(
            page.status.is_redirection(),
            "{email} signs in: {}",
            page.status
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
