//! A tenant's staff users: the people who work in the back office.

use chrono::{DateTime, Utc};
use portico_domain::{Email, Locale, StaffRole};
use sea_query::{Expr, ExprTrait, Func, Order, Query};
use uuid::Uuid;

use crate::tables::StaffUsers;
use crate::{DataError, StaffUserId, TenantTx};

const COLUMNS: [StaffUsers; 11] = [
    StaffUsers::Id,
    StaffUsers::Email,
    StaffUsers::Name,
    StaffUsers::Role,
    StaffUsers::PasswordHash,
    StaffUsers::Status,
    StaffUsers::Locale,
    StaffUsers::CreatedAt,
    StaffUsers::LastSignInAt,
    StaffUsers::MustChangePassword,
    StaffUsers::SessionEpoch,
];

/// Whether a staff user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffStatus {
    Active,
    Disabled,
}

impl StaffStatus {
    fn as_str(self) -> &'static str {
        match self {
            StaffStatus::Active => "active",
            StaffStatus::Disabled => "disabled",
        }
    }
}

/// A staff user of the tenant the transaction is bound to.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: StaffUserId,
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    /// `None` until the user has set a password.
    pub password_hash: Option<String>,
    pub status: StaffStatus,
    pub locale: Option<Locale>,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The password was given by someone else (a one-time password): the user
    /// must choose its own before anything else.
    pub must_change_password: bool,
    /// A session started in an older epoch is over (a new password).
    pub session_epoch: i32,
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: Option<String>,
    status: String,
    locale: Option<String>,
    created_at: DateTime<Utc>,
    last_sign_in_at: Option<DateTime<Utc>>,
    must_change_password: bool,
    session_epoch: i32,
}

impl TryFrom<StaffRow> for StaffUser {
    type Error = DataError;

    fn try_from(row: StaffRow) -> Result<Self, DataError> {
        Ok(StaffUser {
            id: row.id.into(),
            email: row.email,
            name: row.name,
            role: row
                .role
                .parse()
                .map_err(|e| DataError::Corrupt(format!("{e}")))?,
            password_hash: row.password_hash,
            status: match row.status.as_str() {
                "active" => StaffStatus::Active,
                "disabled" => StaffStatus::Disabled,
                other => return Err(DataError::Corrupt(format!("staff status {other:?}"))),
            },
            locale: row.locale.as_deref().and_then(Locale::from_tag),
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
            must_change_password: row.must_change_password,
            session_epoch: row.session_epoch,
        })
    }
}

/// A position in the staff list, which is ordered by name and then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCursor {
    pub name: String,
    pub id: StaffUserId,
}

/// A new staff user; the password arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewStaffUser {
    pub email: Email,
    pub name: String,
    pub role: StaffRole,
    pub password_hash: Option<String>,
    /// The password is a one-time password given to the user (by an operator
    /// or an admin): it must be changed at the first sign-in.
    pub one_time_password: bool,
    pub locale: Option<Locale>,
}

