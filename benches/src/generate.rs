//! The benchmark data generator: a company with N contacts, N/10 customers and
//! suppliers (some customers with branches), every contact linked to one or two
//! of them, portal access on for a realistic share, and on each link of a
//! portal that is on: roles, sometimes individual permissions, and for
//! customers with branches, sometimes a list of branches.
//!
//! Everything is a pure function of the company's id and N (the [`Plan`]), so a
//! benchmark can draw contacts at random across the company and know their ids
//! without asking the database, and a test can check the rows against the plan.
//! The company is written in one transaction (multi-row inserts through
//! [`portico_data::bench_seed`]): it is there whole or not at all, and a rerun
//! finds it by slug and reuses it.

use std::time::Instant;

use anyhow::{Context, bail, ensure};
use portico_data::{
    AccountId, Actor, BranchId, ContactId, Database, LinkId, NewAuditEvent, NewStaffUser,
    NewTenant, Tenant, TenantId,
    bench_seed::{SeedAccount, SeedBranch, SeedContact, SeedLink, create_seed_tenant},
};
use portico_domain::{
    AccountFields, AccountKind, Address, ContactFields, Currency, Email, Locale, Permission,
    Portal, Slug, StaffRole, fold,
};
use serde_json::json;
use uuid::Uuid;

/// Every generated portal contact's password (and the owner's): for local
/// benchmark databases only.
pub const BENCH_PASSWORD: &str = "portico-bench-2026";

/// The audit action recording a generation (with its rows and seconds).
const GENERATED: &str = "bench.generate";

/// Contacts written per round (each round: contacts, then their links).
const ROUND: usize = 5_000;

/// Shares of the generated company, in percent.
const CUSTOMER_ACCOUNTS: u64 = 70;
const BRANCHED_CUSTOMERS: u64 = 20;
const SECOND_LINK: u64 = 35;
const PORTAL_ON: u64 = 60;
const TWO_ROLES: u64 = 12;
const NO_ROLE: u64 = 8;
const INDIVIDUAL_GRANTS: u64 = 30;
const BRANCH_LIST: u64 = 50;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub contacts: usize,
    pub slug: Slug,
}

impl Spec {
    /// A company of `contacts` contacts under the slug `bench-<contacts>`.
    pub fn new(contacts: usize) -> anyhow::Result<Self> {
        ensure!(contacts >= 1, "at least one contact");
        Ok(Self {
            contacts,
            slug: Slug::parse(&format!("bench-{contacts}"))?,
        })
    }

    /// One customer or supplier per ten contacts (at least ten).
    pub fn accounts(&self) -> usize {
        (self.contacts / 10).max(10)
    }
}

/// A generated company, ready to measure.
#[derive(Debug)]
pub struct Generated {
    pub tenant: Tenant,
    pub plan: Plan,
    /// `false` when an existing company was reused.
    pub created: bool,
    /// Time the generation took (now, or when an earlier run made it).
    pub seconds: f64,
    /// Rows the generation wrote.
    pub rows: u64,
}

/// SplitMix64: a small, fast, deterministic mixer.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A deterministic stream of numbers for one thing of the plan.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, what: u64, index: u64) -> Self {
        Rng(mix(
            seed ^ mix(what.wrapping_mul(0x1000_0000_01B3) ^ mix(index))
        ))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// `true` with `percent` % probability.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const ACCOUNT: u64 = 1;
const BRANCH: u64 = 2;
const CONTACT: u64 = 3;
const LINK: u64 = 4;

/// The generated company's shape: ids and choices, from its id and size alone.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tenant: TenantId,
    pub contacts: usize,
    pub accounts: usize,
    seed: u64,
    /// The first id's timestamp (ms): ids are UUIDv7 in index order.
    base_ms: u64,
    /// The company's portal roles per portal (customer, supplier), by name.
    roles: [Vec<Uuid>; 2],
    /// `branch_start[j]..branch_start[j + 1]`: account `j`'s branches.
    branch_start: Vec<u32>,
}

