//! A contact's portal access (`/admin/contacts/{id}/access`): access to each
//! portal on or off, and per link the roles, individual permissions and visible
//! branches (the grant matrix); the access explainer; and "view as contact", a
//! read-only, audited preview of what the contact's portal shows.

use std::collections::HashMap;

use poem::{
    IntoResponse, Response, get, handler,
    http::StatusCode,
    post,
    session::Session,
    web::{Form, Path, Query, Redirect},
};
use portico_authz::{
    Action, Area,
    portal::{ContactPolicy, Step},
};
use portico_data::{
    Actor, Contact, ContactId, LinkAccess, LinkAccessInput, LinkId, NewAuditEvent, OrderRow,
    PortalRole, TenantTx,
};
use portico_domain::{
    BranchScope, FieldErrors, Permission, Portal,
    money::{self, Dec},
    orders::{self, Authority, Refusal, may_authorize},
};
use portico_web::{Access, Routes};
use portico_web::{
    AppError, Lang, Ui,
    page::{set_flash, set_flash_named},
    policy::policy_input,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    SignedInStaff,
    commands::{Issuer, portal_access},
};

pub(crate) fn routes(route: Routes) -> Routes {
    let read = Access::staff(Area::Contacts, Action::Read);
    let write = Access::staff(Area::Contacts, Action::Write);
    route
        .at("/contacts/:id/access", read, get(access_page))
        .at(
            "/contacts/:id/access/invite",
            write,
            post(resend_invitation),
        )
        .at(
            "/contacts/:id/access/invite/revoke",
            write,
            post(revoke_invitation),
        )
        .at("/contacts/:id/access/:portal", write, post(toggle_access))
        .at("/contacts/:id/preview", read, get(preview))
        .at("/links/:id/access", write, post(save_link_access))
}

/// Branches listed per account on the page (a customer rarely has more).
const BRANCH_LIMIT: u64 = 500;

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// The label of a permission: "Cotizaciones · Autorizar".
pub(crate) fn permission_label(lang: &Lang, p: Permission) -> String {
    format!(
        "{} · {}",
        lang.t(&format!("portal-area-{}", p.object())),
        lang.t(&format!("portal-can-{}", p.action()))
    )
}

fn role_json(ui: &Ui, role: &PortalRole, held: &[Uuid]) -> Value {
    json!({
        "id": role.id.to_string(),
        "name": role.name(ui.lang.0),
        "held": held.contains(&role.id),
        "permissions": role.permissions.iter()
            .filter_map(|p| Permission::parse(role.portal, p))
            .map(|p| permission_label(&ui.lang, p))
            .collect::<Vec<_>>(),
    })
}

