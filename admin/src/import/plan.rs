//! Planning an import: what each line of the file does to the tenant's contacts
//! (create, update, link, nothing) or why it cannot, decided in batches with one
//! query per lookup. The dry run and the real run plan with the same code.

use std::collections::{HashMap, HashSet};

use portico_authz::BackOffice;
use portico_data::{
    Account, Contact, ContactId, ContactList, DataError, ImportRow, ImportedContact, ImportedLink,
    RowAction, TenantTx,
};
use portico_domain::{
    AccountKind, ContactFields, ContactInput, RequiredFields, StaffRole,
    contact_csv::{Column, codes, yes},
    fields::visible,
    fold,
};
use serde_json::{Value as Json, json};
use uuid::Uuid;

/// One line of the file: its number and its cells by column.
pub(crate) type Line = (i32, Vec<(Column, String)>);

/// The tenant's lists, by folded name, for the columns that name an entry.
struct Lists {
    titles: HashMap<String, Uuid>,
    categories: HashMap<String, Uuid>,
    /// Staff by folded name and by email; `None` when a name is ambiguous.
    owners: HashMap<String, Option<Uuid>>,
}

/// Entries per list read for the lookups (lists are short by nature).
const LIST_LIMIT: u64 = 5_000;

impl Lists {
    async fn load(tx: &mut TenantTx) -> Result<Self, DataError> {
        let by_name = |entries: Vec<portico_data::ListEntry>| {
            entries
                .into_iter()
                .map(|e| (fold(&e.name), e.id))
                .collect::<HashMap<_, _>>()
        };
        let titles = by_name(tx.lists().entries(ContactList::Titles, LIST_LIMIT).await?);
        let categories = by_name(
            tx.lists()
                .entries(ContactList::Categories, LIST_LIMIT)
                .await?,
        );
        let mut owners: HashMap<String, Option<Uuid>> = HashMap::new();
        for user in tx.staff().list(None, LIST_LIMIT).await? {
            let id = user.id.as_uuid();
            owners.insert(user.email.as_str().to_owned(), Some(id));
            owners
                .entry(fold(&user.name))
                .and_modify(|other| {
                    if *other != Some(id) {
                        *other = None;
                    }
                })
                .or_insert(Some(id));
        }
        Ok(Lists {
            titles,
            categories,
            owners,
        })
    }
}

/// What the planner knows across batches.
pub(crate) struct Planner {
    lists: Lists,
    rule: RequiredFields,
    role: StaffRole,
    policy: &'static BackOffice,
    /// Contacts and emails already used by an earlier line.
    seen: HashSet<String>,
    /// How many more contacts the plan allows, when it limits them.
    room: Option<i64>,
}

/// A planned line: its result row and what the real run writes for it.
pub(crate) struct Planned {
    pub row: ImportRow,
    pub create: Option<ImportedContact>,
    pub update: Option<(ContactId, ContactFields)>,
    pub links: Vec<ImportedLink>,
}

/// One line's problems: (column or field key, message id).
type Problems = Vec<(&'static str, &'static str)>;

impl Planner {
    pub(crate) async fn new(
        tx: &mut TenantTx,
        rule: RequiredFields,
        role: StaffRole,
        policy: &'static BackOffice,
    ) -> Result<Self, DataError> {
        let lists = Lists::load(tx).await?;
        let (count, max) = tx.imports().contact_room().await?;
        Ok(Planner {
            lists,
            rule,
            role,
            policy,
            seen: HashSet::new(),
            room: max.map(|max| (i64::from(max) - count).max(0)),
        })
    }