/// One customer or supplier of the plan.
#[derive(Debug, Clone)]
pub struct AccountPlan {
    pub index: usize,
    pub id: AccountId,
    pub kind: AccountKind,
    pub branches: Vec<BranchId>,
}

/// One link of a contact, with its grants (none when its portal is off).
#[derive(Debug, Clone)]
pub struct LinkPlan {
    pub id: LinkId,
    pub account: usize,
    pub account_id: AccountId,
    pub kind: AccountKind,
    pub is_primary: bool,
    pub role_ids: Vec<Uuid>,
    pub permissions: Vec<Permission>,
    /// `None`: all branches.
    pub branches: Option<Vec<BranchId>>,
}

/// One contact of the plan.
#[derive(Debug, Clone)]
pub struct ContactPlan {
    pub index: usize,
    pub id: ContactId,
    pub customer_portal: bool,
    pub supplier_portal: bool,
    pub links: Vec<LinkPlan>,
}

impl ContactPlan {
    /// Whether the contact may sign in to either portal.
    pub fn has_portal(&self) -> bool {
        self.customer_portal || self.supplier_portal
    }

    /// Whether access to `portal` is on.
    pub fn portal_on(&self, portal: Portal) -> bool {
        match portal {
            Portal::Customer => self.customer_portal,
            Portal::Supplier => self.supplier_portal,
        }
    }
}

const FIRST_NAMES: [&str; 48] = [
    "María",
    "José",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Carlos",
    "Rosa",
    "Pedro",
    "Laura",
    "Miguel",
    "Isabel",
    "Jorge",
    "Lucía",
    "Ramón",
    "Elena",
    "Francisco",
    "Teresa",
    "Manuel",
    "Patricia",
    "Rafael",
    "Sofía",
    "Antonio",
    "Gabriela",
    "Andrés",
    "Valentina",
    "Fernando",
    "Daniela",
    "Ricardo",
    "Mariela",
    "Eduardo",
    "Paola",
    "Héctor",
    "Yolanda",
    "Ángel",
    "Beatriz",
    "Julio",
    "Natalia",
    "Sergio",
    "Verónica",
    "Alberto",
    "Claudia",
    "Óscar",
    "Mónica",
    "Iván",
    "Noemí",
    "Raúl",
    "Inés",
];

const LAST_NAMES: [&str; 48] = [
    "García",
    "Rodríguez",
    "Martínez",
    "Pérez",
    "Gómez",
    "Santos",
    "Reyes",
    "Díaz",
    "Fernández",
    "López",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Castillo",
    "Jiménez",
    "Vargas",
    "Herrera",
    "Medina",
    "Guzmán",
    "Peña",
    "Núñez",
    "Cruz",
    "Ortiz",
    "Morales",
    "Ramos",
    "Castro",
    "Mejía",
    "Rosario",
    "Batista",
    "Almonte",
    "Valdez",
    "Polanco",
    "Tavárez",
    "Cabrera",
    "Báez",
    "Espinal",
    "Féliz",
    "Montero",
    "Acosta",
    "Paulino",
    "Encarnación",
    "Durán",
    "Marte",
    "Abreu",
    "Cordero",
    "Ureña",
];

const POSITIONS: [&str; 10] = [
    "Gerente de compras",
    "Encargado de almacén",
    "Contador",
    "Asistente administrativo",
    "Director financiero",
    "Vendedor",
    "Jefe de mantenimiento",
    "Auxiliar de cuentas por pagar",
    "Coordinador de logística",
    "Gerente general",
];

const CITIES: [&str; 10] = [
    "Santo Domingo",
    "Santiago",
    "La Romana",
    "San Pedro de Macorís",
    "Puerto Plata",
    "La Vega",
    "San Francisco de Macorís",
    "Higüey",
    "Baní",
    "Moca",
];

const TRADES: [&str; 10] = [
    "Farmacia",
    "Ferretería",
    "Supermercado",
    "Distribuidora",
    "Colmado",
    "Clínica",
    "Laboratorios",
    "Importadora",
    "Constructora",
    "Hotel",
];