/// The grant matrix of one link: rows are the portal's objects, cells its actions.
fn matrix(ui: &Ui, link: &LinkAccess) -> Vec<Value> {
    link.portal
        .objects()
        .into_iter()
        .map(|object| {
            let cells: Vec<Value> = link
                .portal
                .permissions()
                .iter()
                .filter(|p| p.object() == object)
                .map(|p| {
                    json!({
                        "name": p.name(),
                        "label": ui.lang.t(&format!("portal-can-{}", p.action())),
                        "granted": link.permissions.iter().any(|g| g == p.name()),
                    })
                })
                .collect();
            json!({ "object": object, "label": ui.lang.t(&format!("portal-area-{object}")), "cells": cells })
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExplainQuery {
    link: String,
    permission: String,
    branch: String,
    /// A quote's or order's number: "may they authorize this one?"
    document: String,
}

/// The quote or order a question is about, with what decides who may
/// authorize it: the link's limit, the company's currency and rule.
pub(crate) struct Document {
    pub(crate) row: OrderRow,
    pub(crate) currency: String,
    pub(crate) four_eyes: bool,
}

/// An explainer's question, checked: a link of the contact, a permission of
/// that link's portal and, for a branch-bound record, a branch of its account.
pub(crate) struct Question<'a> {
    pub(crate) link: &'a LinkAccess,
    pub(crate) permission: Permission,
    pub(crate) branch: Option<(Uuid, String)>,
    /// With a document, the permission is its kind's `authorize` and the
    /// branch its own; the answer adds the approval rule's steps.
    pub(crate) document: Option<Document>,
}

impl<'a> Question<'a> {
    /// Checks a question about one of `links`; each bad part is a field error
    /// (`link`, `permission`, `branch`, `document`). The page and the API both
    /// ask here. A `document` number (a quote or order of the link's account)
    /// asks whether the contact may authorize that one.
    pub(crate) async fn ask(
        tx: &mut TenantTx,
        links: &'a [LinkAccess],
        link: &str,
        permission: &str,
        branch: &str,
        document: &str,
    ) -> Result<Question<'a>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let link = link
            .trim()
            .parse::<Uuid>()
            .ok()
            .and_then(|id| links.iter().find(|l| l.link_id.as_uuid() == id));
        let Some(link) = link else {
            errors.add("link", "explain-link-unknown");
            return Err(errors);
        };
        if !document.trim().is_empty() {
            return Self::about_document(tx, link, document.trim()).await;
        }
        let permission = Permission::parse(link.portal, permission.trim());
        if permission.is_none() {
            errors.add("permission", "explain-permission-unknown");
        }
        let branch = match branch.trim() {
            "" => None,
            raw => {
                let found = match raw.parse::<Uuid>() {
                    Ok(id) => tx
                        .branches()
                        .find(link.account_id, id.into())
                        .await
                        .ok()
                        .flatten()
                        .map(|b| (id, b.fields.name)),
                    Err(_) => None,
                };
                if found.is_none() {
                    errors.add("branch", "explain-branch-unknown");
                }
                found
            }
        };
        match permission {
            Some(permission) if errors.is_empty() => Ok(Question {
                link,
                permission,
                branch,
                document: None,
            }),
            _ => Err(errors),
        }
    }

    /// The question "may the contact authorize `number`?", for a quote or
    /// order of the link's account (a field error on `document` otherwise).
    async fn about_document(
        tx: &mut TenantTx,
        link: &'a LinkAccess,
        number: &str,
    ) -> Result<Question<'a>, FieldErrors> {
        let unknown = || {
            let mut errors = FieldErrors::default();
            errors.add("document", "explain-document-unknown");
            errors
        };
        let found = tx
            .orders()
            .by_number(link.account_id, number)
            .await
            .ok()
            .flatten();
        let Some(row) = found.filter(|_| link.portal == Portal::Customer) else {
            return Err(unknown());
        };
        let branch = match row.branch_id {
            None => None,
            Some(id) => tx
                .branches()
                .find(link.account_id, id)
                .await
                .ok()
                .flatten()
                .map(|b| (id.as_uuid(), b.fields.name)),
        };
        let (currency, four_eyes) = tx.orders().company_rules().await.map_err(|_| unknown())?;
        Ok(Question {
            link,
            permission: row.kind.authorize(),
            branch,
            document: Some(Document {
                row,
                currency,
                four_eyes,
            }),
        })
    }

    /// The answer under `policy` (`None`: the contact is archived); about a
    /// document, followed by the approval rule's steps — whether it waits for
    /// a decision, the company's four-eyes rule, the link's limit — each of
    /// which must let it through too.
    pub(crate) fn answer(
        &self,
        policy: Option<&ContactPolicy>,
    ) -> portico_authz::portal::Explanation {
        let mut explanation = match policy {
            Some(policy) => policy.explain(
                self.link.portal,
                self.link.account_id.as_uuid(),
                self.permission,
                self.branch.clone(),
            ),
            // An archived contact has no policy at all.
            None => return portico_authz::portal::Explanation::contact_archived(),
        };
        let Some(document) = &self.document else {
            return explanation;
        };
        let row = &document.row;
        let amount = |value: Dec, currency: &str| format!("{} {currency}", money::display(value));
        let step = |ok: bool, message: &'static str, subject: String| Step {
            outcome: if ok { "ok" } else { "no" },
            message,
            subject,
        };
        let today = chrono::Local::now().date_naive();
        let open = row.open(today);
        explanation.steps.push(step(
            open,
            if open {
                "explain-document-open"
            } else {
                "explain-document-closed"
            },
            row.number.clone(),
        ));
        let own = row.created_by == Some(self.link.contact_id);
        if document.four_eyes {
            explanation.steps.push(step(
                !own,
                if own {
                    "explain-own-document"
                } else {
                    "explain-not-own-document"
                },
                row.number.clone(),
            ));
        }
        let rule = may_authorize(
            Authority {
                permitted: true,
                limit: self.link.approval_limit,
                limit_currency: &document.currency,
                four_eyes: document.four_eyes,
            },
            row.total,
            &row.currency,
            own,
        );
        explanation
            .steps
            .push(match (self.link.approval_limit, rule) {
                (None, _) => step(true, "explain-limit-none", String::new()),
                (Some(_), Err(Refusal::OtherCurrency)) => {
                    step(false, "explain-limit-currency", row.currency.clone())
                }
                (Some(limit), Err(Refusal::OverLimit)) => step(
                    false,
                    "explain-limit-below",
                    format!(
                        "{} < {}",
                        amount(limit, &document.currency),
                        amount(row.total, &row.currency)
                    ),
                ),
                (Some(limit), _) => step(
                    true,
                    "explain-limit-covers",
                    format!(
                        "{} ≥ {}",
                        amount(limit, &document.currency),
                        amount(row.total, &row.currency)
                    ),
                ),
            });
        explanation.allowed = explanation.allowed && open && rule.is_ok();
        explanation
    }
}

