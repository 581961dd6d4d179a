//! Exports: CSV of any filtered contact, customer or supplier list (streamed in
//! keyset batches, one short transaction each) and vCard 4.0 of one contact or of
//! a filtered selection.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use poem::{Body, Response, handler, http::header, web::Path, web::Query};
use portico_authz::{Action, Area};
use portico_data::{
    Account, AccountFilter, Contact, ContactId, ContactLink, Database, NameCursor, Tenant,
};
use portico_domain::{
    AccountKind,
    contact_csv::{Column, formula_like},
};
use portico_web::{AppError, Ui};

use crate::{
    SignedInStaff,
    history::{Names, names_of},
    list_query::{AccountListQuery, ContactListQuery, filter_of},
};

/// Rows fetched per transaction while streaming an export.
const BATCH: u64 = 500;

/// One CSV cell: quoted when needed, and a leading `=`, `@`, tab or carriage
/// return (or `+`/`-` not starting a phone number) defused with `'` so that
/// spreadsheets do not run it as a formula.
fn cell(value: &str) -> String {
    let value = if formula_like(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn row(cells: &[&str]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

fn attachment(content_type: &str, filename: &str, body: Body) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .body(body)
}

/// A stream of `render(batch)` chunks over every row, fetched by `fetch` in
/// keyset batches (each returns its rows and the cursor after them, none at the end).
fn batches<T, F, Fut, R>(header: String, fetch: F, render: R) -> Body
where
    T: Send + 'static,
    F: Fn(Option<NameCursor>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(T, Option<NameCursor>), AppError>> + Send + 'static,
    R: Fn(T) -> String + Send + Sync + 'static,
{
    let first = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(header)) });
    let render = std::sync::Arc::new(render);
    let rest = stream::try_unfold(Some(None), move |state: Option<Option<NameCursor>>| {
        let next = state.map(&fetch);
        let render = render.clone();
        async move {
            let Some(next) = next else {
                return Ok(None);
            };
            let (rows, cursor) = next.await.map_err(std::io::Error::other)?;
            let done = cursor.is_none();
            let chunk = Bytes::from(render(rows));
            Ok(Some((chunk, if done { None } else { Some(cursor) })))
        }
    });
    Body::from_bytes_stream(first.chain(rest).map_err(std::io::Error::other))
}

/// A batch of contacts with their links and the names they refer to.
type ContactBatch = (Vec<(Contact, Vec<ContactLink>)>, Names);

/// A batch of contacts with their links and names, and the cursor after it.
async fn contact_batch(
    db: Database,
    tenant: Tenant,
    filter: portico_data::ContactFilter,
    after: Option<NameCursor>,
) -> Result<(ContactBatch, Option<NameCursor>), AppError> {
    let mut tx = db.tenant_tx(&tenant).await?;
    let contacts = tx.contacts().list(&filter, after.as_ref(), BATCH).await?;
    let ids: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
    let mut links: HashMap<ContactId, Vec<ContactLink>> = HashMap::new();
    for link in tx.links().of_contacts(&ids).await? {
        links.entry(link.contact_id).or_default().push(link);
    }
    let referred: Vec<uuid::Uuid> = contacts
        .iter()
        .flat_map(|c| [c.fields.title_id, c.fields.category_id, c.fields.owner_id])
        .flatten()
        .collect();
    let names = names_of(&mut tx, referred).await?;
    tx.commit().await?;
    let cursor = (contacts.len() as u64 == BATCH)
        .then(|| contacts.last().map(Contact::cursor))
        .flatten();
    let rows = contacts
        .into_iter()
        .map(|c| {
            let l = links.remove(&c.id).unwrap_or_default();
            (c, l)
        })
        .collect();
    Ok(((rows, names), cursor))
}

fn name(names: &Names, id: Option<uuid::Uuid>) -> String {
    id.and_then(|id| names.get(&id.to_string()).cloned())
        .unwrap_or_default()
}

