//! A record's history as people read it: when, who, what, and which fields
//! changed from what to what.

use std::collections::HashMap;

use portico_data::AuditEvent;
use portico_web::Lang;
use serde_json::{Value, json};

/// Names of the records a history may refer to by id (owners, titles, categories).
pub(crate) type Names = HashMap<String, String>;

fn show(value: &Value, lang: &Lang, names: &Names) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => lang.t("yes"),
        Value::Bool(false) => lang.t("no"),
        Value::String(s) => names.get(s).cloned().unwrap_or_else(|| s.clone()),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items
            .iter()
            .map(|item| match (item.get("label"), item.get("date")) {
                (Some(Value::String(label)), Some(Value::String(date))) => {
                    format!("{label}: {date}")
                }
                _ => show(item, lang, names),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// The changed fields of an event: `{"field": {"before", "after"}}` objects, the
/// `after` of a creation, or the `before`/`after` of a link.
fn changes(event: &AuditEvent, lang: &Lang, names: &Names) -> Vec<Value> {
    let label = |field: &str| lang.t(&format!("label-{field}"));
    let c = &event.changes;
    let mut rows = Vec::new();
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
            rows.push(json!({ "field": label(field), "before": before.map(|_| show(old, lang, names)), "after": show(new, lang, names) }));
        }
    } else if let Some(fields) = c.as_object() {
        for (field, change) in fields {
            if let (Some(old), Some(new)) = (change.get("before"), change.get("after")) {
                rows.push(json!({ "field": label(field), "before": Some(show(old, lang, names)), "after": show(new, lang, names) }));
            }
        }
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
            json!({
                "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "who": e.actor_name.clone().unwrap_or_else(|| lang.t(&format!("actor-{}", e.actor_kind))),
                "what": lang.t_args(
                    &format!("action-{}", e.action.replace('.', "-")),
                    &[("account", account.unwrap_or_default().to_owned().into())],
                ),
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

/// The names of the records that `events` mention, looked up by id.
pub(crate) async fn names_in(
    tx: &mut portico_data::TenantTx,
    events: &[AuditEvent],
) -> Result<Names, portico_web::AppError> {
    let mut ids = Vec::new();
    for event in events {
        mentioned(&event.changes, &mut ids);
    }
    names_of(tx, ids).await
}

/// The names of the owners, titles and categories these ids refer to.
pub(crate) async fn names_of(
    tx: &mut portico_data::TenantTx,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<Names, portico_web::AppError> {
    let mut ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    Ok(tx
        .display_names(&ids)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}
