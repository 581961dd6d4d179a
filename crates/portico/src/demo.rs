//! The demo company and the demo sign-ins, created when missing.

use portico_auth::hash_password;
use portico_data::{
    Actor, By, ContactList, Database, LinkAccessInput, NewOperator, NewStaffUser, NewTenant,
    TenantTx, provision_tenant,
};
use portico_domain::{
    AccountInput, AccountKind, BranchInput, ContactInput, Currency, Email, LinkFields, Locale,
    Portal, Slug, StaffRole,
};

/// The demo password of every demo account. For local demonstrations only.
pub const DEMO_PASSWORD: &str = "portico-demo-2026";
/// The demo company's slug.
pub const DEMO_SLUG: &str = "demo";
/// The demo company's owner.
pub const DEMO_OWNER: &str = "maria.rodriguez@distcaribe.do";
/// A read-only staff user of the demo company.
pub const DEMO_READ_ONLY: &str = "luis.martinez@distcaribe.do";
/// A sales staff user of the demo company (manages customers' contacts).
pub const DEMO_SALES: &str = "carlos.perez@distcaribe.do";
/// A purchasing staff user of the demo company (manages suppliers' contacts).
pub const DEMO_PURCHASING: &str = "ana.santos@distcaribe.do";
/// A customer-portal contact of Farmacia Carol (buyer and approver, every branch).
pub const DEMO_CUSTOMER_CONTACT: &str = "carolina.mendez@farmaciacarol.do";
/// A customer-portal contact who sees one branch only (read-only).
pub const DEMO_BRANCH_CONTACT: &str = "jose.feliz@farmaciacarol.do";
/// A supplier-portal contact of Laboratorios Andinos (sales rep and billing).
pub const DEMO_SUPPLIER_CONTACT: &str = "andres.restrepo@labandinos.co";
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

    let mut platform = db.operator_tx().await?;
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
            one_time_password: false,
            locale: None,
        },
        Actor::System,
    )
    .await?;
    let mut tx = db.tenant_tx(&tenant).await?;
    let mut sales = None;
    for (address, name, role) in [
        (
            DEMO_READ_ONLY,
            "Luis Alberto Martínez Gómez",
            StaffRole::ReadOnly,
        ),
        (DEMO_SALES, "Carlos Manuel Pérez Santos", StaffRole::Sales),
        (
            DEMO_PURCHASING,
            "Ana Lucía Santos Reyes",
            StaffRole::Purchasing,
        ),
    ] {
        let user = tx
            .staff()
            .create(&NewStaffUser {
                email: email(address)?,
                name: name.into(),
                role,
                password_hash: Some(password_hash.clone()),
                one_time_password: false,
                locale: None,
            })
            .await?;
        if role == StaffRole::Sales {
            sales = Some(user.id);
        }
    }
    seed_directory(&mut tx, sales.map(|id| id.to_string()).unwrap_or_default()).await?;
    seed_portal_access(&mut tx, &password_hash).await?;
    tx.commit().await?;
    Ok(DemoOutcome {
        created_tenant: true,
        created_operator,
    })
}

/// Kind, code, name, legal name, tax id, email, phone, city, state, country and
/// branches (code, name, city) of a demo customer or supplier.
type DemoAccount = (
    AccountKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

/// Title, first names, last names, email, mobile, position, category and links
/// (account code, position there, primary) of a demo contact.
type DemoPerson = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, bool)],
);

