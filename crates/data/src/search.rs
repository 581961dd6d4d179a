//! Pieces shared by every searchable, keyset-paginated list.

use sea_query::{Alias, Expr, ExprTrait, Func, IntoColumnRef, Query, SelectStatement, SimpleExpr};

use uuid::Uuid;

use crate::{DataError, exec::Conn};

/// The most matches a search collects through the trigram index. A term with
/// more is common: the list then walks its own order and tests each row,
/// which finds a page of a common term within a few hundred rows.
pub const SEARCH_CAP: i32 = 2000;

/// The most contacts linked to matching accounts that the contacts' list
/// collects for a common term, to test the rows it walks against them as a
/// set; with more, it looks each walked row's links up instead.
pub const LINKED_CAP: i32 = 5000;

/// What a search term finds, as far as a list needs to know.
pub(crate) enum Matches {
    /// Every match (a rare term), an id possibly twice: the list reads these rows.
    Few(Vec<Uuid>),
    /// Too many to collect (a common term), or no index to ask (SQLite): the
    /// list tests each row it walks.
    Many,
}

/// Asks the database function `function` for the matches of a search
/// (`args` then the cap). On PostgreSQL it runs as the owner, restricted to
/// the transaction's tenant, because row-level security keeps `LIKE` from
/// using the trigram indexes (migration 0009), and plans its statement for
/// the term at hand (migration 0010); SQLite has no such index.
pub(crate) async fn matches(
    conn: &mut Conn,
    function: &'static str,
    args: Vec<SimpleExpr>,
) -> Result<Matches, DataError> {
    if !matches!(conn, Conn::Postgres(_)) {
        return Ok(Matches::Many);
    }
    let ids: Vec<(Uuid,)> = conn
        .fetch_all(&match_set(function, args, SEARCH_CAP))
        .await?;
    Ok(
        if ids.len() > usize::try_from(SEARCH_CAP).unwrap_or(usize::MAX) {
            Matches::Many
        } else {
            Matches::Few(ids.into_iter().map(|(id,)| id).collect())
        },
    )
}

/// Whether `function` (with `args`, then `cap`) finds at most `cap` ids;
/// always `false` on SQLite, which has no such functions. Counted in the
/// database: only the count travels.
pub(crate) async fn within(
    conn: &mut Conn,
    function: &'static str,
    args: Vec<SimpleExpr>,
    cap: i32,
) -> Result<bool, DataError> {
    if !matches!(conn, Conn::Postgres(_)) {
        return Ok(false);
    }
    let count = Query::select()
        .expr(Expr::cust("count(*)"))
        .from_subquery(match_set(function, args, cap), Alias::new("s"))
        .to_owned();
    let counted: Option<(i64,)> = conn.fetch_optional(&count).await?;
    Ok(counted.is_some_and(|(n,)| n <= i64::from(cap)))
}

/// `SELECT m FROM function(args…, cap) AS m`: the ids a search function finds,
/// as a statement or a subquery for `IN` (which PostgreSQL runs once, into a
/// hashed set). In the FROM clause, not the select list: PostgreSQL then runs
/// the function once to completion instead of resuming it row by row, several
/// times faster for a thousand ids.
pub(crate) fn match_set(
    function: &'static str,
    args: Vec<SimpleExpr>,
    cap: i32,
) -> SelectStatement {
    let call = Func::cust(Alias::new(function)).args(args.into_iter().chain([cap.into()]));
    Query::select()
        .expr(Expr::cust("m"))
        .from_function(call, Alias::new("m"))
        .to_owned()
}

/// A `LIKE` pattern that finds `text` anywhere, folded like the searched text
/// (lower case, no accents), with `%`, `_` and `\`
/// escaped (escape character `\`); `None` for a blank search.
pub fn like_pattern(text: &str) -> Option<String> {
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
