//! The contact list: filters, orders, search and keyset pagination, all in SQL.

use chrono::Utc;
use portico_domain::AccountKind;
use sea_query::{
    Expr, ExprTrait, LikeExpr, Order, PostgresQueryBuilder, Query, SelectStatement, SimpleExpr,
};
use uuid::Uuid;

use super::{Contact, ContactRow, ContactsArea, PortalStatus, contact_select};
use crate::tables::{Accounts, ContactLinks, Contacts};
use crate::{
    AccountId, DataError,
    areas::links::link_account,
    search::{
        LINKED_CAP, Matches, NameCursor, like_pattern, match_set, matches, name_after, within,
    },
};

/// The states the contact list filters portal access by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalFilter {
    /// Never given access.
    None,
    /// Given access, with an invitation still valid.
    Invited,
    /// Given access, never set a password, and no valid invitation left.
    NeverActivated,
    /// Has set a password and is not locked out.
    Active,
    /// Locked out by failed sign-ins, now.
    Locked,
    /// Access turned off.
    Disabled,
}

impl PortalFilter {
    pub const ALL: [PortalFilter; 6] = [
        PortalFilter::None,
        PortalFilter::Invited,
        PortalFilter::NeverActivated,
        PortalFilter::Active,
        PortalFilter::Locked,
        PortalFilter::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortalFilter::None => "none",
            PortalFilter::Invited => "invited",
            PortalFilter::NeverActivated => "never_activated",
            PortalFilter::Active => "active",
            PortalFilter::Locked => "locked",
            PortalFilter::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<PortalFilter> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The SQL condition on `contacts` (the status column, the lockout time and
    /// whether a usable invitation exists).
    fn condition(self, tenant: Uuid) -> sea_query::SimpleExpr {
        let col = |c: Contacts| Expr::col((Contacts::Table, c));
        let now = Utc::now();
        let status = |s: PortalStatus| col(Contacts::PortalStatus).eq(s.as_str());
        let invitation = || {
            Expr::exists(crate::areas::portal_tokens::valid_tokens(
                tenant,
                crate::PortalTokenPurpose::Invitation,
                Expr::col((Contacts::Table, Contacts::Id)),
            ))
        };
        let unlocked = || {
            col(Contacts::PortalLockedUntil)
                .is_null()
                .or(col(Contacts::PortalLockedUntil).lte(now))
        };
        match self {
            PortalFilter::None => status(PortalStatus::None),
            PortalFilter::Invited => status(PortalStatus::Invited).and(invitation()),
            PortalFilter::NeverActivated => status(PortalStatus::Invited).and(invitation().not()),
            PortalFilter::Active => status(PortalStatus::Active).and(unlocked()),
            PortalFilter::Locked => {
                status(PortalStatus::Active).and(col(Contacts::PortalLockedUntil).gt(now))
            }
            PortalFilter::Disabled => status(PortalStatus::Disabled),
        }
    }
}

/// How a contact list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    /// By name, A to Z.
    #[default]
    Name,
    /// By name, Z to A.
    NameDesc,
    /// Most recently created first (ids are time-ordered).
    Newest,
}

/// Which contacts a list shows.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Matches names, emails, phone numbers, and the names and codes of the
    /// accounts the contact is linked to.
    pub search: Option<String>,
    pub category: Option<Uuid>,
    pub owner: Option<Uuid>,
    pub account: Option<AccountId>,
    /// Only contacts linked to an account of this kind.
    pub kind: Option<AccountKind>,
    pub opted_out: Option<bool>,
    /// Only contacts in this state of portal access.
    pub portal: Option<PortalFilter>,
    /// Archived contacts instead of current ones.
    pub archived: bool,
    pub sort: ContactSort,
}

/// The condition that a contact matches a search, tested row by row: by its
/// own names, emails and phones, or by the name or code of an account it is
/// linked to. `archived` repeats the list's own condition on the contact
/// inside the `EXISTS`: a condition on the outer row that is not an equality
/// keeps PostgreSQL from turning the `EXISTS` into a hashed set of every
/// contact linked to a matching account, which it builds before the first row
/// (130 ms for `ana` at 1,000,000 contacts, where testing the few hundred rows
/// a page walks takes a few milliseconds).
fn matches_row(tenant: Uuid, pattern: &str, archived: bool) -> SimpleExpr {
    let archived_at = Expr::col((Contacts::Table, Contacts::ArchivedAt));
    let like = || LikeExpr::new(pattern).escape('\\');
    let by_account = Query::select()
        .expr(Expr::val(1))
        .from(ContactLinks::Table)
        .inner_join(Accounts::Table, link_account())
        .and_where(Expr::col((ContactLinks::Table, ContactLinks::TenantId)).eq(tenant))
        .and_where(
            Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                .equals((Contacts::Table, Contacts::Id)),
        )
        .and_where(Expr::col((Accounts::Table, Accounts::SearchText)).like(like()))
        .and_where(if archived {
            archived_at.is_not_null()
        } else {
            archived_at.is_null()
        })
        .to_owned();
    Expr::col((Contacts::Table, Contacts::SearchText))
        .like(like())
        .or(Expr::exists(by_account))
}

