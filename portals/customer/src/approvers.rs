//! Who is told by mail that a quote or an order waits for their decision in
//! the portal: the customer's portal contacts who can open it and whose
//! grant, branches and approval limit let them decide it under the one rule
//! of deciding (`may_authorize`, with the company's four-eyes rule), never
//! the contact who asked. The mails are
//! written in the transaction of the change that makes the record wait, and
//! go out when it commits.

use portico_data::{AccountContact, NewMail, OrderRow, TenantTx};
use portico_domain::{
    Portal,
    orders::{Authority, OrderKind, may_authorize},
};
use portico_portal::SignedInContact;
use portico_web::{
    AppError,
    notice::{self, Notice},
    policy::{scope_of, sees},
};

use crate::{ordering::view, view::amount};

/// The most contacts of one customer considered for one notice.
const MAX_CONSIDERED: u64 = 200;

/// Writes a notice to each contact of `row`'s customer, other than the one
/// who asked (with `comment`, when it wrote one), who may decide it now.
/// Returns how many were written.
pub(crate) async fn notify(
    tx: &mut TenantTx,
    me: &SignedInContact,
    row: &OrderRow,
    comment: Option<&str>,
) -> Result<usize, AppError> {
    let people = tx
        .policy()
        .account_contacts(row.account_id, Portal::Customer, None, MAX_CONSIDERED)
        .await?;
    let (currency, four_eyes) = tx.orders().company_rules().await?;
    let tenant = me.session.tenant.id();
    let mut deciders = Vec::new();
    for person in people {
        if person.rows.contact == me.scope.contact() {
            continue;
        }
        let limit = person.rows.links.first().and_then(|l| l.approval_limit);
        let Some(scope) = scope_of(tenant, &person, Portal::Customer, row.account_id).await? else {
            continue;
        };
        // Told only who can open the record the mail links to.
        if !sees(&scope, row.branch_id) || !scope.may(view(row.kind)) {
            continue;
        }
        let authority = Authority {
            permitted: scope.may(row.kind.authorize()),
            limit,
            limit_currency: &currency,
            four_eyes,
        };
        let own = row.created_by == Some(person.rows.contact);
        if may_authorize(authority, row.total, &row.currency, own).is_err() {
            continue;
        }
        deciders.push(person);
    }
    if deciders.is_empty() {
        return Ok(0);
    }
    let asker = me.scope.contact().as_uuid();
    let asker = tx.names().of_records(&[asker]).await?.remove(&asker);
    for person in &deciders {
        let asked = Asked {
            by: asker.as_deref().unwrap_or_default(),
            comment,
        };
        let mail = compose(me, row, person, &asked)?;
        tx.outbox().enqueue(&mail).await?;
    }
    Ok(deciders.len())
}

/// Who asked, and what they wrote.
struct Asked<'a> {
    by: &'a str,
    comment: Option<&'a str>,
}

/// The notice to `person`, in its language (else the company's).
fn compose(
    me: &SignedInContact,
    row: &OrderRow,
    person: &AccountContact,
    asked: &Asked<'_>,
) -> Result<NewMail, AppError> {
    let session = &me.session;
    let tenant = &session.tenant;
    let lang = notice::language(person, tenant);
    let kind = match row.kind {
        OrderKind::Quote => "quote",
        OrderKind::Order => "order",
    };
    let account = person
        .rows
        .links
        .first()
        .map(|l| l.account_name.clone())
        .unwrap_or_default();
    let about = [
        ("number", row.number.clone().into()),
        ("total", amount(row.total, &row.currency).into()),
        ("account", account.into()),
        ("by", asked.by.to_owned().into()),
    ];
    let mut body = vec![lang.t_args(&format!("orders-mail-{kind}-intro"), &about)];
    if let Some(comment) = asked.comment {
        body.push(lang.t_args(
            "orders-mail-comment",
            &[
                ("by", asked.by.to_owned().into()),
                ("comment", comment.to_owned().into()),
            ],
        ));
    }
    if let Some(until) = row.valid_until {
        let until = match lang.0 {
            portico_domain::Locale::Es => until.format("%d/%m/%Y").to_string(),
            portico_domain::Locale::En => until.format("%b %-d, %Y").to_string(),
        };
        body.push(lang.t_args("orders-mail-valid-until", &[("date", until.into())]));
    }
    let path = format!("/{kind}s/{}?account={}", row.id, row.account_id.as_uuid());
    Notice {
        subject: lang.t_args(&format!("orders-mail-{kind}-subject"), &about),
        body,
        open: lang.t("orders-mail-open"),
        path: session.site.path(&path),
        why: lang.t("orders-mail-why"),
    }
    .mail(&session.state, tenant, person, lang)
}
