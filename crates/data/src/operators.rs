//! Platform operators: the people who onboard and supervise companies.

use chrono::{DateTime, Utc};
use portico_domain::Email;
use sea_query::{Expr, ExprTrait, Func, Query};
use uuid::Uuid;

use crate::tables::PlatformOperators;
use crate::{DataError, OperatorId, OperatorTx};

/// A platform operator, with the password hash needed to verify a sign-in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Operator {
    #[sqlx(try_from = "Uuid")]
    pub id: OperatorId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// A new operator; the password arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewOperator {
    pub email: Email,
    pub name: String,
    pub password_hash: String,
}

impl OperatorTx {
    /// Creates an operator; a taken email is a [`DataError::Conflict`].
    pub async fn create_operator(&mut self, new: &NewOperator) -> Result<OperatorId, DataError> {
        let id = OperatorId::generate();
        let insert = Query::insert()
            .into_table(PlatformOperators::Table)
            .columns([
                PlatformOperators::Id,
                PlatformOperators::Email,
                PlatformOperators::Name,
                PlatformOperators::PasswordHash,
                PlatformOperators::CreatedAt,
            ])
            .values_panic([
                id.as_uuid().into(),
                new.email.as_str().into(),
                new.name.clone().into(),
                new.password_hash.clone().into(),
                Utc::now().into(),
            ])
            .to_owned();
        self.conn.execute(&insert).await?;
        Ok(id)
    }

    /// Finds an operator by email, case-insensitively.
    pub async fn find_operator_by_email(
        &mut self,
        email: &Email,
    ) -> Result<Option<Operator>, DataError> {
        let select = Query::select()
            .columns([
                PlatformOperators::Id,
                PlatformOperators::Email,
                PlatformOperators::Name,
                PlatformOperators::PasswordHash,
                PlatformOperators::CreatedAt,
                PlatformOperators::LastSignInAt,
            ])
            .from(PlatformOperators::Table)
            .and_where(
                Expr::expr(Func::lower(Expr::col(PlatformOperators::Email))).eq(email.as_str()),
            )
            .to_owned();
        self.conn.fetch_optional(&select).await
    }

    /// Records a successful sign-in.
    pub async fn touch_operator_sign_in(&mut self, id: OperatorId) -> Result<(), DataError> {
        let update = Query::update()
            .table(PlatformOperators::Table)
            .value(PlatformOperators::LastSignInAt, Utc::now())
            .and_where(Expr::col(PlatformOperators::Id).eq(id.as_uuid()))
            .to_owned();
        self.conn.execute(&update).await?;
        Ok(())
    }
}