/// Customers (some with branches), suppliers and their contacts, in Spanish.
async fn seed_directory(tx: &mut TenantTx, owner: String) -> anyhow::Result<()> {
    let by = By {
        actor: Actor::System,
        request_id: None,
    };
    for category in ["Compras", "Finanzas", "Gerencia", "Técnico"] {
        tx.lists()
            .add_entry(ContactList::Categories, category, by)
            .await?;
    }
    let titles = tx.lists().entries(ContactList::Titles, 50).await?;
    let categories = tx.lists().entries(ContactList::Categories, 50).await?;
    let pick = |list: &[portico_data::ListEntry], name: &str| {
        list.iter()
            .find(|e| e.name == name)
            .map(|e| e.id.to_string())
            .unwrap_or_default()
    };
    let accounts: [DemoAccount; 10] = [
        (
            AccountKind::Customer,
            "C-0001",
            "Farmacia Carol",
            "Farmacia Carol, S.A.",
            "1-01-12345-6",
            "compras@farmaciacarol.do",
            "+1 809 555 0101",
            "Santo Domingo",
            "Distrito Nacional",
            "DO",
            &[
                ("SUC-NACO", "Sucursal Naco", "Santo Domingo"),
                ("SUC-PIANTINI", "Sucursal Piantini", "Santo Domingo"),
                (
                    "SUC-STGO",
                    "Sucursal Santiago Centro",
                    "Santiago de los Caballeros",
                ),
            ],
        ),
        (
            AccountKind::Customer,
            "C-0002",
            "Supermercados Nacional",
            "Centro Cuesta Nacional, S.A.S.",
            "1-01-00245-1",
            "proveedores@nacional.com.do",
            "+1 809 555 0150",
            "Santo Domingo",
            "Distrito Nacional",
            "DO",
            &[
                ("SUC-BV", "Sucursal Bella Vista", "Santo Domingo"),
                (
                    "SUC-STGO",
                    "Sucursal Santiago",
                    "Santiago de los Caballeros",
                ),
            ],
        ),
        (
            AccountKind::Customer,
            "C-0003",
            "Ferretería Americana",
            "Ferretería Americana, S.R.L.",
            "1-01-33456-2",
            "info@ferreamericana.do",
            "+1 809 555 0177",
            "Santiago de los Caballeros",
            "Santiago",
            "DO",
            &[],
        ),
        (
            AccountKind::Customer,
            "C-0004",
            "Clínica Abreu",
            "Clínica Dr. Abreu, S.A.",
            "1-01-45678-9",
            "administracion@clinicaabreu.do",
            "+1 809 555 0190",
            "Santo Domingo",
            "Distrito Nacional",
            "DO",
            &[],
        ),
        (
            AccountKind::Customer,
            "C-0005",
            "Hotel Caribe Real",
            "Inversiones Turísticas del Este, S.R.L.",
            "1-30-98765-4",
            "compras@caribereal.do",
            "+1 809 555 0123",
            "Punta Cana",
            "La Altagracia",
            "DO",
            &[],
        ),
        (
            AccountKind::Customer,
            "C-0006",
            "Grupo Comercial Azteca",
            "Grupo Comercial Azteca, S.A. de C.V.",
            "GCA980312KL4",
            "compras@gcazteca.mx",
            "+52 55 5555 0123",
            "Ciudad de México",
            "CDMX",
            "MX",
            &[],
        ),
        (
            AccountKind::Supplier,
            "P-0001",
            "Laboratorios Andinos",
            "Laboratorios Andinos S.A.S.",
            "900.123.456-7",
            "ventas@labandinos.co",
            "+57 601 555 0123",
            "Bogotá",
            "Cundinamarca",
            "CO",
            &[],
        ),
        (
            AccountKind::Supplier,
            "P-0002",
            "Empaques del Norte",
            "Empaques del Norte, S.A. de C.V.",
            "EDN050621AB1",
            "ventas@empaquesnorte.mx",
            "+52 81 5555 0199",
            "Monterrey",
            "Nuevo León",
            "MX",
            &[],
        ),
        (
            AccountKind::Supplier,
            "P-0003",
            "Transporte Cibao",
            "Transporte Cibao, S.R.L.",
            "1-31-22334-5",
            "despacho@transportecibao.do",
            "+1 809 555 0144",
            "Santiago de los Caballeros",
            "Santiago",
            "DO",
            &[],
        ),
        (
            AccountKind::Supplier,
            "P-0004",
            "Distribuidora Farmacéutica Global",
            "DFG Global, S.A.",
            "1-01-77889-0",
            "pedidos@dfglobal.do",
            "+1 809 555 0166",
            "Santo Domingo",
            "Distrito Nacional",
            "DO",
            &[],
        ),
    ];
    let mut ids = Vec::new();
    for (kind, code, name, legal, tax, mail, phone, city, state, country, branches) in accounts {
        let input = AccountInput {
            code: code.into(),
            name: name.into(),
            legal_name: legal.into(),
            tax_id: tax.into(),
            email: mail.into(),
            phone: phone.into(),
            city: city.into(),
            state: state.into(),
            country: country.into(),
            owner_id: owner.clone(),
            branches_enabled: (!branches.is_empty()).then(|| "on".into()),
            ..AccountInput::default()
        };
        let fields = input.validate(kind).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let account = tx.accounts().create(kind, &fields, by).await?;
        for (code, name, city) in branches {
            let branch = BranchInput {
                code: (*code).into(),
                name: (*name).into(),
                city: (*city).into(),
                country: "DO".into(),
                ..BranchInput::default()
            };
            let fields = branch.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            tx.branches().create(account.id, &fields, by).await?;
        }
        ids.push((code, account.id));
    }
    let account = |code: &str| ids.iter().find(|(c, _)| *c == code).map(|(_, id)| *id);
    let people: [DemoPerson; 12] = [
        (
            "Lic.",
            "Carolina",
            "Méndez Vargas",
            "carolina.mendez@farmaciacarol.do",
            "+1 809 555 0111",
            "Gerente de compras",
            "Compras",
            &[("C-0001", "Gerente de compras", true)],
        ),
        (
            "Sr.",
            "José Miguel",
            "Féliz Ramírez",
            "jose.feliz@farmaciacarol.do",
            "+1 829 555 0112",
            "Encargado de sucursal",
            "Compras",
            &[("C-0001", "Encargado Sucursal Naco", false)],
        ),
        (
            "Lic.",
            "Rosa Elena",
            "Castillo Núñez",
            "rosa.castillo@farmaciacarol.do",
            "+1 849 555 0113",
            "Contadora",
            "Finanzas",
            &[("C-0001", "Cuentas por pagar", false)],
        ),
        (
            "Ing.",
            "Ramón Antonio",
            "Guzmán Tavárez",
            "ramon.guzman@nacional.com.do",
            "+1 809 555 0151",
            "Director de abastecimiento",
            "Gerencia",
            &[("C-0002", "Director de abastecimiento", true)],
        ),
        (
            "Sra.",
            "Yolanda",
            "Peralta de la Cruz",
            "yolanda.peralta@nacional.com.do",
            "+1 829 555 0152",
            "Analista de compras",
            "Compras",
            &[("C-0002", "Analista de compras", false)],
        ),
        (
            "Sr.",
            "Pedro Julio",
            "Almonte Rosario",
            "pedro.almonte@ferreamericana.do",
            "+1 809 555 0178",
            "Propietario",
            "Gerencia",
            &[("C-0003", "Propietario", true)],
        ),
        (
            "Dra.",
            "Altagracia",
            "Abreu Soriano",
            "altagracia.abreu@clinicaabreu.do",
            "+1 809 555 0191",
            "Directora médica",
            "Gerencia",
            &[("C-0004", "Directora médica", true)],
        ),
        (
            "Lic.",
            "Manuel Emilio",
            "Reyes Batista",
            "manuel.reyes@caribereal.do",
            "+1 809 555 0124",
            "Jefe de compras",
            "Compras",
            &[("C-0005", "Jefe de compras", true)],
        ),
        (
            "Lic.",
            "Guadalupe",
            "Hernández Ortiz",
            "guadalupe.hernandez@gcazteca.mx",
            "+52 55 5555 0124",
            "Gerente de adquisiciones",
            "Compras",
            &[("C-0006", "Gerente de adquisiciones", true)],
        ),
        (
            "Ing.",
            "Andrés Felipe",
            "Restrepo Gómez",
            "andres.restrepo@labandinos.co",
            "+57 310 555 0123",
            "Ejecutivo de cuenta",
            "Técnico",
            &[("P-0001", "Ejecutivo de cuenta", true)],
        ),
        (
            "Sr.",
            "Jorge Luis",
            "Treviño Garza",
            "jorge.trevino@empaquesnorte.mx",
            "+52 81 5555 0198",
            "Gerente comercial",
            "Gerencia",
            &[("P-0002", "Gerente comercial", true)],
        ),
        (
            "Srta.",
            "Paola",
            "Jiménez Sánchez",
            "paola.jimenez@transportecibao.do",
            "+1 829 555 0145",
            "Coordinadora de despacho",
            "Técnico",
            &[
                ("P-0003", "Coordinadora de despacho", true),
                ("C-0003", "Contacto de entregas", false),
            ],
        ),
    ];
    for (title, first, last, mail, mobile, position, category, links) in people {
        let input = ContactInput {
            title_id: pick(&titles, title),
            first_name: first.into(),
            last_name: last.into(),
            email: mail.into(),
            mobile: mobile.into(),
            position: position.into(),
            category_id: pick(&categories, category),
            owner_id: owner.clone(),
            preferred_language: "es".into(),
            ..ContactInput::default()
        };
        let fields = input
            .validate(portico_domain::RequiredFields::AnyOf)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let contact = tx.contacts().create(&fields, by).await?;
        for (code, position, primary) in links.iter() {
            let Some(account) = account(code) else {
                continue;
            };
            let link = LinkFields {
                position: Some((*position).into()),
                is_primary: *primary,
            };
            tx.links().create(contact.id, account, &link, by).await?;
        }
    }
    Ok(())
}

