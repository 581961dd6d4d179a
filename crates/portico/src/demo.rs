//! The demo company and the demo sign-ins, created when missing.

use portico_auth::hash_password;
use portico_data::{Actor, Database, NewOperator, NewStaffUser, NewTenant, provision_tenant};
use portico_domain::{Currency, Email, Locale, Slug, StaffRole};

/// The demo password of every demo account. For local demonstrations only.
pub const DEMO_PASSWORD: &str = "portico-demo-2026";
/// The demo company's slug.
pub const DEMO_SLUG: &str = "demo";
/// The demo company's owner.
pub const DEMO_OWNER: &str = "maria.rodriguez@distcaribe.do";
/// A read-only staff user of the demo company.
pub const DEMO_READ_ONLY: &str = "luis.martinez@distcaribe.do";
/// The demo platform operator.
pub const DEMO_OPERATOR: &str = "operaciones@portico.do";

/// What `ensure_demo` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOutcome {
    pub created_tenant: bool,
    pub created_operator: bool,
}

fn email(raw: &str) -> anyhow::Result<Email> {
    Ok(Email::parse(raw)?)
}

/// Creates the demo company (with an owner and a read-only user) and the demo
/// operator if they do not exist yet; existing ones are left as they are.
pub async fn ensure_demo(db: &Database) -> anyhow::Result<DemoOutcome> {
    let slug = Slug::parse(DEMO_SLUG)?;
    let password_hash = hash_password(DEMO_PASSWORD).await?;

    let mut platform = db.platform_tx().await?;
    let existing_tenant = platform.find_tenant_by_slug(&slug).await?;
    let operator_email = email(DEMO_OPERATOR)?;
    let created_operator = if platform
        .find_operator_by_email(&operator_email)
        .await?
        .is_none()
    {
        platform
            .create_operator(&NewOperator {
                email: operator_email,
                name: "Operaciones Portico".into(),
                password_hash: password_hash.clone(),
            })
            .await?;
        true
    } else {
        false
    };
    platform.commit().await?;

    if existing_tenant.is_some() {
        return Ok(DemoOutcome {
            created_tenant: false,
            created_operator,
        });
    }
    let tenant = provision_tenant(
        db,
        &NewTenant {
            slug,
            name: "Distribuidora del Caribe, S.R.L.".into(),
            locale: Locale::Es,
            currency: Currency::parse("DOP")?,
            max_contacts: None,
        },
        &NewStaffUser {
            email: email(DEMO_OWNER)?,
            name: "María Fernanda Rodríguez Peña".into(),
            role: StaffRole::Owner,
            password_hash: Some(password_hash.clone()),
            locale: None,
        },
        Actor::System,
    )
    .await?;
    let mut tx = db.tenant_tx(&tenant).await?;
    tx.create_staff_user(&NewStaffUser {
        email: email(DEMO_READ_ONLY)?,
        name: "Luis Alberto Martínez Gómez".into(),
        role: StaffRole::ReadOnly,
        password_hash: Some(password_hash),
        locale: None,
    })
    .await?;
    tx.commit().await?;
    Ok(DemoOutcome {
        created_tenant: true,
        created_operator,
    })
}
