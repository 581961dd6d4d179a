//! The company's own settings, kept on its row of the platform registry.

use chrono::Utc;
use portico_domain::RequiredFields;
use sea_query::{Expr, ExprTrait, Query};

use crate::tables::Tenants;
use crate::{DataError, TenantTx};

/// The company's own settings on its registry row.
pub struct SettingsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl SettingsArea<'_> {
    /// The company's contact limit, read in this transaction.
    pub(crate) async fn max_contacts(&mut self) -> Result<Option<i32>, DataError> {
        let select = Query::select()
            .column(Tenants::MaxContacts)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        let row: Option<(Option<i32>,)> = self.tx.conn.fetch_optional(&select).await?;
        Ok(row.and_then(|(max,)| max))
    }

    /// Changes which names every contact of this company must have.
    pub async fn set_contact_required(
        &mut self,
        rule: RequiredFields,
        by: crate::By<'_>,
    ) -> Result<(), DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let select = Query::select()
            .column(Tenants::ContactRequired)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        let current: Option<(String,)> = self.tx.conn.fetch_optional(&select).await?;
        let before: RequiredFields = current
            .map(|(r,)| r)
            .unwrap_or_default()
            .parse()
            .unwrap_or_default();
        let update = Query::update()
            .table(Tenants::Table)
            .values([
                (Tenants::ContactRequired, rule.as_str().into()),
                (Tenants::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        if rule != before {
            self.tx
                .audit()
                .log(
                    by,
                    "settings.update",
                    ("tenant", tenant),
                    None,
                    serde_json::json!({ "contact_required": { "before": before, "after": rule } }),
                )
                .await?;
        }
        Ok(())
    }

    /// Turns on or off the rule that nobody accepts or authorizes in the
    /// portal what they created themselves.
    pub async fn set_four_eyes(&mut self, on: bool, by: crate::By<'_>) -> Result<(), DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let (_, before) = self.tx.orders().company_rules().await?;
        if before == on {
            return Ok(());
        }
        let update = Query::update()
            .table(Tenants::Table)
            .values([
                (Tenants::FourEyes, on.into()),
                (Tenants::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Tenants::Id).eq(tenant))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        self.tx
            .audit()
            .log(
                by,
                "settings.update",
                ("tenant", tenant),
                None,
                serde_json::json!({ "four_eyes": { "before": before, "after": on } }),
            )
            .await?;
        Ok(())
    }
}