    /// Plans a batch of lines against the database as `tx` sees it.
    pub(crate) async fn plan(
        &mut self,
        tx: &mut TenantTx,
        lines: &[Line],
    ) -> Result<Vec<Planned>, DataError> {
        // What the lookups search for; a value with control characters
        // matches nothing stored (its line fails on the field).
        let cell = |cells: &[(Column, String)], c: Column| {
            cells
                .iter()
                .find(|(col, _)| *col == c)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.chars().any(char::is_control))
                .unwrap_or_default()
        };
        let ids: Vec<ContactId> = lines
            .iter()
            .filter_map(|(_, cells)| cell(cells, Column::Id).parse().ok())
            .collect();
        let emails: Vec<String> = lines
            .iter()
            .map(|(_, cells)| cell(cells, Column::Email).to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        let by_id: HashMap<ContactId, Contact> = tx
            .imports()
            .contacts_by_ids(&ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let by_email: HashMap<String, Contact> = tx
            .imports()
            .contacts_by_emails(&emails)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.fields.email.as_ref()?.as_str().to_owned(), c)))
            .collect();
        let mut accounts: HashMap<(AccountKind, String), Account> = HashMap::new();
        for (kind, column) in [
            (AccountKind::Customer, Column::Customers),
            (AccountKind::Supplier, Column::Suppliers),
        ] {
            let wanted: Vec<String> = lines
                .iter()
                .flat_map(|(_, cells)| codes(&cell(cells, column)))
                .collect();
            for account in tx.imports().accounts_by_codes(kind, &wanted).await? {
                accounts.insert((kind, account.fields.code.to_lowercase()), account);
            }
        }
        let matched: Vec<ContactId> = by_id
            .keys()
            .copied()
            .chain(by_email.values().map(|c| c.id))
            .collect();
        let mut linked: HashMap<ContactId, Vec<(portico_data::AccountId, AccountKind)>> =
            HashMap::new();
        for link in tx.links().of_contacts(&matched).await? {
            linked
                .entry(link.contact_id)
                .or_default()
                .push((link.account_id, link.account_kind));
        }
        let found = Found {
            by_id,
            by_email,
            accounts,
            linked,
        };
        Ok(lines
            .iter()
            .map(|(line, cells)| self.plan_line(&found, *line, cells))
            .collect())
    }

    fn plan_line(&mut self, found: &Found, line: i32, cells: &[(Column, String)]) -> Planned {
        let mut problems: Problems = Vec::new();
        let get = |c: Column| {
            cells
                .iter()
                .find(|(col, _)| *col == c)
                .map(|(_, v)| v.as_str())
        };
        let email = get(Column::Email).unwrap_or_default().to_lowercase();
        // Which stored contact the line is about: by id, else by main email.
        let existing = match get(Column::Id).filter(|v| !v.is_empty()) {
            Some(raw) => match raw
                .parse::<ContactId>()
                .ok()
                .and_then(|id| found.by_id.get(&id))
            {
                Some(contact) => Some(contact),
                None => {
                    problems.push(("id", "import-id-unknown"));
                    None
                }
            },
            None if !email.is_empty() => found.by_email.get(&email),
            None => None,
        };
        let keys: Vec<String> = existing
            .map(|c| format!("id:{}", c.id))
            .into_iter()
            .chain((!email.is_empty()).then(|| format!("email:{email}")))
            .collect();
        if keys.iter().any(|k| self.seen.contains(k)) {
            problems.push(("email", "import-duplicate-line"));
        }
        self.seen.extend(keys);

        let mut input = existing
            .map(|c| ContactInput::from(&c.fields))
            .unwrap_or_default();
        let mut wanted: Vec<(AccountKind, &'static str, String)> = Vec::new();
        for (column, value) in cells {
            self.apply(&mut input, &mut problems, &mut wanted, *column, value);
        }
        let fields = match input.validate(self.rule) {
            Ok(fields) => Some(fields),
            Err(errors) => {
                problems.extend(errors.0.iter().map(|e| (e.field, e.message)));
                None
            }
        };
        if let (Some(fields), Some(existing)) = (&fields, existing)
            && let Some(taken) = fields
                .email
                .as_ref()
                .and_then(|e| found.by_email.get(e.as_str()))
            && taken.id != existing.id
        {
            problems.push(("email", "field-email-taken"));
        }

        // Links the line asks for that the contact does not have yet.
        let mut links: Vec<ImportedLink> = Vec::new();
        let mut codes_added: Vec<String> = Vec::new();
        let had: &[(portico_data::AccountId, AccountKind)] = existing
            .and_then(|c| found.linked.get(&c.id))
            .map_or(&[], Vec::as_slice);
        for (kind, column, code) in wanted {
            match found.accounts.get(&(kind, code.to_lowercase())) {
                None => problems.push((column, "import-account-unknown")),
                Some(account) if !account.active => problems.push((column, "link-archived")),
                Some(account) => {
                    let known = had.iter().any(|(a, _)| *a == account.id)
                        || links.iter().any(|l| l.account == account.id);
                    if !known {
                        codes_added.push(account.fields.code.clone());
                        links.push(ImportedLink {
                            contact: existing.map_or_else(ContactId::generate, |c| c.id),
                            account: account.id,
                            kind,
                            account_name: account.fields.name.clone(),
                        });
                    }
                }
            }
        }
        if !links.is_empty() && existing.is_some_and(|c| c.archived_at.is_some()) {
            problems.push(("email", "link-archived"));
        }
        let kinds: Vec<AccountKind> = had
            .iter()
            .map(|(_, k)| *k)
            .chain(links.iter().map(|l| l.kind))
            .collect();
        if !self.policy.may_edit_contact(self.role, &kinds) {
            problems.push(("id", "import-not-allowed"));
        }

        let name = fields
            .as_ref()
            .map(ContactFields::display_name)
            .or_else(|| existing.map(|c| c.display_name.clone()))
            .unwrap_or_else(|| {
                let given = [get(Column::FirstName), get(Column::LastName)]
                    .into_iter()
                    .flatten()
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                visible(&given)
            });
        let changed: Vec<String> = match (&fields, existing) {
            (Some(after), Some(before)) => changed_fields(&before.fields, after),
            _ => Vec::new(),
        };
        let action = if !problems.is_empty() {
            RowAction::Error
        } else if existing.is_none() {
            RowAction::Create
        } else if !changed.is_empty() {
            RowAction::Update
        } else if !links.is_empty() {
            RowAction::Link
        } else {
            RowAction::Unchanged
        };
        let action = if action == RowAction::Create {
            match &mut self.room {
                Some(0) => {
                    problems.push(("first_name", "contact-limit-reached"));
                    RowAction::Error
                }
                Some(room) => {
                    *room -= 1;
                    action
                }
                None => action,
            }
        } else {
            action
        };

        let mut detail = serde_json::Map::new();
        if !changed.is_empty() {
            detail.insert("fields".into(), json!(changed));
        }
        if !codes_added.is_empty() {
            detail.insert("links".into(), json!(codes_added));
        }
        if !problems.is_empty() {
            let errors: Vec<Json> = problems
                .iter()
                .map(|(field, message)| json!({ "field": field, "message": message }))
                .collect();
            detail.insert("errors".into(), Json::Array(errors));
        }
        let row_email = fields
            .as_ref()
            .and_then(|f| f.email.as_ref().map(|e| e.as_str().to_owned()))
            .or_else(|| (!email.is_empty()).then(|| visible(&email)));
        let mut planned = Planned {
            row: ImportRow {
                line,
                action,
                contact_id: existing.map(|c| c.id),
                name,
                email: row_email,
                detail: Json::Object(detail),
            },
            create: None,
            update: None,
            links: Vec::new(),
        };
        let Some(fields) = fields else {
            return planned;
        };
        match action {
            RowAction::Create => {
                let id = ContactId::generate();
                for link in &mut links {
                    link.contact = id;
                }
                planned.row.contact_id = Some(id);
                planned.create = Some(ImportedContact { id, fields });
                planned.links = links;
            }
            RowAction::Update | RowAction::Link => {
                if action == RowAction::Update
                    && let Some(existing) = existing
                {
                    planned.update = Some((existing.id, fields));
                }
                planned.links = links;
            }
            RowAction::Unchanged | RowAction::Error => {}
        }
        planned
    }

    /// Puts one cell into the submitted values; list names become ids, account
    /// codes become wanted links.
    fn apply(
        &self,
        input: &mut ContactInput,
        problems: &mut Problems,
        wanted: &mut Vec<(AccountKind, &'static str, String)>,
        column: Column,
        value: &str,
    ) {
        let value = value.to_owned();
        let entry = |map: &HashMap<String, Uuid>, problems: &mut Problems, key: &'static str| {
            if value.is_empty() {
                return String::new();
            }
            map.get(&fold(&value)).map_or_else(
                || {
                    problems.push((key, "import-entry-unknown"));
                    String::new()
                },
                Uuid::to_string,
            )
        };
        match column {
            Column::Id => {}
            Column::Title => input.title_id = entry(&self.lists.titles, problems, "title_id"),
            Column::Category => {
                input.category_id = entry(&self.lists.categories, problems, "category_id");
            }
            Column::Owner => {
                input.owner_id = if value.is_empty() {
                    String::new()
                } else {
                    let key = if value.contains('@') {
                        value.to_lowercase()
                    } else {
                        fold(&value)
                    };
                    match self.lists.owners.get(&key) {
                        Some(Some(id)) => id.to_string(),
                        Some(None) => {
                            problems.push(("owner_id", "import-owner-ambiguous"));
                            String::new()
                        }
                        None => {
                            problems.push(("owner_id", "import-entry-unknown"));
                            String::new()
                        }
                    }
                };
            }
            Column::Customers | Column::Suppliers => {
                let kind = if column == Column::Customers {
                    AccountKind::Customer
                } else {
                    AccountKind::Supplier
                };
                wanted.extend(codes(&value).into_iter().map(|c| (kind, column.key(), c)));
            }
            Column::EmailOptOut => input.email_opt_out = yes(&value).then(|| "on".to_owned()),
            Column::ImportantDates => input.important_dates = value.replace(';', "\n"),
            Column::FirstName => input.first_name = value,
            Column::LastName => input.last_name = value,
            Column::Nickname => input.nickname = value,
            Column::Email => input.email = value,
            Column::PersonalEmail => input.personal_email = value,
            Column::Phone => input.phone = value,
            Column::Mobile => input.mobile = value,
            Column::Fax => input.fax = value,
            Column::Position => input.position = value,
            Column::Department => input.department = value,
            Column::Street => input.street = value,
            Column::City => input.city = value,
            Column::State => input.state = value,
            Column::PostalCode => input.postal_code = value,
            Column::Country => input.country = value,
            Column::Nationality => input.nationality = value,
            Column::PreferredLanguage => input.preferred_language = value,
            Column::FacebookUrl => input.facebook_url = value,
            Column::LinkedinUrl => input.linkedin_url = value,
            Column::XUrl => input.x_url = value,
            Column::Preferences => input.preferences = value,
            Column::IdDocType => input.id_doc_type = value,
            Column::IdDocNumber => input.id_doc_number = value,
            Column::LicenceNumber => input.licence_number = value,
            Column::LicenceCategory => input.licence_category = value,
            Column::LicenceExpiry => input.licence_expiry = value,
            Column::Notes => input.notes = value,
        }
    }
}

/// What one batch found in the database.
struct Found {
    by_id: HashMap<ContactId, Contact>,
    by_email: HashMap<String, Contact>,
    accounts: HashMap<(AccountKind, String), Account>,
    linked: HashMap<ContactId, Vec<(portico_data::AccountId, AccountKind)>>,
}

/// The keys of the fields that differ.
fn changed_fields(before: &ContactFields, after: &ContactFields) -> Vec<String> {
    portico_data::diff(&json!(before), &json!(after))
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}
