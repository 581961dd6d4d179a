//! Keyset pagination of back-office lists: reading the cursor from the query
//! string and building the "next page" link that keeps the list's filters.

use portico_data::NameCursor;
use portico_web::AppError;

/// The address of the list being shown: its path and the query string the
/// request carried (filters, cursor), for forms to come back to.
pub(crate) fn here(path: &str, uri: &poem::http::Uri) -> String {
    match uri.query() {
        Some(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_owned(),
    }
}

/// Rows per page of every back-office list.
pub(crate) const PAGE: u64 = 50;

/// The cursor in `after_name`/`after_id`, if both are given.
pub(crate) fn cursor(name: Option<&str>, id: Option<&str>) -> Result<Option<NameCursor>, AppError> {
    match (name, id) {
        (Some(name), Some(id)) if !id.is_empty() => Ok(Some(NameCursor {
            name: name.to_owned(),
            id: id
                .parse()
                .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?,
        })),
        _ => Ok(None),
    }
}

/// Cuts a page fetched with one extra row and returns the link to the next page,
/// which repeats `params` (the filters) and adds the cursor of the last row.
pub(crate) fn next_link<T>(
    rows: &mut Vec<T>,
    path: &str,
    params: &[(&str, String)],
    cursor_of: impl Fn(&T) -> NameCursor,
) -> Option<String> {
    if rows.len() as u64 <= PAGE {
        return None;
    }
    rows.truncate(PAGE as usize);
    let last = cursor_of(rows.last()?);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in params.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(key, value);
    }
    query
        .append_pair("after_name", &last.name)
        .append_pair("after_id", &last.id.to_string());
    Some(format!("{path}?{}", query.finish()))
}