const FORMS: [&str; 3] = ["S.R.L.", "S.A.", "E.I.R.L."];

fn pick<T: Copy>(list: &[T], rng: &mut Rng) -> T {
    list[rng.below(list.len() as u64) as usize]
}

impl Plan {
    /// The plan of the company `tenant` with `contacts` contacts whose portal
    /// roles are `roles` (customer's, supplier's, each by name).
    pub fn new(tenant: TenantId, contacts: usize, roles: [Vec<Uuid>; 2]) -> Self {
        let spec_accounts = (contacts / 10).max(10);
        let uuid = tenant.as_uuid();
        let (hi, lo) = uuid.as_u64_pair();
        let seed = mix(hi ^ mix(lo));
        let base_ms = uuid
            .get_timestamp()
            .map(|t| {
                let (s, n) = t.to_unix();
                s * 1000 + u64::from(n) / 1_000_000
            })
            .unwrap_or(1_750_000_000_000);
        let mut plan = Self {
            tenant,
            contacts,
            accounts: spec_accounts,
            seed,
            base_ms,
            roles,
            branch_start: Vec::with_capacity(spec_accounts + 1),
        };
        let mut start = 0u32;
        for j in 0..spec_accounts {
            plan.branch_start.push(start);
            start += plan.branch_count(j);
        }
        plan.branch_start.push(start);
        plan
    }