/// The company's staff users.
pub struct StaffArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl StaffArea<'_> {
    /// Adds a staff user to this tenant; a taken email is a [`DataError::Conflict`].
    pub async fn create(&mut self, new: &NewStaffUser) -> Result<StaffUser, DataError> {
        let now = Utc::now();
        let id = StaffUserId::generate();
        let insert = Query::insert()
            .into_table(StaffUsers::Table)
            .columns([
                StaffUsers::TenantId,
                StaffUsers::Id,
                StaffUsers::Email,
                StaffUsers::Name,
                StaffUsers::Role,
                StaffUsers::PasswordHash,
                StaffUsers::Status,
                StaffUsers::Locale,
                StaffUsers::CreatedAt,
                StaffUsers::UpdatedAt,
                StaffUsers::MustChangePassword,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                new.email.as_str().into(),
                new.name.clone().into(),
                new.role.as_str().into(),
                new.password_hash.clone().into(),
                StaffStatus::Active.as_str().into(),
                new.locale.map(|l| l.tag()).into(),
                now.into(),
                now.into(),
                (new.one_time_password && new.password_hash.is_some()).into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("staff user vanished after insert".into()))
    }

    /// A staff user of this tenant by id.
    pub async fn find(&mut self, id: StaffUserId) -> Result<Option<StaffUser>, DataError> {
        let select = Query::select()
            .columns(COLUMNS)
            .from(StaffUsers::Table)
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffUsers::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<StaffRow>(&select)
            .await?
            .map(StaffUser::try_from)
            .transpose()
    }

    /// A staff user of this tenant by email, case-insensitively.
    pub async fn find_by_email(&mut self, email: &Email) -> Result<Option<StaffUser>, DataError> {
        let select = Query::select()
            .columns(COLUMNS)
            .from(StaffUsers::Table)
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::expr(Func::lower(Expr::col(StaffUsers::Email))).eq(email.as_str()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<StaffRow>(&select)
            .await?
            .map(StaffUser::try_from)
            .transpose()
    }

    /// Up to `limit` staff users of this tenant by name (then id), starting after
    /// `after` when given: keyset pagination, never OFFSET.
    pub async fn list(
        &mut self,
        after: Option<&StaffCursor>,
        limit: u64,
    ) -> Result<Vec<StaffUser>, DataError> {
        let mut select = Query::select()
            .columns(COLUMNS)
            .from(StaffUsers::Table)
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        if let Some(after) = after {
            select.and_where(
                Expr::tuple([Expr::col(StaffUsers::Name), Expr::col(StaffUsers::Id)]).gt(
                    Expr::tuple([Expr::val(after.name.clone()), Expr::val(after.id.as_uuid())]),
                ),
            );
        }
        let select = select
            .order_by(StaffUsers::Name, Order::Asc)
            .order_by(StaffUsers::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        self.tx
            .conn
            .fetch_all::<StaffRow>(&select)
            .await?
            .into_iter()
            .map(StaffUser::try_from)
            .collect()
    }

    /// Records a successful sign-in; `false` when no such user is in this tenant.
    pub async fn touch_sign_in(&mut self, id: StaffUserId) -> Result<bool, DataError> {
        let update = Query::update()
            .table(StaffUsers::Table)
            .value(StaffUsers::LastSignInAt, Utc::now())
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffUsers::Id).eq(id.as_uuid()))
            .to_owned();
        Ok(self.tx.conn.execute(&update).await? > 0)
    }

    /// Sets a staff user's password (`password_hash`: argon2id, from
    /// `portico_auth::hash_password`), recorded in the audit log. `one_time`: the
    /// password was given by someone else, so the user must replace it at its
    /// next sign-in; otherwise the user chose it and the flag is cleared. Every
    /// session started before ends (the session epoch moves on) and unused
    /// reset links stop working. Returns the new epoch, for the one session the
    /// caller keeps; `None` when no such user is in this tenant.
    pub async fn set_password(
        &mut self,
        id: StaffUserId,
        password_hash: &str,
        one_time: bool,
        by: crate::By<'_>,
    ) -> Result<Option<i32>, DataError> {
        let update = Query::update()
            .table(StaffUsers::Table)
            .values([
                (StaffUsers::PasswordHash, password_hash.into()),
                (StaffUsers::MustChangePassword, one_time.into()),
                (
                    StaffUsers::SessionEpoch,
                    Expr::col(StaffUsers::SessionEpoch).add(1),
                ),
                (StaffUsers::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffUsers::Id).eq(id.as_uuid()))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(None);
        }
        self.tx.staff_reset_tokens().revoke(id).await?;
        self.tx
            .audit()
            .log(
                by,
                "staff.password",
                ("staff_user", id.as_uuid()),
                None,
                serde_json::json!({ "one_time": one_time }),
            )
            .await?;
        Ok(self.find(id).await?.map(|u| u.session_epoch))
    }

    /// Changes the language a staff user's pages and mail are in (`None`: the
    /// browser's, else the company's), recorded in the audit log; `false` when
    /// no such user is in this tenant.
    pub async fn set_locale(
        &mut self,
        id: StaffUserId,
        locale: Option<Locale>,
        by: crate::By<'_>,
    ) -> Result<bool, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(false);
        };
        if before.locale == locale {
            return Ok(true);
        }
        let update = Query::update()
            .table(StaffUsers::Table)
            .values([
                (StaffUsers::Locale, locale.map(|l| l.tag()).into()),
                (StaffUsers::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffUsers::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        self.tx
            .audit()
            .log(
                by,
                "staff.update",
                ("staff_user", id.as_uuid()),
                None,
                serde_json::json!({ "preferred_language": {
                "before": before.locale.map(|l| l.tag()),
                "after": locale.map(|l| l.tag()),
            } }),
            )
            .await?;
        Ok(true)
    }
}

impl StaffArea<'_> {
    /// Changes a staff user's role and status, recorded in the audit log; `None`
    /// when no such user is in this tenant. Disabling ends the user's sessions
    /// (the back office reloads the user on every request).
    pub async fn update_access(
        &mut self,
        id: StaffUserId,
        role: StaffRole,
        status: StaffStatus,
        by: crate::By<'_>,
    ) -> Result<Option<StaffUser>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        let update = Query::update()
            .table(StaffUsers::Table)
            .values([
                (StaffUsers::Role, role.as_str().into()),
                (StaffUsers::Status, status.as_str().into()),
                (StaffUsers::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffUsers::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let changes = crate::diff(
            &serde_json::json!({ "role": before.role, "status": before.status }),
            &serde_json::json!({ "role": role, "status": status }),
        );
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            self.tx
                .audit()
                .log(
                    by,
                    "staff.update",
                    ("staff_user", id.as_uuid()),
                    None,
                    changes,
                )
                .await?;
        }
        self.find(id).await
    }

    /// How many active owners the tenant has (it must always keep one).
    pub async fn count_active_owners(&mut self) -> Result<i64, DataError> {
        let select = Query::select()
            .expr(Func::count(Expr::col(StaffUsers::Id)))
            .from(StaffUsers::Table)
            .and_where(Expr::col(StaffUsers::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffUsers::Role).eq(StaffRole::Owner.as_str()))
            .and_where(Expr::col(StaffUsers::Status).eq(StaffStatus::Active.as_str()))
            .to_owned();
        let row: Option<(i64,)> = self.tx.conn.fetch_optional(&select).await?;
        Ok(row.map_or(0, |(n,)| n))
    }

    /// Adds a staff user and records it in the audit log.
    pub async fn add(
        &mut self,
        new: &NewStaffUser,
        by: crate::By<'_>,
    ) -> Result<StaffUser, DataError> {
        let user = self.create(new).await.map_err(|e| {
            crate::error::taken(
                e,
                &["staff_users_email_key"],
                "email",
                "field-email-taken-staff",
            )
        })?;
        self.tx.audit().log(
            by,
            "staff.create",
            ("staff_user", user.id.as_uuid()),
            None,
            serde_json::json!({ "after": { "email": user.email, "name": user.name, "role": user.role } }),
        )
        .await?;
        Ok(user)
    }
}
