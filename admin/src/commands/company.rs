//! The company's profile and logo: what its staff with the settings grant may
//! change about how the company presents itself (letterhead, page header).

use bytes::Bytes;
use portico_authz::{Action, Area};
use portico_domain::company::CompanyProfileInput;
use portico_web::{AppError, logo};

use super::Issuer;

/// Replaces the legal name, tax id and address; a refused profile is
/// `Invalid` with each field's problem and changes nothing.
pub(crate) async fn save_profile(
    issuer: &Issuer<'_>,
    input: &CompanyProfileInput,
) -> Result<(), AppError> {
    issuer.require(Area::Settings, Action::Write).await?;
    let profile = input.validate().map_err(AppError::Invalid)?;
    let mut tx = issuer.tx().await?;
    tx.settings().set_profile(&profile, issuer.by).await?;
    tx.commit().await?;
    issuer.state.tenants.forget(issuer.tenant.slug()).await;
    Ok(())
}

/// Checks, stores and sets a new logo (an unacceptable image is `Invalid` on
/// `logo`); the replaced logo's file goes once the change commits, the new
/// one's when it does not.
pub(crate) async fn replace_logo(issuer: &Issuer<'_>, upload: Bytes) -> Result<(), AppError> {
    issuer.require(Area::Settings, Action::Write).await?;
    let png = logo::process(issuer.state, upload)
        .await?
        .map_err(AppError::Invalid)?;
    let files = &issuer.state.files;
    let tenant = issuer.tenant.id();
    let new = logo::store(files, tenant, png).await?;
    let saved = async {
        let mut tx = issuer.tx().await?;
        let previous = tx.settings().set_logo(Some(new), issuer.by).await?;
        tx.commit().await?;
        Ok::<_, AppError>(previous)
    }
    .await;
    match saved {
        Ok(previous) => {
            if let Some(previous) = previous {
                logo::remove(files, tenant, previous).await;
            }
            issuer.state.tenants.forget(issuer.tenant.slug()).await;
            Ok(())
        }
        Err(e) => {
            logo::remove(files, tenant, new).await;
            Err(e)
        }
    }
}

/// Removes the company's logo, and its file once that commits.
pub(crate) async fn remove_logo(issuer: &Issuer<'_>) -> Result<(), AppError> {
    issuer.require(Area::Settings, Action::Write).await?;
    let mut tx = issuer.tx().await?;
    let previous = tx.settings().set_logo(None, issuer.by).await?;
    tx.commit().await?;
    if let Some(previous) = previous {
        logo::remove(&issuer.state.files, issuer.tenant.id(), previous).await;
    }
    issuer.state.tenants.forget(issuer.tenant.slug()).await;
    Ok(())
}