/// One contact's cell in a column of the shared contact CSV format.
fn contact_cell(names: &Names, contact: &Contact, links: &[ContactLink], column: Column) -> String {
    let f = &contact.fields;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let email = |v: &Option<portico_domain::Email>| {
        v.as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default()
    };
    let codes = |kind: AccountKind| {
        links
            .iter()
            .filter(|l| l.account_kind == kind)
            .map(|l| l.account_code.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    match column {
        Column::Id => contact.id.to_string(),
        Column::Title => name(names, f.title_id),
        Column::FirstName => s(&f.first_name),
        Column::LastName => s(&f.last_name),
        Column::Nickname => s(&f.nickname),
        Column::Email => email(&f.email),
        Column::PersonalEmail => email(&f.personal_email),
        Column::Phone => s(&f.phone),
        Column::Mobile => s(&f.mobile),
        Column::Fax => s(&f.fax),
        Column::Position => s(&f.position),
        Column::Department => s(&f.department),
        Column::Category => name(names, f.category_id),
        Column::Owner => name(names, f.owner_id),
        Column::Street => s(&f.street),
        Column::City => s(&f.city),
        Column::State => s(&f.state),
        Column::PostalCode => s(&f.postal_code),
        Column::Country => s(&f.country),
        Column::Nationality => s(&f.nationality),
        Column::PreferredLanguage => f
            .preferred_language
            .map(|l| l.tag().to_owned())
            .unwrap_or_default(),
        Column::EmailOptOut => if f.email_opt_out { "yes" } else { "no" }.to_owned(),
        Column::FacebookUrl => s(&f.facebook_url),
        Column::LinkedinUrl => s(&f.linkedin_url),
        Column::XUrl => s(&f.x_url),
        Column::Customers => codes(AccountKind::Customer),
        Column::Suppliers => codes(AccountKind::Supplier),
        Column::ImportantDates => {
            portico_domain::important_dates_text(&f.important_dates).replace('\n', "; ")
        }
        Column::Preferences => s(&f.preferences),
        Column::IdDocType => s(&f.id_doc_type),
        Column::IdDocNumber => s(&f.id_doc_number),
        Column::LicenceNumber => s(&f.licence_number),
        Column::LicenceCategory => s(&f.licence_category),
        Column::LicenceExpiry => f.licence_expiry.map(|d| d.to_string()).unwrap_or_default(),
        Column::Notes => s(&f.notes),
    }
}

fn contact_csv(names: &Names, contact: &Contact, links: &[ContactLink]) -> String {
    let values: Vec<String> = Column::all()
        .map(|c| contact_cell(names, contact, links, c))
        .collect();
    row(&values.iter().map(String::as_str).collect::<Vec<_>>())
}

/// `GET /admin/contacts/export.csv?<the list's filters>`: every matching contact.
#[handler]
pub(crate) async fn contacts_csv(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ContactListQuery>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let filter = filter_of(&query)?;
    let (db, tenant) = (ui.state.db.clone(), staff.tenant.0.clone());
    let body = batches(
        row(&Column::all().map(Column::key).collect::<Vec<_>>()),
        move |after| contact_batch(db.clone(), tenant.clone(), filter.clone(), after),
        |(rows, names): ContactBatch| {
            rows.iter()
                .map(|(c, l)| contact_csv(&names, c, l))
                .collect()
        },
    );
    Ok(attachment("text/csv; charset=utf-8", "contactos.csv", body))
}

/// A vCard 4.0 value: backslash, comma, semicolon and newlines escaped.
fn v(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 6350 §3.2), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn vcard(names: &Names, contact: &Contact, links: &[ContactLink]) -> String {
    let f = &contact.fields;
    let s = |x: &Option<String>| v(x.as_deref().unwrap_or_default());
    let mut lines = vec![
        "BEGIN:VCARD".to_owned(),
        "VERSION:4.0".to_owned(),
        format!("UID:urn:uuid:{}", contact.id),
        format!("FN:{}", v(&contact.display_name)),
        format!(
            "N:{};{};;{};",
            s(&f.last_name),
            s(&f.first_name),
            v(&name(names, f.title_id))
        ),
    ];
    let mut optional = |prefix: &str, value: Option<String>| {
        if let Some(value) = value.filter(|x| !x.is_empty()) {
            lines.push(format!("{prefix}:{}", v(&value)));
        }
    };
    optional("NICKNAME", f.nickname.clone());
    optional("TITLE", f.position.clone());
    optional(
        "EMAIL;TYPE=work",
        f.email.as_ref().map(|e| e.as_str().to_owned()),
    );
    optional(
        "EMAIL;TYPE=home",
        f.personal_email.as_ref().map(|e| e.as_str().to_owned()),
    );
    optional("TEL;VALUE=text;TYPE=\"work,voice\"", f.phone.clone());
    optional("TEL;VALUE=text;TYPE=\"cell,voice\"", f.mobile.clone());
    optional("TEL;VALUE=text;TYPE=fax", f.fax.clone());
    optional("URL;TYPE=facebook", f.facebook_url.clone());
    optional("URL;TYPE=linkedin", f.linkedin_url.clone());
    optional("URL;TYPE=x", f.x_url.clone());
    optional("LANG", f.preferred_language.map(|l| l.tag().to_owned()));
    optional("NOTE", f.notes.clone());
    if let Some(link) = links.iter().find(|l| l.fields.is_primary).or(links.first()) {
        lines.push(format!("ORG:{}", v(&link.account_name)));
    }
    if [&f.street, &f.city, &f.state, &f.postal_code, &f.country]
        .iter()
        .any(|x| x.is_some())
    {
        lines.push(format!(
            "ADR;TYPE=work:;;{};{};{};{};{}",
            s(&f.street),
            s(&f.city),
            s(&f.state),
            s(&f.postal_code),
            s(&f.country)
        ));
    }
    lines.push(format!(
        "REV:{}",
        contact.updated_at.format("%Y%m%dT%H%M%SZ")
    ));
    lines.push("END:VCARD".to_owned());
    lines.iter().map(|l| fold(l)).collect()
}

/// `GET /admin/contacts/:id/vcard`: one contact as a vCard 4.0 file.
#[handler]
pub(crate) async fn contact_vcard(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let id: ContactId = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.links().of_contacts(&[id]).await?;
    let f = &contact.fields;
    let names = names_of(
        &mut tx,
        [f.title_id, f.category_id, f.owner_id]
            .into_iter()
            .flatten(),
    )
    .await?;
    tx.commit().await?;
    let card = vcard(&names, &contact, &links);
    Ok(attachment(
        "text/vcard; charset=utf-8",
        "contacto.vcf",
        Body::from(card),
    ))
}

/// `GET /admin/contacts/export.vcf?<the list's filters>`: the selection as vCards.
#[handler]
pub(crate) async fn contacts_vcard(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ContactListQuery>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let filter = filter_of(&query)?;
    let (db, tenant) = (ui.state.db.clone(), staff.tenant.0.clone());
    let body = batches(
        String::new(),
        move |after| contact_batch(db.clone(), tenant.clone(), filter.clone(), after),
        |(rows, names): ContactBatch| rows.iter().map(|(c, l)| vcard(&names, c, l)).collect(),
    );
    Ok(attachment(
        "text/vcard; charset=utf-8",
        "contactos.vcf",
        body,
    ))
}

const ACCOUNT_COLUMNS: [&str; 14] = [
    "id",
    "code",
    "name",
    "legal_name",
    "tax_id",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "owner",
    "branches_enabled",
];

fn account_csv(names: &Names, a: &Account) -> String {
    let f = &a.fields;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let values = [
        a.id.to_string(),
        f.code.clone(),
        f.name.clone(),
        s(&f.legal_name),
        s(&f.tax_id),
        f.email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        s(&f.phone),
        s(&f.address.street),
        s(&f.address.city),
        s(&f.address.state),
        s(&f.address.postal_code),
        s(&f.address.country),
        name(names, f.owner_id),
        if f.branches_enabled {
            "yes".into()
        } else {
            "no".into()
        },
    ];
    row(&values.iter().map(String::as_str).collect::<Vec<_>>())
}

/// `GET /admin/{customers|suppliers}/export.csv?<the list's filters>`.
pub(crate) async fn accounts_csv(
    ui: &Ui,
    staff: &SignedInStaff,
    kind: AccountKind,
    query: AccountListQuery,
) -> Result<Response, AppError> {
    staff.require(Area::accounts(kind), Action::Read).await?;
    let filter = AccountFilter {
        kind,
        search: query.q,
        archived: query.archived.as_deref() == Some("1"),
    };
    let (db, tenant) = (ui.state.db.clone(), staff.tenant.0.clone());
    let body = batches(
        row(&ACCOUNT_COLUMNS),
        move |after: Option<NameCursor>| {
            let (db, tenant, filter) = (db.clone(), tenant.clone(), filter.clone());
            async move {
                let mut tx = db.tenant_tx(&tenant).await?;
                let rows = tx.accounts().list(&filter, after.as_ref(), BATCH).await?;
                let names =
                    names_of(&mut tx, rows.iter().filter_map(|a| a.fields.owner_id)).await?;
                tx.commit().await?;
                let cursor = (rows.len() as u64 == BATCH)
                    .then(|| rows.last().map(Account::cursor))
                    .flatten();
                Ok(((rows, names), cursor))
            }
        },
        |(rows, names): (Vec<Account>, Names)| {
            rows.iter().map(|a| account_csv(&names, a)).collect()
        },
    );
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("{}.csv", kind.plural()),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("Peña, María"), "\"Peña, María\"");
        assert_eq!(cell("dice \"hola\""), "\"dice \"\"hola\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1 809 555 0123"), "+1 809 555 0123");
        assert_eq!(cell("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(cell("@cmd"), "'@cmd");
    }

    #[test]
    fn vcard_values_are_escaped_and_lines_folded() {
        assert_eq!(v("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let folded = fold(&format!("NOTE:{}", "ñ".repeat(60)));
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert!(folded.contains("\r\n "));
    }
}
