//! A record's history as people read it: when, who, what, and which fields
//! changed from what to what, every field and value in the reader's language
//! (states, roles, permissions and portals translated; ids shown as names).

use std::collections::HashMap;

use portico_data::AuditEvent;
use portico_domain::{Permission, Portal};
use portico_web::Lang;
use serde_json::{Value, json};

/// How many history entries a record shows (pages and API alike).
pub(crate) const HISTORY: u64 = 100;

/// Names of the records a history may refer to by id (owners, titles,
/// categories, branches, portal roles), in the reader's language.
pub(crate) type Names = HashMap<String, String>;

/// A message id's text, or `None` when no message has that id.
fn known(lang: &Lang, id: &str) -> Option<String> {
    lang.try_t(id)
}

/// The label of a permission name such as `quotes.create`, in whichever
/// portal has it.
fn permission(lang: &Lang, name: &str) -> Option<String> {
    Portal::ALL
        .iter()
        .find_map(|portal| Permission::parse(*portal, name))
        .map(|p| crate::portal_access::permission_label(lang, p))
}

/// A code's text for the fields whose values are codes (states, roles, rules,
/// portals, languages, permissions).
fn code(field: &str, raw: &str, lang: &Lang) -> Option<String> {
    match field {
        "portal_status" => known(lang, &format!("portal-status-{raw}")),
        "role" => known(lang, &format!("role-{raw}")),
        "status" => known(lang, &format!("staff-status-{raw}")),
        "contact_required" => known(lang, &format!("rule-{raw}")),
        "portal" => known(lang, &format!("portal-{raw}-name")),
        "preferred_language" | "locale" => known(lang, &format!("language-{raw}")),
        "permissions" => permission(lang, raw),
        _ => None,
    }
}

fn show(field: &str, value: &Value, lang: &Lang, names: &Names) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => lang.t("yes"),
        Value::Bool(false) => lang.t("no"),
        Value::String(s) => names
            .get(s)
            .cloned()
            .or_else(|| code(field, s, lang))
            .unwrap_or_else(|| s.clone()),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items
            .iter()
            .map(|item| match (item.get("label"), item.get("date")) {
                (Some(Value::String(label)), Some(Value::String(date))) => {
                    format!("{label}: {date}")
                }
                // An application of a payment or credit note: invoice and amount.
                _ => match (item.get("invoice"), item.get("amount")) {
                    (Some(Value::String(invoice)), Some(amount)) => {
                        format!("{invoice}: {}", amount.as_str().unwrap_or_default())
                    }
                    _ => show(field, item, lang, names),
                },
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// A field's label: `label-<field>`, the field name itself never.
fn label(field: &str, lang: &Lang) -> String {
    known(lang, &format!("label-{field}")).unwrap_or_else(|| lang.t("history-other-field"))
}

/// One row: the field, its value before (when there was one) and after.
fn row(field: &str, before: Option<&Value>, after: &Value, lang: &Lang, names: &Names) -> Value {
    json!({
        "field": label(field, lang),
        "before": before.map(|old| show(field, old, lang, names)),
        "after": show(field, after, lang, names),
    })
}

/// Rows for `{"field": {"before", "after"}}` objects.
fn pairs(fields: &serde_json::Map<String, Value>, lang: &Lang, names: &Names) -> Vec<Value> {
    fields
        .iter()
        .filter_map(|(field, change)| {
            let (old, new) = (change.get("before")?, change.get("after")?);
            Some(row(field, Some(old), new, lang, names))
        })
        .collect()
}

/// The changed fields of an event: `{"field": {"before", "after"}}` objects, the
/// `after` of a creation, the `before`/`after` of a link, a link's access
/// `changes`, a portal switched on or off, or the portal an event concerns.
fn changes(event: &AuditEvent, lang: &Lang, names: &Names) -> Vec<Value> {
    let c = &event.changes;
    let portal = c.get("portal").and_then(Value::as_str);
    let switched = (c.get("before"), c.get("after"));
    let mut rows = Vec::new();
    if let (Some(portal), (Some(Value::Bool(old)), Some(Value::Bool(new)))) = (portal, switched) {
        // A portal's access switched on or off.
        let state = |on: bool| lang.t(if on { "portal-on" } else { "portal-off" });
        let name = code("portal", portal, lang).unwrap_or_else(|| portal.to_owned());
        rows.push(json!({ "field": name, "before": Some(state(*old)), "after": state(*new) }));
        return rows;
    }
    if let Some(after) = c.get("after").and_then(Value::as_object) {
        let before = c.get("before");
        for (field, new) in after {
            let old = before.and_then(|b| b.get(field)).unwrap_or(&Value::Null);
            if new.is_null() && old.is_null() || new == &Value::Bool(false) && old.is_null() {
                continue;
            }
            if before.is_some() && old == new {
                continue;
            }
            rows.push(row(field, before.map(|_| old), new, lang, names));
        }
    } else if let Some(fields) = c.get("changes").and_then(Value::as_object) {
        rows = pairs(fields, lang, names);
    } else if let Some(fields) = c.as_object() {
        rows = pairs(fields, lang, names);
    }
    if let Some(portal) = portal.filter(|_| rows.is_empty()) {
        rows.push(row("portal", None, &json!(portal), lang, names));
    }
    rows
}

/// The rows a history table shows, newest first.
pub(crate) fn history_rows(lang: &Lang, events: &[AuditEvent], names: &Names) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let account = e
                .changes
                .get("account")
                .and_then(|a| a.get("name"))
                .and_then(Value::as_str);
            let who = e.actor_name.clone().unwrap_or_else(|| {
                known(lang, &format!("actor-{}", e.actor_kind))
                    .unwrap_or_else(|| lang.t("actor-system"))
            });
            let what = lang
                .try_t_args(
                    &format!("action-{}", e.action.replace('.', "-")),
                    &[("account", account.unwrap_or_default().to_owned().into())],
                )
                .unwrap_or_else(|| lang.t("history-other-action"));
            json!({
                "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "who": who,
                "what": what,
                "changes": changes(e, lang, names),
            })
        })
        .collect()
}

/// The ids a history's changes mention (owners, titles, categories…).
fn mentioned(value: &Value, ids: &mut Vec<uuid::Uuid>) {
    match value {
        Value::String(s) => ids.extend(uuid::Uuid::parse_str(s).ok()),
        Value::Array(items) => items.iter().for_each(|v| mentioned(v, ids)),
        Value::Object(fields) => fields.values().for_each(|v| mentioned(v, ids)),
        _ => {}
    }
}

/// The names of the records that `events` mention, looked up by id, in the
/// reader's language (portal roles have a name per language).
pub(crate) async fn names_in(
    tx: &mut portico_data::TenantTx,
    events: &[AuditEvent],
    lang: &Lang,
) -> Result<Names, portico_web::AppError> {
    let mut ids = Vec::new();
    for event in events {
        mentioned(&event.changes, &mut ids);
    }
    let mut names = names_of(tx, ids.iter().copied()).await?;
    if !ids.is_empty() {
        for role in tx.portal_roles().list(None).await? {
            if ids.contains(&role.id) {
                names.insert(role.id.to_string(), role.name(lang.0).to_owned());
            }
        }
    }
    Ok(names)
}

/// The names of the owners, titles, categories and branches these ids refer to.
pub(crate) async fn names_of(
    tx: &mut portico_data::TenantTx,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<Names, portico_web::AppError> {
    let mut ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    Ok(tx
        .names()
        .display(&ids)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}
