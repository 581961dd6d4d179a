//! The company's own settings, kept on its row of the platform registry: each
//! read in the caller's transaction, each change audited with its before and
//! after.

use chrono::Utc;
use portico_domain::RequiredFields;
use portico_domain::company::CompanyProfile;
use portico_domain::money::Rounding;
use sea_query::{Expr, ExprTrait, LockType, Query, SimpleExpr};
use uuid::Uuid;

use crate::exec::Row;
use crate::tables::Tenants;
use crate::{By, DataError, TenantTx};

/// The company's own settings on its registry row.
pub struct SettingsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl SettingsArea<'_> {
    /// `columns` of the company's row; `for_change`: locked until the
    /// transaction ends (on PostgreSQL), so that two changes at once are
    /// made, and audited, one after the other.
    async fn read<T: Row>(
        &mut self,
        columns: impl IntoIterator<Item = Tenants>,
        for_change: bool,
    ) -> Result<T, DataError> {
        let mut select = Query::select()
            .columns(columns)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        if for_change {
            select.lock(LockType::Update);
        }
        self.tx
            .conn
            .fetch_optional(&select)
            .await?
            .ok_or_else(|| DataError::Corrupt("the tenant's row is gone".into()))
    }

    /// Writes `values` on the company's row and audits the change (`setting`:
    /// its before and after).
    async fn change(
        &mut self,
        values: Vec<(Tenants, SimpleExpr)>,
        setting: &str,
        (before, after): (serde_json::Value, serde_json::Value),
        by: By<'_>,
    ) -> Result<(), DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let mut values = values;
        values.push((Tenants::UpdatedAt, Utc::now().into()));
        let update = Query::update()
            .table(Tenants::Table)
            .values(values)
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
                serde_json::json!({ setting: { "before": before, "after": after } }),
            )
            .await?;
        Ok(())
    }

    /// The company's contact limit, read in this transaction.
    pub(crate) async fn max_contacts(&mut self) -> Result<Option<i32>, DataError> {
        let (max,): (Option<i32>,) = self.read([Tenants::MaxContacts], false).await?;
        Ok(max)
    }

    /// Changes which names every contact of this company must have.
    pub async fn set_contact_required(
        &mut self,
        rule: RequiredFields,
        by: By<'_>,
    ) -> Result<(), DataError> {
        let (current,): (String,) = self.read([Tenants::ContactRequired], true).await?;
        let before: RequiredFields = current.parse().unwrap_or_default();
        if rule == before {
            return Ok(());
        }
        self.change(
            vec![(Tenants::ContactRequired, rule.as_str().into())],
            "contact_required",
            (serde_json::json!(before), serde_json::json!(rule)),
            by,
        )
        .await
    }

    /// Turns on or off the rule that nobody accepts or authorizes in the
    /// portal what they created themselves.
    pub async fn set_four_eyes(&mut self, on: bool, by: By<'_>) -> Result<(), DataError> {
        let (_, before) = self.tx.orders().company_rules().await?;
        if before == on {
            return Ok(());
        }
        self.change(
            vec![(Tenants::FourEyes, on.into())],
            "four_eyes",
            (before.into(), on.into()),
            by,
        )
        .await
    }

    /// The company's profile: legal name, tax id and address.
    pub async fn profile(&mut self) -> Result<CompanyProfile, DataError> {
        self.read_profile(false).await
    }

    async fn read_profile(&mut self, for_change: bool) -> Result<CompanyProfile, DataError> {
        let (legal_name, tax_id, address) = self
            .read(
                [Tenants::LegalName, Tenants::TaxId, Tenants::Address],
                for_change,
            )
            .await?;
        Ok(CompanyProfile {
            legal_name,
            tax_id,
            address,
        })
    }

    /// Replaces the company's profile.
    pub async fn set_profile(
        &mut self,
        profile: &CompanyProfile,
        by: By<'_>,
    ) -> Result<(), DataError> {
        let before = self.read_profile(true).await?;
        if &before == profile {
            return Ok(());
        }
        self.change(
            vec![
                (Tenants::LegalName, profile.legal_name.clone().into()),
                (Tenants::TaxId, profile.tax_id.clone().into()),
                (Tenants::Address, profile.address.clone().into()),
            ],
            "profile",
            (serde_json::json!(before), serde_json::json!(profile)),
            by,
        )
        .await
    }

    /// Sets (or with `None` removes) the company's logo; answers the logo it
    /// replaced (none when it was already this one), whose file the caller
    /// removes once this commits.
    pub async fn set_logo(
        &mut self,
        logo: Option<Uuid>,
        by: By<'_>,
    ) -> Result<Option<Uuid>, DataError> {
        let (before,): (Option<Uuid>,) = self.read([Tenants::LogoId], true).await?;
        if before == logo {
            return Ok(None);
        }
        self.change(
            vec![(Tenants::LogoId, logo.into())],
            "logo",
            (serde_json::json!(before), serde_json::json!(logo)),
            by,
        )
        .await?;
        Ok(before)
    }

    /// How the company rounds a document's tax, read in this transaction.
    pub async fn rounding(&mut self) -> Result<Rounding, DataError> {
        self.read_rounding(false).await
    }

    /// How far, in percent of the order's price, a supplier invoice's unit
    /// price may stray and still match.
    pub async fn price_tolerance(&mut self) -> Result<portico_domain::money::Dec, DataError> {
        let (raw,): (i64,) = self.read([Tenants::PriceTolerance], false).await?;
        Ok(portico_domain::money::from_stored(raw, 0).normalize())
    }

    async fn read_rounding(&mut self, for_change: bool) -> Result<Rounding, DataError> {
        let (raw,): (String,) = self.read([Tenants::Rounding], for_change).await?;
        raw.parse()
            .map_err(|()| DataError::Corrupt(format!("tenant rounding {raw:?}")))
    }

    /// Changes how the company rounds a document's tax from now on (what is
    /// stored keeps its amounts).
    pub async fn set_rounding(&mut self, rounding: Rounding, by: By<'_>) -> Result<(), DataError> {
        let before = self.read_rounding(true).await?;
        if before == rounding {
            return Ok(());
        }
        self.change(
            vec![(Tenants::Rounding, rounding.as_str().into())],
            "rounding",
            (serde_json::json!(before), serde_json::json!(rounding)),
            by,
        )
        .await
    }
}
