//! The demo company and the demo sign-ins, created when missing.

use anyhow::Context;
use portico_auth::hash_password;
use portico_data::{
    Actor, By, ContactList, Database, LinkAccessInput, NewOperator, NewStaffUser, NewTenant,
    TenantTx, provision_tenant,
};
use portico_domain::{
    AccountInput, AccountKind, BranchInput, ContactInput, Currency, Email, LinkFields, Locale,
    Portal, Slug, StaffRole,
};
use portico_files::{FileKey, FileStore};
use uuid::Uuid;

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
/// A customer-portal contact of Farmacia Carol (buyer, approver and accounts
/// payable, every branch, approval limit [`DEMO_APPROVER_LIMIT`]).
pub const DEMO_CUSTOMER_CONTACT: &str = "carolina.mendez@farmaciacarol.do";
/// A customer-portal contact who sees one branch only (read-only, buyer and
/// approver up to [`DEMO_BRANCH_LIMIT`]).
pub const DEMO_BRANCH_CONTACT: &str = "jose.feliz@farmaciacarol.do";
/// The branch contact's approval limit (DOP).
pub const DEMO_BRANCH_LIMIT: &str = "25000.00";
/// The all-branches contact's approval limit (DOP).
pub const DEMO_APPROVER_LIMIT: &str = "500000.00";
/// A supplier-portal contact of Laboratorios Andinos (sales rep and billing).
pub const DEMO_SUPPLIER_CONTACT: &str = "andres.restrepo@labandinos.co";
/// A contact of both portals (a supplier's dispatcher who is also the
/// delivery contact of customer Ferretería Americana): one sign-in, a switch
/// between them.
pub const DEMO_BOTH_PORTALS_CONTACT: &str = "paola.jimenez@transportecibao.do";
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
pub async fn ensure_demo(db: &Database, files: &FileStore) -> anyhow::Result<DemoOutcome> {
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
    seed_sales(&mut tx, chrono::Local::now().date_naive()).await?;
    seed_orders(&mut tx).await?;
    seed_purchase_orders(&mut tx, chrono::Local::now().date_naive()).await?;
    let mut stored = seed_documents(&mut tx, files, tenant.id()).await?;
    stored.extend(seed_service_requests(&mut tx, files, tenant.id()).await?);
    seed_profile(&mut tx, files, tenant.id()).await?;
    if let Err(e) = tx.commit().await {
        for key in stored {
            files.remove(&key).await;
        }
        return Err(e.into());
    }
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
    // (contact, portal, roles by seeded key, only these branches by code,
    // approval limit)
    type DemoGrant<'a> = (
        &'a str,
        Portal,
        &'a [&'a str],
        &'a [&'a str],
        Option<&'a str>,
    );
    let grants: [DemoGrant<'_>; 5] = [
        (
            DEMO_CUSTOMER_CONTACT,
            Portal::Customer,
            &["buyer", "approver", "accounts_payable", "service"],
            &[],
            Some(DEMO_APPROVER_LIMIT),
        ),
        (
            DEMO_BRANCH_CONTACT,
            Portal::Customer,
            &["read_only", "buyer", "approver", "service"],
            &["SUC-NACO"],
            Some(DEMO_BRANCH_LIMIT),
        ),
        (
            DEMO_SUPPLIER_CONTACT,
            Portal::Supplier,
            &["sales_rep", "billing"],
            &[],
            None,
        ),
        (
            DEMO_BOTH_PORTALS_CONTACT,
            Portal::Supplier,
            &["sales_rep"],
            &[],
            None,
        ),
        (
            DEMO_BOTH_PORTALS_CONTACT,
            Portal::Customer,
            &["read_only"],
            &[],
            None,
        ),
    ];
    for (mail, portal, role_keys, branch_codes, limit) in grants {
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
        let links = tx.link_grants().of_contact(contact.id).await?;
        for link in links.into_iter().filter(|l| l.portal == portal) {
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
                approval_limit: limit.map(str::parse).transpose()?,
            };
            tx.link_grants().set(link.link_id, &input, by).await?;
        }
        tx.portal_credentials()
            .set_password(contact.id, password_hash, by)
            .await?;
    }
    Ok(())
}

/// Items the demo invoices sell: code, description, unit price (DOP) and tax
/// rate (medicines are exempt from ITBIS; the rest pay 18 %).
const DEMO_ITEMS: [(&str, &str, &str, &str); 6] = [
    (
        "MED-0101",
        "Amoxicilina 500 mg, caja de 100",
        "1250.00",
        "0",
    ),
    (
        "MED-0207",
        "Acetaminofén 500 mg, caja de 200",
        "640.50",
        "0",
    ),
    ("MED-0315", "Loratadina 10 mg, caja de 30", "385.75", "0"),
    ("HIG-1102", "Gel antibacterial 1 L", "295.00", "18"),
    (
        "HIG-1150",
        "Mascarillas quirúrgicas, caja de 50",
        "410.00",
        "18",
    ),
    ("EQP-2010", "Tensiómetro digital de brazo", "3450.00", "18"),
];