/// The contact's live policy, built from what `tx` sees now (not the cache: the
/// explainer and the preview answer for this very moment).
pub(crate) async fn live_policy(
    tx: &mut TenantTx,
    contact: ContactId,
) -> Result<Option<ContactPolicy>, AppError> {
    let Some(rows) = tx.policy().contact_rows(contact).await? else {
        return Ok(None);
    };
    Ok(Some(
        ContactPolicy::build(policy_input(tx.tenant_id(), rows)).await?,
    ))
}

async fn render(
    ui: &Ui,
    staff: &SignedInStaff,
    id: ContactId,
    explain: &ExplainQuery,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    let links = tx.link_grants().of_contact(id).await?;
    let roles = tx.portal_roles().list(None).await?;
    let mut branches: HashMap<Uuid, Vec<portico_data::Branch>> = HashMap::new();
    for link in links.iter().filter(|l| l.branches_enabled) {
        branches.insert(
            link.account_id.as_uuid(),
            tx.branches().list(link.account_id, BRANCH_LIMIT).await?,
        );
    }
    let policy = live_policy(&mut tx, id).await?;
    let invitation = tx.invitations().latest(id).await?;
    let currency = staff.tenant.0.currency().to_owned();
    let asked =
        !explain.link.is_empty() || !explain.permission.is_empty() || !explain.document.is_empty();
    let answer = if asked {
        Some(
            Question::ask(
                &mut tx,
                &links,
                &explain.link,
                &explain.permission,
                &explain.branch,
                &explain.document,
            )
            .await
            .map(|q| explain_json(ui, policy.as_ref(), &q)),
        )
    } else {
        None
    };
    tx.commit().await?;
    let kinds: Vec<_> = links.iter().map(|l| l.portal.kind()).collect();
    let may_edit = crate::access::policy()
        .await?
        .may_edit_contact(staff.user.role, &kinds);

    let links_json: Vec<Value> = links
        .iter()
        .map(|l| {
            let own_roles: Vec<Value> = roles
                .iter()
                .filter(|r| r.portal == l.portal)
                .map(|r| role_json(ui, r, &l.role_ids))
                .collect();
            let branch_rows: Vec<Value> = branches
                .get(&l.account_id.as_uuid())
                .map(|bs| {
                    bs.iter()
                        .map(|b| {
                            json!({
                                "id": b.id.to_string(),
                                "name": format!("{} · {}", b.fields.code, b.fields.name),
                                "chosen": l.branch_ids.contains(&b.id.as_uuid()),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let effective: Vec<String> = policy
                .as_ref()
                .and_then(|p| p.scope(l.portal, l.account_id.as_uuid()))
                .map(|s| {
                    s.permissions()
                        .iter()
                        .map(|p| permission_label(&ui.lang, *p))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "id": l.link_id.to_string(),
                "portal": l.portal.as_str(),
                "account": l.account_name,
                "code": l.account_code,
                "account_active": l.account_active,
                "portal_on": contact.portal.to(l.portal),
                "roles": own_roles,
                "matrix": matrix(ui, l),
                "branches_enabled": l.branches_enabled,
                "all_branches": l.all_branches,
                "approval_limit": l.approval_limit.map(|d| d.to_string()).unwrap_or_default(),
                "currency": currency,
                "branches": branch_rows,
                "effective": effective,
                "permissions": l.portal.permissions().iter()
                    .map(|p| json!({ "value": p.name(), "label": permission_label(&ui.lang, *p) }))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();

    let (explanation, explain_errors, status) = match answer {
        Some(Ok(answer)) => (Some(answer), Vec::new(), status),
        Some(Err(errors)) => (
            None,
            errors.0.iter().map(|e| ui.lang.t(e.message)).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (None, Vec::new(), status),
    };
    let portals: Vec<Value> = Portal::ALL
        .iter()
        .map(|p| {
            json!({
                "key": p.as_str(),
                "on": contact.portal.to(*p),
                "links": links.iter().filter(|l| l.portal == *p).count(),
            })
        })
        .collect();
    let error_list: Vec<String> = errors.0.iter().map(|e| ui.lang.t(e.message)).collect();
    let mut ctx = staff.page(ui, "contacts").await?;
    ctx.insert("contact", &contact_json(&contact));
    ctx.insert("status", &contact.portal.status.as_str());
    ctx.insert(
        "invitation",
        &invitation.map(|i| {
            json!({
                "sent": i.sent_at.format("%Y-%m-%d %H:%M").to_string(),
                "expires": i.expires_at.format("%Y-%m-%d %H:%M").to_string(),
                "usable": i.usable,
            })
        }),
    );
    ctx.insert("portals", &portals);
    ctx.insert("links", &links_json);
    ctx.insert("may_edit", &may_edit);
    ctx.insert("explain", &json!({ "link": explain.link, "permission": explain.permission, "branch": explain.branch, "document": explain.document }));
    ctx.insert("explanation", &explanation);
    ctx.insert("explain_errors", &explain_errors);
    ctx.insert("errors", &error_list);
    Ok(ui
        .render("admin/portal_access.html", &ctx)?
        .with_status(status)
        .into_response())
}

fn contact_json(contact: &Contact) -> Value {
    json!({
        "id": contact.id.to_string(),
        "name": contact.display_name,
        "email": contact.fields.email.as_ref().map(|e| e.as_str().to_owned()),
        "archived": contact.archived_at.is_some(),
    })
}

/// The explainer's answer to a checked question, as the page shows it.
fn explain_json(ui: &Ui, policy: Option<&ContactPolicy>, question: &Question<'_>) -> Value {
    let explanation = question.answer(policy);
    let permission = question.permission;
    let document = question.document.as_ref().map(|d| {
        format!(
            " · {} ({} {})",
            d.row.number,
            money::display(d.row.total),
            d.row.currency
        )
    });
    let steps: Vec<Value> = explanation
        .steps
        .iter()
        .map(|s| {
            let subject = match s.message {
                "explain-portal-on" | "explain-portal-off" => {
                    ui.lang.t(&format!("portal-{}-name", s.subject))
                }
                "explain-grant" | "explain-not-granted" => permission_label(&ui.lang, permission),
                _ => s.subject.clone(),
            };
            json!({ "outcome": s.outcome, "text": ui.lang.t(s.message), "subject": subject })
        })
        .collect();
    json!({
        "allowed": explanation.allowed,
        "question": format!(
            "{} · {}",
            question.link.account_name,
            permission_label(&ui.lang, permission)
        ) + document.as_deref().unwrap_or(""),
        "steps": steps,
    })
}

/// `GET /admin/contacts/{id}/access`: the page, with the explainer's answer
/// when `link` and `permission` (and maybe `branch`) are given.
#[handler]
async fn access_page(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
    Query(explain): Query<ExplainQuery>,
) -> Result<Response, AppError> {
    render(
        &ui,
        &staff,
        parse(&id)?,
        &explain,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct Toggle {
    #[serde(default)]
    enabled: String,
}

/// `POST /admin/contacts/{id}/access/{portal}`: turns access on (`enabled=1`) or off.
#[handler]
async fn toggle_access(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path((id, portal)): Path<(String, String)>,
    Form(form): Form<Toggle>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    let portal: Portal = parse(&portal)?;
    let on = form.enabled == "1";
    match portal_access::set_access(&Issuer::staff(&staff, &ui), id, portal, on).await {
        Ok(invite) => {
            set_flash(
                session,
                match (on, invite) {
                    (true, true) => "portal-access-on-invited",
                    (true, false) => "portal-access-on",
                    (false, _) => "portal-access-off",
                },
            );
            Ok(Redirect::see_other(format!("/admin/contacts/{id}/access")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render(
                &ui,
                &staff,
                id,
                &ExplainQuery::default(),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// `POST /admin/links/{id}/access`: the link's roles (`role`), individual
/// permissions (`permission`), and branches (`branches=all`, or `chosen` with
/// each `branch`). Repeated fields, so the form is read as pairs.
#[handler]
async fn save_link_access(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let link: LinkId = parse(&id)?;
    let bad = || AppError::BadRequest("error-bad-request-detail");
    let values = |key: &'static str| {
        pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let approval_limit = orders::parse_limit(values("approval_limit").next().unwrap_or(""))
        .map_err(|message| {
            let mut errors = FieldErrors::default();
            errors.add("approval_limit", message);
            AppError::Invalid(errors)
        });
    let input = LinkAccessInput {
        approval_limit: match approval_limit {
            Ok(limit) => limit,
            Err(AppError::Invalid(errors)) => {
                let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
                let found = tx.links().find(link).await?.ok_or(AppError::NotFound)?;
                tx.commit().await?;
                return render(
                    &ui,
                    &staff,
                    found.contact_id,
                    &ExplainQuery::default(),
                    &errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(other) => return Err(other),
        },
        role_ids: values("role")
            .map(|v| v.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?,
        permissions: values("permission").map(str::to_owned).collect(),
        all_branches: values("branches").next() != Some("chosen"),
        branch_ids: values("branch")
            .map(|v| v.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?,
    };
    match portal_access::set_link_access(&Issuer::staff(&staff, &ui), link, &input).await {
        Ok((contact, _)) => {
            set_flash_named(session, "portal-access-saved", &contact.display_name);
            Ok(
                Redirect::see_other(format!("/admin/contacts/{}/access", contact.id))
                    .into_response(),
            )
        }
        Err(AppError::Invalid(errors)) => {
            // The link was found: its contact's page shows the errors.
            let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
            let found = tx.links().find(link).await?.ok_or(AppError::NotFound)?;
            tx.commit().await?;
            render(
                &ui,
                &staff,
                found.contact_id,
                &ExplainQuery::default(),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    portal: String,
}

/// `POST /admin/contacts/{id}/access/invite`: a new invitation to `portal` (the
/// older links stop working).
#[handler]
async fn resend_invitation(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    let portal: Portal = form
        .portal
        .parse()
        .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?;
    portal_access::resend_invitation(&Issuer::staff(&staff, &ui), id, portal).await?;
    set_flash(session, "portal-invite-sent");
    Ok(Redirect::see_other(format!("/admin/contacts/{id}/access")).into_response())
}

/// `POST /admin/contacts/{id}/access/invite/revoke`: voids every pending invitation.
#[handler]
async fn revoke_invitation(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContactId = parse(&id)?;
    portal_access::revoke_invitations(&Issuer::staff(&staff, &ui), id).await?;
    set_flash(session, "portal-invite-revoked");
    Ok(Redirect::see_other(format!("/admin/contacts/{id}/access")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PreviewQuery {
    portal: String,
    account: String,
}

/// `GET /admin/contacts/{id}/preview?portal=…&account=…`: the portal as the
/// contact sees it for an account — its areas, what it may do there and the
/// branches it sees — read-only (a page with no forms) and audited.
#[handler]
async fn preview(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
    Query(query): Query<PreviewQuery>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let id: ContactId = parse(&id)?;
    let portal: Portal = parse(&query.portal)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let contact = tx.contacts().find(id).await?.ok_or(AppError::NotFound)?;
    let policy = live_policy(&mut tx, id).await?;
    let accounts: Vec<(Uuid, String)> = policy
        .as_ref()
        .map(|p| {
            p.accounts(portal)
                .into_iter()
                .map(|(id, name)| (id, name.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let account = match query.account.as_str() {
        "" => accounts.first().map(|(id, _)| *id),
        raw => Some(parse::<Uuid>(raw)?),
    };
    let scope = match (&policy, account) {
        (Some(policy), Some(account)) => {
            Some(policy.scope(portal, account).ok_or(AppError::NotFound)?)
        }
        _ => None,
    };
    let branch_names = match &scope {
        Some(scope) => tx.portal_scope().visible_branches(scope).await?,
        None => Vec::new(),
    };
    tx.audit()
        .record(NewAuditEvent {
            actor: Actor::Staff(staff.user.id),
            action: "contact.preview",
            subject_kind: "contact",
            subject_id: Some(id.as_uuid()),
            related_id: account,
            changes: json!({ "portal": portal, "account": account }),
            request_id: Some(&ui.request_id),
        })
        .await?;
    tx.commit().await?;
    let areas: Vec<Value> = scope
        .as_ref()
        .map(|s| {
            s.objects()
                .into_iter()
                .map(|o| {
                    let actions: Vec<String> = s
                        .permissions()
                        .iter()
                        .filter(|p| p.object() == o)
                        .map(|p| ui.lang.t(&format!("portal-can-{}", p.action())))
                        .collect();
                    json!({ "label": ui.lang.t(&format!("portal-area-{o}")), "actions": actions })
                })
                .collect()
        })
        .unwrap_or_default();
    let all_branches = matches!(scope.as_ref().map(|s| s.branches()), Some(BranchScope::All));
    let mut ctx = staff.page(&ui, "contacts").await?;
    ctx.insert("contact", &contact_json(&contact));
    ctx.insert("portal", &portal.as_str());
    ctx.insert("portal_on", &contact.portal.to(portal));
    ctx.insert(
        "accounts",
        &accounts
            .iter()
            .map(|(id, name)| json!({ "id": id.to_string(), "name": name, "current": Some(*id) == account }))
            .collect::<Vec<_>>(),
    );
    ctx.insert("areas", &areas);
    ctx.insert("all_branches", &all_branches);
    ctx.insert(
        "branches",
        &branch_names
            .iter()
            .map(|b| format!("{} · {}", b.code, b.name))
            .collect::<Vec<_>>(),
    );
    Ok(ui
        .render("admin/portal_preview.html", &ctx)?
        .into_response())
}