impl ContactsArea<'_> {
    /// Up to `limit` contacts matching `filter`, in its order, after `after`.
    /// Everything is filtered and ordered in SQL.
    pub async fn list(
        &mut self,
        filter: &ContactFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<Vec<Contact>, DataError> {
        let select = self.list_select(filter, after, limit).await?;
        self.tx
            .conn
            .fetch_all::<ContactRow>(&select)
            .await?
            .into_iter()
            .map(Contact::try_from)
            .collect()
    }

    /// The statement [`ContactsArea::list`] runs for these arguments, in
    /// PostgreSQL's dialect with its values written in (after asking the
    /// search function, as `list` does): for `EXPLAIN` in the benchmarks.
    pub async fn list_sql(
        &mut self,
        filter: &ContactFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<String, DataError> {
        let select = self.list_select(filter, after, limit).await?;
        Ok(select.to_string(PostgresQueryBuilder))
    }

    async fn list_select(
        &mut self,
        filter: &ContactFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<SelectStatement, DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let col = |c: Contacts| Expr::col((Contacts::Table, c));
        let mut select = contact_select(tenant);
        select.and_where(if filter.archived {
            col(Contacts::ArchivedAt).is_not_null()
        } else {
            col(Contacts::ArchivedAt).is_null()
        });
        if let Some(category) = filter.category {
            select.and_where(col(Contacts::CategoryId).eq(category));
        }
        if let Some(owner) = filter.owner {
            select.and_where(col(Contacts::OwnerId).eq(owner));
        }
        if let Some(opted_out) = filter.opted_out {
            select.and_where(col(Contacts::EmailOptOut).eq(opted_out));
        }
        if let Some(portal) = filter.portal {
            select.and_where(portal.condition(tenant));
        }
        if filter.account.is_some() || filter.kind.is_some() {
            let mut linked = Query::select()
                .expr(Expr::val(1))
                .from(ContactLinks::Table)
                .and_where(Expr::col((ContactLinks::Table, ContactLinks::TenantId)).eq(tenant))
                .and_where(
                    Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                        .equals((Contacts::Table, Contacts::Id)),
                )
                .to_owned();
            if let Some(account) = filter.account {
                linked.and_where(
                    Expr::col((ContactLinks::Table, ContactLinks::AccountId)).eq(account.as_uuid()),
                );
            }
            if let Some(kind) = filter.kind {
                linked.and_where(
                    Expr::col((ContactLinks::Table, ContactLinks::AccountKind)).eq(kind.as_str()),
                );
            }
            select.and_where(Expr::exists(linked));
        }
        if let Some(pattern) = filter.search.as_deref().and_then(like_pattern) {
            let found = matches(
                &mut self.tx.conn,
                "portico_contact_matches",
                vec![pattern.clone().into()],
            )
            .await?;
            let condition = match found {
                Matches::Few(ids) => col(Contacts::Id).is_in(ids),
                // Common: the walk tests each row, against the set of
                // contacts linked to matching accounts when it is small
                // (PostgreSQL builds it once, as a hashed set).
                Matches::Many => {
                    let linked = || vec![SimpleExpr::from(pattern.clone())];
                    let function = "portico_linked_contact_matches";
                    if within(&mut self.tx.conn, function, linked(), LINKED_CAP).await? {
                        col(Contacts::SearchText)
                            .like(LikeExpr::new(&pattern).escape('\\'))
                            .or(col(Contacts::Id).in_subquery(match_set(
                                function,
                                linked(),
                                LINKED_CAP,
                            )))
                    } else {
                        matches_row(tenant, &pattern, filter.archived)
                    }
                }
            };
            select.and_where(condition);
        }
        match filter.sort {
            ContactSort::Name => {
                if let Some(after) = after {
                    select.and_where(name_after(
                        (Contacts::Table, Contacts::SortName),
                        (Contacts::Table, Contacts::Id),
                        after,
                    ));
                }
                select
                    .order_by((Contacts::Table, Contacts::SortName), Order::Asc)
                    .order_by((Contacts::Table, Contacts::Id), Order::Asc);
            }
            ContactSort::NameDesc => {
                if let Some(after) = after {
                    select.and_where(
                        Expr::tuple([col(Contacts::SortName), col(Contacts::Id)]).lt(Expr::tuple(
                            [Expr::val(after.name.clone()), Expr::val(after.id)],
                        )),
                    );
                }
                select
                    .order_by((Contacts::Table, Contacts::SortName), Order::Desc)
                    .order_by((Contacts::Table, Contacts::Id), Order::Desc);
            }
            ContactSort::Newest => {
                if let Some(after) = after {
                    select.and_where(col(Contacts::Id).lt(after.id));
                }
                select.order_by((Contacts::Table, Contacts::Id), Order::Desc);
            }
        }
        select.limit(limit);
        Ok(select)
    }
}

impl Contact {
    /// The cursor that continues a list after this contact.
    pub fn cursor(&self) -> NameCursor {
        NameCursor {
            name: portico_domain::fold(&self.display_name),
            id: self.id.as_uuid(),
        }
    }
}