/// More of the demo catalogue beyond [`DEMO_ITEMS`]: code, name, unit,
/// price (DOP) and tax rate.
const DEMO_CATALOGUE: [(&str, &str, &str, &str, &str); 8] = [
    (
        "MED-0420",
        "Ibuprofeno 400 mg, caja de 100",
        "caja",
        "520.00",
        "0",
    ),
    (
        "MED-0533",
        "Omeprazol 20 mg, caja de 28",
        "caja",
        "310.25",
        "0",
    ),
    ("MED-0610", "Suero oral, sobre", "sobre", "35.00", "0"),
    (
        "HIG-1201",
        "Alcohol isopropílico 70 %, galón",
        "galón",
        "780.00",
        "18",
    ),
    (
        "HIG-1305",
        "Guantes de nitrilo, caja de 100",
        "caja",
        "655.00",
        "18",
    ),
    (
        "EQP-2105",
        "Termómetro infrarrojo",
        "unidad",
        "2150.00",
        "18",
    ),
    ("EQP-2220", "Oxímetro de pulso", "unidad", "1890.00", "18"),
    (
        "EQP-2300",
        "Glucómetro con 50 tiras",
        "unidad",
        "2790.00",
        "18",
    ),
];

/// The demo catalogue, Farmacia Carol's own prices, and its quotes and orders
/// in every state: one requested in the portal, one sent and waiting, one
/// accepted and ordered, one rejected; orders authorized, fulfilled, and one
/// of the branch contact's over its limit, waiting for the approver.
async fn seed_orders(tx: &mut TenantTx) -> anyhow::Result<()> {
    use portico_data::NewOrder;
    use portico_domain::orders::{ItemInput, OrderKind, OrderLine, OrderMove, PriceInput};
    let system = By {
        actor: Actor::System,
        request_id: None,
    };
    let mut items: Vec<ItemInput> = DEMO_ITEMS
        .iter()
        .map(|(code, name, price, rate)| ItemInput {
            code: (*code).into(),
            name: (*name).into(),
            unit: if code.starts_with("EQP") {
                "unidad"
            } else {
                "caja"
            }
            .into(),
            currency: "DOP".into(),
            price: (*price).into(),
            tax_rate: (*rate).into(),
            active: Some(true),
        })
        .collect();
    items.extend(
        DEMO_CATALOGUE
            .iter()
            .map(|(code, name, unit, price, rate)| ItemInput {
                code: (*code).into(),
                name: (*name).into(),
                unit: (*unit).into(),
                currency: "DOP".into(),
                price: (*price).into(),
                tax_rate: (*rate).into(),
                active: Some(true),
            }),
    );
    let items: Vec<_> = items
        .iter()
        .map(ItemInput::validate)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("demo items: {e:?}"))?;
    tx.catalogue().upsert_items(&items, system).await?;
    let prices: Vec<_> = [("MED-0101", "1175.00"), ("HIG-1102", "270.00")]
        .into_iter()
        .map(|(item, price)| {
            PriceInput {
                customer: "C-0001".into(),
                item: item.into(),
                price: price.into(),
            }
            .validate()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("demo prices: {e:?}"))?;
    tx.catalogue().upsert_prices(&prices, system).await?;

    let customer = tx
        .accounts()
        .find_by_code(AccountKind::Customer, "C-0001")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo customer C-0001 missing"))?;
    let naco = tx
        .branches()
        .list(customer.id, 50)
        .await?
        .into_iter()
        .find(|b| b.fields.code == "SUC-NACO")
        .map(|b| b.id);
    let carolina = tx
        .contacts()
        .find_by_email(&email(DEMO_CUSTOMER_CONTACT)?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo contact missing"))?
        .id;
    let jose = tx
        .contacts()
        .find_by_email(&email(DEMO_BRANCH_CONTACT)?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo contact missing"))?
        .id;
    let codes: Vec<_> = tx
        .catalogue()
        .items(None, None, 50)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let priced = tx.catalogue().priced_for(customer.id, &codes).await?;
    let by = |who| By {
        actor: Actor::Contact(who),
        request_id: None,
    };
    // (kind, at the branch, creator, lines as (item index, quantity), moves
    // by whom: nobody is the company)
    type Plan<'a> = (
        OrderKind,
        bool,
        Option<portico_data::ContactId>,
        &'a [(usize, i64)],
        &'a [(OrderMove, Option<portico_data::ContactId>)],
    );
    let plans: [Plan<'_>; 7] = [
        (
            OrderKind::Quote,
            false,
            None,
            &[(0, 20), (5, 2)],
            &[
                (OrderMove::Send, None),
                (OrderMove::Authorize, Some(carolina)),
            ],
        ),
        (OrderKind::Quote, true, Some(jose), &[(3, 40), (4, 30)], &[]),
        (
            OrderKind::Quote,
            false,
            None,
            &[(8, 10), (12, 5)],
            &[(OrderMove::Send, None)],
        ),
        (
            OrderKind::Quote,
            false,
            None,
            &[(13, 3)],
            &[(OrderMove::Send, None), (OrderMove::Reject, Some(carolina))],
        ),
        (
            OrderKind::Order,
            false,
            Some(carolina),
            &[(1, 30), (2, 25)],
            &[
                (OrderMove::Authorize, Some(carolina)),
                (OrderMove::Fulfil, None),
            ],
        ),
        (
            OrderKind::Order,
            true,
            Some(jose),
            &[(6, 12), (3, 2)],
            &[(OrderMove::Authorize, Some(jose))],
        ),
        (
            OrderKind::Order,
            true,
            Some(jose),
            &[(5, 8), (11, 6), (0, 10)],
            &[],
        ),
    ];
    for (kind, at_branch, creator, wanted, moves) in plans {
        let lines: Vec<OrderLine> = wanted
            .iter()
            .filter_map(|(i, quantity)| {
                let item = priced.get(codes.get(*i)?)?;
                Some(OrderLine::priced(
                    (item.id, &item.code, &item.name, &item.unit),
                    (*quantity).into(),
                    item.price,
                    item.tax_rate,
                ))
            })
            .collect();
        let row = tx
            .orders()
            .create(
                NewOrder {
                    kind,
                    account: customer.id,
                    branch: if at_branch { naco } else { None },
                    currency: "DOP".into(),
                    lines,
                    valid_until: (kind == OrderKind::Quote)
                        .then(|| chrono::Local::now().date_naive() + chrono::Days::new(30)),
                    deliver_on: None,
                    quote: None,
                    notes: None,
                    created_by: creator,
                },
                creator.map_or(system, by),
            )
            .await?;
        let mut row = row;
        for (mv, who) in moves {
            match tx
                .orders()
                .apply(&row, *mv, None, None, who.map_or(system, by))
                .await?
            {
                Some(portico_data::Moved::Done(next)) => row = next,
                other => anyhow::bail!("demo move {mv:?} on {}: {other:?}", row.number),
            }
        }
    }
    Ok(())
}

/// Purchase orders placed with the demo suppliers, in every state the
/// supplier portal shows: Laboratorios Andinos has one to acknowledge, one
/// it acknowledged, one it answered with changes (in review), one partly
/// received, one closed and a draft it does not see; Transporte Cibao has
/// one to acknowledge.
async fn seed_purchase_orders(tx: &mut TenantTx, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use chrono::Days;
    use portico_domain::orders::DraftLineInput;
    use portico_domain::purchasing::{
        AckInput, ErpPurchaseOrderInput, ErpReceiptInput, LineAckInput, PoLineInput, PoMove,
        ReceiptLineInput,
    };
    use portico_domain::sales::LineInput;
    use portico_domain::supplier_invoices::{InvoiceLineInput, SupplierInvoiceInput};
    let system = By {
        actor: Actor::System,
        request_id: None,
    };
    let day = |back: u64| (today - Days::new(back)).to_string();
    let ahead = |n: u64| (today + Days::new(n)).to_string();
    // (reference, supplier, status, issued days ago, expected in days, lines
    // as (code, description, unit, quantity, price, tax rate))
    type Line = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );
    type Plan = (
        &'static str,
        &'static str,
        &'static str,
        u64,
        u64,
        &'static [Line],
    );
    let plans: [Plan; 7] = [
        (
            "ERP-OC-1001",
            "P-0001",
            "sent",
            2,
            12,
            &[
                (
                    "MP-AMOX-500",
                    "Amoxicilina 500 mg, granel",
                    "kg",
                    "40",
                    "3150.00",
                    "18",
                ),
                (
                    "MP-IBU-400",
                    "Ibuprofeno 400 mg, granel",
                    "kg",
                    "25",
                    "2480.00",
                    "18",
                ),
                (
                    "EMB-BLI-10",
                    "Blíster de 10 unidades",
                    "millar",
                    "12",
                    "950.00",
                    "18",
                ),
            ],
        ),
        (
            "ERP-OC-1002",
            "P-0001",
            "sent",
            9,
            5,
            &[
                (
                    "MP-PARA-500",
                    "Paracetamol 500 mg, granel",
                    "kg",
                    "60",
                    "1890.00",
                    "18",
                ),
                (
                    "MP-LORA-10",
                    "Loratadina 10 mg, granel",
                    "kg",
                    "8",
                    "7400.00",
                    "18",
                ),
            ],
        ),
        (
            "ERP-OC-1003",
            "P-0001",
            "sent",
            15,
            3,
            &[
                (
                    "MP-OMEP-20",
                    "Omeprazol 20 mg, pellets",
                    "kg",
                    "30",
                    "4200.00",
                    "18",
                ),
                (
                    "EMB-FRA-60",
                    "Frasco PET 60 ml",
                    "millar",
                    "5",
                    "3300.00",
                    "18",
                ),
            ],
        ),
        (
            "ERP-OC-0998",
            "P-0001",
            "acknowledged",
            40,
            0,
            &[(
                "MP-AMOX-500",
                "Amoxicilina 500 mg, granel",
                "kg",
                "50",
                "3100.00",
                "18",
            )],
        ),
        (
            "ERP-OC-0990",
            "P-0001",
            "acknowledged",
            90,
            0,
            &[(
                "MP-IBU-400",
                "Ibuprofeno 400 mg, granel",
                "kg",
                "20",
                "2450.00",
                "18",
            )],
        ),
        (
            "ERP-OC-1004",
            "P-0001",
            "draft",
            0,
            20,
            &[(
                "MP-PARA-500",
                "Paracetamol 500 mg, granel",
                "kg",
                "100",
                "1890.00",
                "18",
            )],
        ),
        (
            "ERP-OC-2001",
            "P-0003",
            "sent",
            1,
            4,
            &[(
                "FLETE-STI-SDQ",
                "Flete Santiago – Santo Domingo, camión 10 t",
                "viaje",
                "3",
                "18500.00",
                "18",
            )],
        ),
    ];
    let inputs: Vec<_> = plans
        .iter()
        .map(|(reference, supplier, status, back, expected, lines)| {
            ErpPurchaseOrderInput {
                external_ref: (*reference).into(),
                supplier: (*supplier).into(),
                branch: None,
                status: Some((*status).into()),
                issued_on: Some(day(*back)),
                expected_on: Some(if *expected == 0 {
                    day(*back / 2)
                } else {
                    ahead(*expected)
                }),
                currency: "DOP".into(),
                notes: None,
                lines: lines
                    .iter()
                    .map(
                        |(code, description, unit, quantity, price, rate)| PoLineInput {
                            line: DraftLineInput {
                                line: LineInput {
                                    item_code: Some((*code).into()),
                                    description: (*description).into(),
                                    quantity: (*quantity).into(),
                                    unit_price: (*price).into(),
                                    tax_rate: (*rate).into(),
                                },
                                unit: (*unit).into(),
                            },
                            expected_on: None,
                        },
                    )
                    .collect(),
            }
            .validate()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("demo purchase orders: {e:?}"))?;
    let outcomes = tx.purchase_orders().upsert(&inputs, system).await?;
    let andres = tx
        .contacts()
        .find_by_email(&email(DEMO_SUPPLIER_CONTACT)?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo supplier contact missing"))?
        .id;
    let by = By {
        actor: Actor::Contact(andres),
        request_id: None,
    };
    let accept = || LineAckInput {
        decision: "accept".into(),
        ..Default::default()
    };
    // OC for ERP-OC-1002: acknowledged as sent; ERP-OC-1003: a later date
    // on one line and a rejected one, waiting for the company's review.
    let answers = [
        (
            1,
            AckInput {
                lines: vec![accept(), accept()],
                note: None,
            },
        ),
        (
            2,
            AckInput {
                lines: vec![
                    LineAckInput {
                        decision: "change".into(),
                        promised_on: Some(ahead(10)),
                        reason: Some(
                            "El lote actual sale de control de calidad en diez días".into(),
                        ),
                        ..Default::default()
                    },
                    LineAckInput {
                        decision: "reject".into(),
                        reason: Some("Descontinuado por el fabricante del envase".into()),
                        ..Default::default()
                    },
                ],
                note: Some("Podemos ofrecer el frasco de 100 ml como alternativa.".into()),
            },
        ),
    ];
    for (n, input) in answers {
        let detail = tx
            .purchase_orders()
            .detail(outcomes[n].id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo purchase order missing"))?;
        let ack = input
            .validate(&detail.ordered(), detail.row.issued_on)
            .map_err(|e| anyhow::anyhow!("demo acknowledgement: {e:?}"))?;
        tx.purchase_orders()
            .acknowledge(&detail.row, &ack, by)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo acknowledgement refused"))?;
    }
    // Goods received: part of ERP-OC-0998 (two kilos refused), all of
    // ERP-OC-0990, which the company then closed.
    let receipts: Vec<_> = [
        (
            "ERP-EM-501",
            "ERP-OC-0998",
            30,
            "30",
            Some(("2", "Empaque dañado")),
        ),
        ("ERP-EM-480", "ERP-OC-0990", 70, "20", None),
        ("ERP-EM-510", "ERP-OC-1002", 3, "60", None),
    ]
    .into_iter()
    .map(|(reference, order, back, accepted, rejected)| {
        ErpReceiptInput {
            external_ref: reference.into(),
            purchase_order: order.into(),
            received_on: Some(day(back)),
            notes: None,
            lines: vec![ReceiptLineInput {
                position: 1,
                accepted: accepted.into(),
                rejected: rejected.map(|(q, _): (&str, &str)| q.into()),
                reason: rejected.map(|(_, r)| r.into()),
            }],
        }
        .validate()
    })
    .collect::<Result<_, _>>()
    .map_err(|e| anyhow::anyhow!("demo receipts: {e:?}"))?;
    tx.goods_receipts().upsert(&receipts, system).await?;
    let closed = tx
        .purchase_orders()
        .find(outcomes[4].id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo purchase order missing"))?;
    tx.purchase_orders()
        .apply(&closed, PoMove::Close, system)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo purchase order not closed"))?;
    // Andrés invoiced part of ERP-OC-0998 as received (matched), and the
    // paracetamol of ERP-OC-1002 above the ordered price, with a note.
    let invoices = [
        (3, "FAC-LA-000456", "20", "3100.00", None),
        (
            1,
            "FAC-LA-000471",
            "60",
            "1950.00",
            Some("Ajuste de precio por la tasa de cambio acordado con Compras."),
        ),
    ];
    for (n, number, quantity, price, note) in invoices {
        let order = tx
            .purchase_orders()
            .detail(outcomes[n].id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo purchase order missing"))?;
        let invoice = SupplierInvoiceInput {
            number: number.into(),
            issued_on: day(2),
            due_on: Some(ahead(28)),
            tax_id: "900.123.456-7".into(),
            note: note.map(Into::into),
            lines: vec![InvoiceLineInput {
                position: 1,
                quantity: quantity.into(),
                unit_price: price.into(),
                tax_rate: "18".into(),
            }],
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo supplier invoice: {e:?}"))?;
        let report = tx.supplier_invoices().prematch(&order, &invoice).await?;
        anyhow::ensure!(
            !report.refused(),
            "demo supplier invoice refused: {report:?}"
        );
        tx.supplier_invoices()
            .submit(&order, &invoice, &report, by)
            .await?;
    }
    Ok(())
}

/// A year of sales for demo customers, dated back from `today`: each
/// customer (and each of its branches) gets an invoice a month; invoices
/// older than about three months are paid (one payment sometimes settling
/// two), the next ones partly, the recent ones are open and one old one is
/// left overdue; Farmacia Carol also has a credit note.
async fn seed_sales(tx: &mut TenantTx, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use chrono::Days;
    use portico_domain::money::Dec;
    use portico_domain::sales::{ApplicationInput, InvoiceInput, LineInput, PaymentInput};
    let by = By {
        actor: Actor::System,
        request_id: None,
    };
    let rounding = tx.settings().rounding().await?;
    // (customer, branches by code, the first invoice number, months of history)
    let customers: [(&str, &[Option<&str>], u32, u64); 4] = [
        (
            "C-0001",
            &[
                None,
                Some("SUC-NACO"),
                Some("SUC-PIANTINI"),
                Some("SUC-STGO"),
            ],
            1001,
            12,
        ),
        ("C-0002", &[Some("SUC-BV"), Some("SUC-STGO")], 2001, 12),
        ("C-0003", &[None], 3001, 8),
        ("C-0004", &[None], 4001, 5),
    ];
    let day = |back: u64| today.checked_sub_days(Days::new(back)).unwrap_or(today);
    let mut invoices = Vec::new();
    let mut payments = Vec::new();
    let mut payment_number = 1;
    for (c, (customer, branches, first, months)) in customers.into_iter().enumerate() {
        // One invoice a month per branch: (branch index, seed, days back),
        // numbered in the order they were issued.
        let mut issued: Vec<(usize, u64, u64)> = (0..branches.len())
            .flat_map(|b| {
                (0..months).map(move |month| {
                    let seed = (c * 7 + b * 3) as u64 + month;
                    (b, seed, month * 30 + 3 + (seed * 5) % 11)
                })
            })
            .collect();
        issued.sort_by_key(|(b, _, back)| (std::cmp::Reverse(*back), *b));
        // Per branch, its invoices oldest first: (number, total, days back).
        let mut unpaid: Vec<Vec<(String, Dec, u64)>> = vec![Vec::new(); branches.len()];
        for (n, (b, seed, back)) in issued.into_iter().enumerate() {
            let lines: Vec<LineInput> = (0..(2 + seed % 3))
                .map(|i| {
                    let (code, description, price, rate) =
                        DEMO_ITEMS[((seed + i * 2) % 6) as usize];
                    LineInput {
                        item_code: Some(code.into()),
                        description: description.into(),
                        quantity: (4 + (seed * 7 + i * 5) % 37).to_string(),
                        unit_price: price.into(),
                        tax_rate: rate.into(),
                    }
                })
                .collect();
            let number = format!("FAC-{:06}", first as usize + n);
            let issued_on = day(back);
            let input = InvoiceInput {
                kind: "invoice".into(),
                number: number.clone(),
                external_ref: format!("ERP-{number}"),
                customer: customer.into(),
                branch: branches[b].map(str::to_owned),
                issued_on: issued_on.to_string(),
                due_on: Some((issued_on + Days::new(30)).to_string()),
                currency: "DOP".into(),
                notes: None,
                lines,
                applied_to: Vec::new(),
            };
            let fields = input
                .validate(rounding)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            unpaid[b].push((number, fields.total, back));
            invoices.push(fields);
        }
        for (b, unpaid) in unpaid.iter().enumerate() {
            // Pay what is older than 100 days (two at a time every third
            // month) but the third oldest of the first branch (left overdue);
            // pay half of those between 45 and 100 days old.
            let mut k = 0;
            while k < unpaid.len() {
                let (ref n, total, back) = unpaid[k];
                if (b == 0 && k == 2) || back < 45 {
                    k += 1;
                    continue;
                }
                let part = if back < 100 {
                    (total / Dec::TWO).round_dp(2)
                } else {
                    total
                };
                let mut applied = vec![(n.clone(), part)];
                let mut received_back = back.saturating_sub(28);
                if back >= 100 && k % 3 == 0 && k + 1 < unpaid.len() && unpaid[k + 1].2 >= 100 {
                    let (ref next, next_total, next_back) = unpaid[k + 1];
                    applied.push((next.clone(), next_total));
                    received_back = next_back.saturating_sub(28);
                    k += 1;
                }
                k += 1;
                let amount: Dec = applied.iter().map(|(_, a)| *a).sum();
                let number = format!("REC-{payment_number:06}");
                payment_number += 1;
                let input = PaymentInput {
                    number: number.clone(),
                    external_ref: format!("ERP-{number}"),
                    customer: customer.into(),
                    branch: branches[b].map(str::to_owned),
                    received_on: day(received_back).to_string(),
                    currency: "DOP".into(),
                    method: ["transfer", "check", "card"][payment_number % 3].into(),
                    reference: Some(format!("{}", 880_000 + payment_number * 37)),
                    amount: amount.to_string(),
                    applied_to: applied
                        .into_iter()
                        .map(|(invoice, amount)| ApplicationInput {
                            invoice,
                            amount: amount.to_string(),
                        })
                        .collect(),
                };
                payments.push(input.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?);
            }
        }
    }
    // A credit note for returned goods, applied to Farmacia Carol's latest
    // invoice of Sucursal Naco.
    let returned = invoices
        .iter()
        .rfind(|i| i.customer == "C-0001" && i.branch.as_deref() == Some("SUC-NACO"))
        .map(|i| i.number.clone())
        .unwrap_or_default();
    let credit = InvoiceInput {
        kind: "credit_note".into(),
        number: "NC-000001".into(),
        external_ref: "ERP-NC-000001".into(),
        customer: "C-0001".into(),
        branch: Some("SUC-NACO".into()),
        issued_on: day(6).to_string(),
        due_on: None,
        currency: "DOP".into(),
        notes: Some("Devolución de mercancía vencida.".into()),
        lines: vec![LineInput {
            item_code: Some("MED-0315".into()),
            description: "Loratadina 10 mg, caja de 30 (devolución)".into(),
            quantity: "4".into(),
            unit_price: "385.75".into(),
            tax_rate: "0".into(),
        }],
        applied_to: vec![ApplicationInput {
            invoice: returned,
            amount: "1543.00".into(),
        }],
    };
    let credit = credit
        .validate(rounding)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tx.sales().upsert_invoices(&invoices, by).await?;
    tx.sales().upsert_invoices(&[credit], by).await?;
    tx.sales().upsert_payments(&payments, by).await?;
    Ok(())
}

/// The demo company's letterhead: legal name, tax id, address and a logo
/// (drawn here: a sun over three waves). A logo left behind by a seed that
/// does not commit is only wasted space.
async fn seed_profile(
    tx: &mut TenantTx,
    files: &FileStore,
    tenant: portico_data::TenantId,
) -> anyhow::Result<()> {
    use portico_domain::company::CompanyProfileInput;
    let by = By {
        actor: Actor::System,
        request_id: None,
    };
    let profile = CompanyProfileInput {
        legal_name: "Distribuidora del Caribe, S.R.L.".into(),
        tax_id: "1-31-45678-9".into(),
        address: "Av. Winston Churchill 1099, Piantini\nSanto Domingo, República Dominicana".into(),
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tx.settings().set_profile(&profile, by).await?;
    let logo = portico_web::logo::store(files, tenant, demo_logo()?)
        .await
        .map_err(|e| anyhow::anyhow!("storing the demo logo: {e}"))?;
    tx.settings().set_logo(Some(logo), by).await?;
    Ok(())
}

/// A 360×120 PNG: an orange sun over three blue waves on a transparent ground.
fn demo_logo() -> anyhow::Result<Vec<u8>> {
    let (width, height) = (360_u32, 120_u32);
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (f64::from(x), f64::from(y));
        let sun = (fx - 60.0).powi(2) + (fy - 52.0).powi(2) < 34.0_f64.powi(2);
        let wave = (0..3).any(|n| {
            let base = 78.0 + 14.0 * f64::from(n);
            let crest = base + 5.0 * (fx / 18.0 + f64::from(n)).sin();
            (fy - crest).abs() < 3.5
        });
        if wave && x < 300 {
            image::Rgba([31, 95, 191, 255])
        } else if sun {
            image::Rgba([242, 140, 40, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png)?;
    Ok(png.into_inner())
}

/// A one-page PDF showing `lines` of text (Helvetica, WinAnsi: Spanish
/// accents), for the demo's documents.
fn demo_pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 12 Tf 56 780 Td 16 TL");
    for line in lines {
        let escaped: String = line
            .chars()
            .map(|c| match c {
                '(' | ')' | '\\' => format!("\\{c}"),
                c if c.is_ascii() => c.to_string(),
                // WinAnsi, as octal escapes: á é í ó ú ñ and capitals.
                c => format!("\\{:o}", u32::from(c) & 0xff),
            })
            .collect();
        text.push_str(&format!(" ({escaped}) '"));
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Documents shared with Farmacia Carol: its supply contract (two versions)
/// and the price list for every contact, and a certificate for Sucursal Naco
/// only. Returns the keys of the files stored, to remove should the seed not
/// commit.
async fn seed_documents(
    tx: &mut TenantTx,
    files: &FileStore,
    tenant: portico_data::TenantId,
) -> anyhow::Result<Vec<FileKey>> {
    use portico_data::NewVersion;
    use portico_domain::documents::{DocumentInput, check_file};
    let by = By {
        actor: Actor::System,
        request_id: None,
    };
    let customer = tx
        .accounts()
        .find_by_code(AccountKind::Customer, "C-0001")
        .await?
        .context("the demo customer C-0001")?;
    let naco = tx
        .branches()
        .list(customer.id, 50)
        .await?
        .into_iter()
        .find(|b| b.fields.code == "SUC-NACO")
        .map(|b| b.id.as_uuid());
    let price_list: String = std::iter::once("codigo;descripcion;unidad;precio;itbis".to_owned())
        .chain(
            DEMO_CATALOGUE
                .iter()
                .map(|(code, name, unit, price, rate)| {
                    format!("{code};{name};{unit};{price};{rate}")
                }),
        )
        .map(|line| line + "\n")
        .collect();
    // A version: file name, bytes and note; a document: title, type,
    // branch and versions.
    type DemoVersion = (&'static str, Vec<u8>, Option<&'static str>);
    let documents: [(&str, &str, Option<Uuid>, Vec<DemoVersion>); 3] = [
        (
            "Contrato de suministro 2026",
            "contract",
            None,
            vec![
                (
                    "Contrato de suministro 2026.pdf",
                    demo_pdf(&[
                        "Contrato de suministro 2026",
                        "Distribuidora del Caribe, S.R.L. y Farmacia Carol, S.A.",
                        "Borrador para revision.",
                    ]),
                    Some("Borrador"),
                ),
                (
                    "Contrato de suministro 2026.pdf",
                    demo_pdf(&[
                        "Contrato de suministro 2026",
                        "Distribuidora del Caribe, S.R.L. y Farmacia Carol, S.A.",
                        "Version firmada por ambas partes.",
                    ]),
                    Some("Firmado por ambas partes"),
                ),
            ],
        ),
        (
            "Lista de precios vigente",
            "price_list",
            None,
            vec![("Lista de precios.csv", price_list.into_bytes(), None)],
        ),
        (
            "Certificado de buenas prácticas de almacenamiento — Sucursal Naco",
            "certificate",
            naco,
            vec![(
                "Certificado Naco.pdf",
                demo_pdf(&[
                    "Certificado de buenas practicas de almacenamiento",
                    "Farmacia Carol, Sucursal Naco",
                ]),
                None,
            )],
        ),
    ];
    let mut stored = Vec::new();
    for (title, kind, branch, versions) in documents {
        let input = DocumentInput {
            title: title.into(),
            kind: kind.into(),
            branch,
            external_ref: None,
        };
        let fields = input.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let row = tx.documents().create(customer.id, &fields, by).await?;
        for (name, bytes, note) in versions {
            let checked = check_file("file", name, &bytes).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let file_id = Uuid::now_v7();
            let key = FileKey::document(tenant.as_uuid(), file_id);
            files.put(&key, bytes.clone().into()).await?;
            stored.push(key);
            tx.documents()
                .add_version(
                    row.id,
                    NewVersion::of(
                        file_id,
                        checked.file_name,
                        checked.content_type.to_owned(),
                        &bytes,
                        note.map(str::to_owned),
                    ),
                    by,
                )
                .await?;
        }
    }
    Ok(stored)
}

/// Farmacia Carol's service requests: one Carolina opened that the company
/// answered and works on, one of José's for Sucursal Naco (with the delivery
/// note he sent) that waits for his answer, and a resolved one. Returns the
/// keys of the files stored.
async fn seed_service_requests(
    tx: &mut TenantTx,
    files: &FileStore,
    tenant: portico_data::TenantId,
) -> anyhow::Result<Vec<FileKey>> {
    use portico_data::{NewRequest, StaffUserId};
    use portico_domain::service::{RequestInput, RequestStatus};
    let customer = tx
        .accounts()
        .find_by_code(AccountKind::Customer, "C-0001")
        .await?
        .context("the demo customer C-0001")?;
    let naco = tx
        .branches()
        .list(customer.id, 50)
        .await?
        .into_iter()
        .find(|b| b.fields.code == "SUC-NACO")
        .map(|b| b.id.as_uuid());
    let contact = async |tx: &mut TenantTx, mail: &str| -> anyhow::Result<By<'static>> {
        let found = tx
            .contacts()
            .find_by_email(&email(mail)?)
            .await?
            .with_context(|| format!("demo contact {mail}"))?;
        Ok(By {
            actor: Actor::Contact(found.id),
            request_id: None,
        })
    };
    let sales: StaffUserId = tx
        .staff()
        .find_by_email(&email(DEMO_SALES)?)
        .await?
        .context("the demo sales user")?
        .id;
    let staff = By {
        actor: Actor::Staff(sales),
        request_id: None,
    };
    let carolina = contact(tx, DEMO_CUSTOMER_CONTACT).await?;
    let jose = contact(tx, DEMO_BRANCH_CONTACT).await?;
    // (who, branch, subject, description, priority, the company's answer and
    // the state it moves to)
    let requests = [
        (
            carolina,
            None,
            "Nevera de vacunas con temperatura alta",
            "La nevera del pedido PED-000001 marca 12 °C desde ayer. ¿Pueden enviar un técnico?",
            "urgent",
            Some((
                "Un técnico pasará mañana entre 8:00 y 10:00.",
                RequestStatus::InProgress,
            )),
        ),
        (
            jose,
            naco,
            "Faltan dos cajas en la entrega",
            "En la entrega de hoy a Sucursal Naco llegaron 8 cajas de amoxicilina y no 10.",
            "normal",
            Some((
                "¿Puede enviarnos una foto del conduce firmado?",
                RequestStatus::WaitingCustomer,
            )),
        ),
        (
            carolina,
            None,
            "Copia de la factura FAC-001001",
            "Necesitamos una copia de la factura para auditoría.",
            "low",
            Some(("Está en el portal, en Ventas.", RequestStatus::Resolved)),
        ),
    ];
    let mut stored = Vec::new();
    for (n, (who, branch, subject, description, priority, answer)) in
        requests.into_iter().enumerate()
    {
        let mut sent = Vec::new();
        if n == 1 {
            let bytes = demo_pdf(&["Conduce de entrega 4512", "Sucursal Naco: 8 cajas"]);
            let file_id = Uuid::now_v7();
            let key = FileKey::attachment(tenant.as_uuid(), file_id);
            files.put(&key, bytes.clone().into()).await?;
            stored.push(key);
            sent.push(portico_data::NewVersion::of(
                file_id,
                "Conduce 4512.pdf".into(),
                "application/pdf".into(),
                &bytes,
                None,
            ));
        }
        let fields = RequestInput {
            subject: subject.into(),
            description: description.into(),
            priority: priority.into(),
            branch,
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let row = tx
            .service_requests()
            .create(
                NewRequest {
                    account: customer.id,
                    fields,
                },
                &sent,
                who,
            )
            .await?;
        if let Some((body, status)) = answer {
            tx.service_requests()
                .comment(&row, Some(body), Some(status), &[], staff)
                .await?;
        }
    }
    Ok(stored)
}
