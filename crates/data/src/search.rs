//! Pieces shared by every searchable, keyset-paginated list.

use sea_query::{Expr, ExprTrait, IntoColumnRef, SimpleExpr};

use uuid::Uuid;

/// A `LIKE` pattern that finds `text` anywhere, folded like the searched text
/// (lower case, no accents), with `%`, `_` and `\`
/// escaped (escape character `\`); `None` for a blank search.
pub(crate) fn like_pattern(text: &str) -> Option<String> {
    // No stored text holds control characters, and NUL cannot be sent to
    // PostgreSQL: they are dropped from the search.
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let text = portico_domain::fold(text.trim());
    if text.is_empty() {
        return None;
    }
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// `(name, id) > (cursor.name, cursor.id)`: the rows after a cursor.
pub(crate) fn name_after(
    name: impl IntoColumnRef,
    id: impl IntoColumnRef,
    cursor: &NameCursor,
) -> SimpleExpr {
    Expr::tuple([Expr::col(name), Expr::col(id)]).gt(Expr::tuple([
        Expr::val(cursor.name.clone()),
        Expr::val(cursor.id),
    ]))
}

/// A position in a list ordered by name, then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCursor {
    pub name: String,
    pub id: Uuid,
}