    /// A UUIDv7 for the `index`th thing of kind `what`: time-ordered by index,
    /// like rows inserted one after another.
    fn id(&self, what: u64, index: u64) -> Uuid {
        let mut rng = Rng::new(self.seed, what | 0x100, index);
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&rng.next().to_le_bytes());
        bytes[8..].copy_from_slice(&rng.next().to_le_bytes()[..2]);
        let ms = self.base_ms + what * 10_000_000 + index / 4;
        uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
    }

    fn kind(j: usize) -> AccountKind {
        if (j as u64 * 37 + 11) % 100 < CUSTOMER_ACCOUNTS {
            AccountKind::Customer
        } else {
            AccountKind::Supplier
        }
    }

    fn branch_count(&self, j: usize) -> u32 {
        let mut rng = Rng::new(self.seed, ACCOUNT, j as u64);
        // The first account (a customer) always has branches, so that even a
        // tiny company has branches to restrict.
        let branched =
            Self::kind(j) == AccountKind::Customer && (j == 0 || rng.percent(BRANCHED_CUSTOMERS));
        if branched { 2 + rng.below(9) as u32 } else { 0 }
    }

    /// Branches in the whole company.
    pub fn branches(&self) -> usize {
        self.branch_start.last().copied().unwrap_or(0) as usize
    }

    pub fn account_id(&self, j: usize) -> AccountId {
        self.id(ACCOUNT, j as u64).into()
    }

    pub fn contact_id(&self, i: usize) -> ContactId {
        self.id(CONTACT, i as u64).into()
    }

    /// The `j`th customer or supplier.
    pub fn account(&self, j: usize) -> AccountPlan {
        let range = self.branch_start[j]..self.branch_start[j + 1];
        AccountPlan {
            index: j,
            id: self.account_id(j),
            kind: Self::kind(j),
            branches: range.map(|b| self.id(BRANCH, b.into()).into()).collect(),
        }
    }

    /// The `i`th contact: the first `accounts` contacts are each the primary
    /// contact of one account (so every account has one); the others link to
    /// accounts drawn at random.
    pub fn contact(&self, i: usize) -> ContactPlan {
        let mut rng = Rng::new(self.seed, CONTACT, i as u64);
        let n = self.accounts as u64;
        let first = if i < self.accounts {
            i
        } else {
            rng.below(n) as usize
        };
        let mut accounts = vec![first];
        if rng.percent(SECOND_LINK) {
            let second = rng.below(n) as usize;
            if second != first {
                accounts.push(second);
            }
        }
        let has = |kind| accounts.iter().any(|j| Self::kind(*j) == kind);
        let customer_portal = has(AccountKind::Customer) && rng.percent(PORTAL_ON);
        let supplier_portal = has(AccountKind::Supplier) && rng.percent(PORTAL_ON);
        let links = accounts
            .iter()
            .enumerate()
            .map(|(k, &j)| {
                let account = self.account(j);
                let portal = Portal::of(account.kind);
                let on = match portal {
                    Portal::Customer => customer_portal,
                    Portal::Supplier => supplier_portal,
                };
                let mut link = LinkPlan {
                    id: self.id(LINK, i as u64 * 2 + k as u64).into(),
                    account: j,
                    account_id: account.id,
                    kind: account.kind,
                    is_primary: k == 0 && i < self.accounts,
                    role_ids: Vec::new(),
                    permissions: Vec::new(),
                    branches: None,
                };
                if on {
                    self.grants(&mut rng, portal, &account, &mut link);
                }
                link
            })
            .collect();
        ContactPlan {
            index: i,
            id: self.contact_id(i),
            customer_portal,
            supplier_portal,
            links,
        }
    }

    /// Roles (one mostly, sometimes two or none), sometimes individual
    /// permissions, and for a customer with branches, half the time a list.
    fn grants(&self, rng: &mut Rng, portal: Portal, account: &AccountPlan, link: &mut LinkPlan) {
        let roles = match portal {
            Portal::Customer => &self.roles[0],
            Portal::Supplier => &self.roles[1],
        };
        let count = match rng.below(100) {
            r if r < NO_ROLE => 0,
            r if r < NO_ROLE + TWO_ROLES => 2,
            _ => 1,
        };
        while link.role_ids.len() < count.min(roles.len()) {
            let role = pick(roles, rng);
            if !link.role_ids.contains(&role) {
                link.role_ids.push(role);
            }
        }
        let grants = if rng.percent(INDIVIDUAL_GRANTS) || link.role_ids.is_empty() {
            1 + rng.below(2) as usize
        } else {
            0
        };
        while link.permissions.len() < grants {
            let permission = pick(portal.permissions(), rng);
            if !link.permissions.contains(&permission) {
                link.permissions.push(permission);
            }
        }
        link.permissions.sort();
        if !account.branches.is_empty() && rng.percent(BRANCH_LIST) {
            let want = (1 + rng.below(3) as usize).min(account.branches.len());
            let mut list = Vec::new();
            while list.len() < want {
                let branch = pick(&account.branches, rng);
                if !list.contains(&branch) {
                    list.push(branch);
                }
            }
            list.sort();
            link.branches = Some(list);
        }
    }

    fn account_row(&self, j: usize) -> anyhow::Result<SeedAccount> {
        let account = self.account(j);
        let mut rng = Rng::new(self.seed, ACCOUNT ^ 0xff, j as u64);
        let (prefix, word) = match account.kind {
            AccountKind::Customer => ("C", pick(&TRADES, &mut rng)),
            AccountKind::Supplier => ("P", "Suministros"),
        };
        let name = format!(
            "{word} {} {} {}, {}",
            pick(&LAST_NAMES, &mut rng),
            pick(&CITIES, &mut rng),
            j + 1,
            pick(&FORMS, &mut rng)
        );
        let code = format!("{prefix}{:07}", j + 1);
        Ok(SeedAccount {
            id: account.id,
            kind: account.kind,
            fields: AccountFields {
                email: Some(Email::parse(&format!(
                    "{}@empresa{}.do",
                    fold(&code),
                    j + 1
                ))?),
                phone: Some(format!("809-{:03}-{:04}", 200 + j % 700, j % 10_000)),
                tax_id: Some(format!("1{:08}", j + 1)),
                legal_name: None,
                address: Address {
                    city: Some(pick(&CITIES, &mut rng).to_owned()),
                    country: Some("DO".into()),
                    ..Address::default()
                },
                owner_id: None,
                branches_enabled: !account.branches.is_empty(),
                code,
                name,
            },
        })
    }

    fn branch_rows(&self, j: usize) -> Vec<SeedBranch> {
        let account = self.account(j);
        account
            .branches
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let city = CITIES[(j + k) % CITIES.len()];
                SeedBranch {
                    id: *id,
                    account: account.id,
                    code: format!("S{:02}", k + 1),
                    name: format!("Sucursal {city} {}", k + 1),
                    city: Some(city.to_owned()),
                }
            })
            .collect()
    }

    fn contact_row(&self, plan: &ContactPlan) -> anyhow::Result<SeedContact> {
        let mut rng = Rng::new(self.seed, CONTACT ^ 0xff, plan.index as u64);
        let first = pick(&FIRST_NAMES, &mut rng);
        let last = format!(
            "{} {}",
            pick(&LAST_NAMES, &mut rng),
            pick(&LAST_NAMES, &mut rng)
        );
        let ascii = |s: &str| -> String {
            fold(s)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect()
        };
        let email = format!(
            "{}.{}{}@correo.do",
            ascii(first),
            ascii(&last),
            plan.index + 1
        );
        let n = plan.index as u64;
        Ok(SeedContact {
            id: plan.id,
            fields: ContactFields {
                first_name: Some(first.to_owned()),
                last_name: Some(last),
                position: Some(pick(&POSITIONS, &mut rng).to_owned()),
                email: Some(Email::parse(&email)?),
                phone: Some(format!("809-{:03}-{:04}", 200 + n % 700, n % 10_000)),
                mobile: Some(format!(
                    "829-{:03}-{:04}",
                    200 + (n / 7) % 700,
                    (n * 7) % 10_000
                )),
                city: Some(pick(&CITIES, &mut rng).to_owned()),
                country: Some("DO".into()),
                ..ContactFields::default()
            },
            customer_portal: plan.customer_portal,
            supplier_portal: plan.supplier_portal,
        })
    }

    fn link_rows(plan: &ContactPlan) -> Vec<SeedLink> {
        plan.links
            .iter()
            .map(|l| SeedLink {
                id: l.id,
                contact: plan.id,
                account: l.account_id,
                kind: l.kind,
                position: None,
                is_primary: l.is_primary,
                all_branches: l.branches.is_none(),
                role_ids: l.role_ids.clone(),
                permissions: l.permissions.iter().map(|p| p.name().to_owned()).collect(),
                branch_ids: l.branches.clone().unwrap_or_default(),
            })
            .collect()
    }
}