/// Portal access for three demo contacts, with their grants and the demo
/// password (as if they had accepted their invitations).
async fn seed_portal_access(tx: &mut TenantTx, password_hash: &str) -> anyhow::Result<()> {
    let by = By {
        actor: Actor::System,
        request_id: None,
    };
    // (contact, portal, roles by seeded key, only these branches by code)
    let grants: [(&str, Portal, &[&str], &[&str]); 3] = [
        (
            DEMO_CUSTOMER_CONTACT,
            Portal::Customer,
            &["buyer", "approver"],
            &[],
        ),
        (
            DEMO_BRANCH_CONTACT,
            Portal::Customer,
            &["read_only"],
            &["SUC-NACO"],
        ),
        (
            DEMO_SUPPLIER_CONTACT,
            Portal::Supplier,
            &["sales_rep", "billing"],
            &[],
        ),
    ];
    for (mail, portal, role_keys, branch_codes) in grants {
        let contact = tx
            .contacts()
            .find_by_email(&email(mail)?)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo contact {mail} missing"))?;
        tx.portal_access().set(contact.id, portal, true, by).await?;
        let roles: Vec<_> = tx
            .portal_roles()
            .list(Some(portal))
            .await?
            .into_iter()
            .filter(|r| {
                r.seed_key
                    .as_deref()
                    .is_some_and(|k| role_keys.contains(&k))
            })
            .map(|r| r.id)
            .collect();
        for link in tx.link_grants().of_contact(contact.id).await? {
            let branches: Vec<_> = tx
                .branches()
                .list(link.account_id, 50)
                .await?
                .into_iter()
                .filter(|b| branch_codes.contains(&b.fields.code.as_str()))
                .map(|b| b.id.as_uuid())
                .collect();
            let input = LinkAccessInput {
                role_ids: roles.clone(),
                permissions: Vec::new(),
                all_branches: branch_codes.is_empty(),
                branch_ids: branches,
            };
            tx.link_grants().set(link.link_id, &input, by).await?;
        }
        tx.portal_credentials()
            .set_password(contact.id, password_hash, by)
            .await?;
    }
    Ok(())
}