/// The company's portal roles, customer's and supplier's, each by name.
async fn roles_of(tx: &mut portico_data::TenantTx) -> anyhow::Result<[Vec<Uuid>; 2]> {
    let roles = tx.portal_roles().list(None).await?;
    let of = |portal| {
        roles
            .iter()
            .filter(|r| r.portal == portal)
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    Ok([of(Portal::Customer), of(Portal::Supplier)])
}

/// The generated company of `spec`: found by its slug when a previous run made
/// it, generated (in one transaction) otherwise. `progress` reports on stderr.
pub async fn ensure_tenant(
    db: &Database,
    spec: &Spec,
    progress: bool,
) -> anyhow::Result<Generated> {
    let mut platform = db.platform_tx().await?;
    let existing = platform.find_tenant_by_slug(&spec.slug).await?;
    platform.commit().await?;
    if let Some(tenant) = existing {
        let mut tx = db.tenant_tx(&tenant).await?;
        let (count, _) = tx.imports().contact_room().await?;
        let roles = roles_of(&mut tx).await?;
        let record = tx
            .audit()
            .list(50)
            .await?
            .into_iter()
            .find(|e| e.action == GENERATED)
            .map(|e| e.changes);
        tx.commit().await?;
        if count != spec.contacts as i64 {
            bail!(
                "company {} exists with {count} contacts, not {}: it is not a generated one (or was changed)",
                spec.slug,
                spec.contacts
            );
        }
        let plan = Plan::new(tenant.id(), spec.contacts, roles);
        let field = |name: &str| record.as_ref().and_then(|r| r.get(name).cloned());
        return Ok(Generated {
            tenant,
            plan,
            created: false,
            seconds: field("seconds").and_then(|v| v.as_f64()).unwrap_or(0.0),
            rows: field("rows").and_then(|v| v.as_u64()).unwrap_or(0),
        });
    }
    generate(db, spec, progress).await
}

async fn generate(db: &Database, spec: &Spec, progress: bool) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let password_hash = portico_auth::hash_password(BENCH_PASSWORD).await?;
    let (tenant, mut tx) = create_seed_tenant(
        db,
        &NewTenant {
            slug: spec.slug.clone(),
            name: format!("Benchmark {} contactos", spec.contacts),
            locale: Locale::Es,
            currency: Currency::parse("DOP")?,
            max_contacts: None,
        },
        &NewStaffUser {
            email: Email::parse(&format!("owner@{}.bench", spec.slug))?,
            name: "Benchmark Owner".into(),
            role: StaffRole::Owner,
            password_hash: Some(password_hash.clone()),
            one_time_password: false,
            locale: None,
        },
    )
    .await
    .context("creating the benchmark company")?;
    let roles = roles_of(&mut tx).await?;
    ensure!(
        !roles[0].is_empty() && !roles[1].is_empty(),
        "the company has no portal roles"
    );
    let plan = Plan::new(tenant.id(), spec.contacts, roles);
    let mut rows = 0u64;
    let say = |what: String| {
        if progress {
            eprintln!("  [{:>6.1} s] {what}", started.elapsed().as_secs_f64());
        }
    };
    say(format!(
        "generating {}: {} accounts, {} branches, {} contacts",
        spec.slug,
        plan.accounts,
        plan.branches(),
        plan.contacts
    ));
    for chunk in (0..plan.accounts).collect::<Vec<_>>().chunks(ROUND) {
        let accounts = chunk
            .iter()
            .map(|j| plan.account_row(*j))
            .collect::<anyhow::Result<Vec<_>>>()?;
        tx.bench_seed().accounts(&accounts).await?;
        let branches: Vec<SeedBranch> = chunk.iter().flat_map(|j| plan.branch_rows(*j)).collect();
        tx.bench_seed().branches(&branches).await?;
        rows += (accounts.len() + branches.len()) as u64;
    }
    say("accounts and branches written".into());
    let mut next_report = 100_000;
    for start in (0..plan.contacts).step_by(ROUND) {
        let end = (start + ROUND).min(plan.contacts);
        let contacts: Vec<ContactPlan> = (start..end).map(|i| plan.contact(i)).collect();
        let seeds = contacts
            .iter()
            .map(|c| plan.contact_row(c))
            .collect::<anyhow::Result<Vec<_>>>()?;
        tx.bench_seed()
            .contacts(&seeds, Some(&password_hash))
            .await?;
        let links: Vec<SeedLink> = contacts.iter().flat_map(Plan::link_rows).collect();
        tx.bench_seed().links(&links).await?;
        rows += seeds.len() as u64;
        rows += links
            .iter()
            .map(|l| 1 + l.role_ids.len() + l.permissions.len() + l.branch_ids.len())
            .sum::<usize>() as u64;
        if end >= next_report || end == plan.contacts {
            say(format!("{end} contacts written ({rows} rows)"));
            next_report += 100_000;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    tx.audit()
        .record(NewAuditEvent {
            actor: Actor::System,
            action: GENERATED,
            subject_kind: "tenant",
            subject_id: Some(tenant.id().as_uuid()),
            related_id: None,
            changes: json!({ "contacts": plan.contacts, "accounts": plan.accounts,
                         "branches": plan.branches(), "rows": rows, "seconds": seconds }),
            request_id: None,
        })
        .await?;
    tx.commit().await?;
    say("committed".into());
    Ok(Generated {
        tenant,
        plan,
        created: true,
        seconds,
        rows,
    })
}
