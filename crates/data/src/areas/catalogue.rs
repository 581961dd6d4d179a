//! The items catalogue and each customer's own prices, as an ERP pushes them
//! (batches upserted by code, the same record again changes nothing, audited
//! per record), the back office's list of items, and the catalogue a customer
//! contact browses: active items at that customer's price.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use portico_authz::PortalScope;
use portico_domain::{
    FieldErrors, Portal,
    money::{self, Dec},
    orders::{ItemFields, PriceFields},
};
use sea_query::{Expr, ExprTrait, Func, OnConflict, Order, Query, SelectStatement};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::areas::sales::{UpsertOutcome, Upserted};
use crate::tables::{Accounts, ItemPrices, Items};
use crate::{AccountId, By, DataError, TenantTx};

/// An item of the catalogue, at the price that applies to whoever reads it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Item {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub currency: String,
    /// The catalogue price, or the customer's own when reading for a customer.
    pub price: Dec,
    pub tax_rate: Dec,
    pub active: bool,
    /// Whether `price` is the customer's own.
    pub own_price: bool,
}

#[derive(sqlx::FromRow)]
struct ItemDb {
    id: Uuid,
    code: String,
    name: String,
    unit: String,
    currency: String,
    price: i64,
    tax_rate: i64,
    active: bool,
    own_price: Option<i64>,
}

impl From<ItemDb> for Item {
    fn from(r: ItemDb) -> Self {
        Item {
            id: r.id,
            code: r.code,
            name: r.name,
            unit: r.unit,
            currency: r.currency,
            price: money::from_stored(r.own_price.unwrap_or(r.price), 2),
            tax_rate: money::from_stored(r.tax_rate, 0).normalize(),
            active: r.active,
            own_price: r.own_price.is_some(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ExistingItem {
    id: Uuid,
    code: String,
    digest: String,
}

#[derive(sqlx::FromRow)]
struct CodeId {
    id: Uuid,
    code: String,
}

#[derive(sqlx::FromRow)]
struct PriceRow {
    account_id: Uuid,
    item_id: Uuid,
    price: i64,
}

fn key(code: &str) -> String {
    code.trim().to_lowercase()
}

/// A search or cursor text as the catalogue compares it: like [`key`], without
/// the control characters no code or name holds (a NUL would be refused by
/// the database; it matches nothing anyway).
fn term(raw: &str) -> String {
    key(&raw.chars().filter(|c| !c.is_control()).collect::<String>())
}

fn digest(item: &ItemFields) -> String {
    let mut hash = Sha256::new();
    hash.update(serde_json::to_vec(item).unwrap_or_default());
    hex::encode(hash.finalize())
}

fn problem(errors: &mut FieldErrors, n: usize, field: &'static str, message: &'static str) {
    let mut one = FieldErrors::default();
    one.add(field, message);
    errors.nest(&format!("records[{n}]"), one);
}

/// The tenant's items and its customers' prices.
pub struct CatalogueArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl CatalogueArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    /// The select of items, with `account`'s own price beside each when given.
    fn select(&self, account: Option<Uuid>) -> SelectStatement {
        let mut select = Query::select()
            .columns(
                [
                    Items::Id,
                    Items::Code,
                    Items::Name,
                    Items::Unit,
                    Items::Currency,
                    Items::Price,
                    Items::TaxRate,
                    Items::Active,
                ]
                .map(|c| (Items::Table, c)),
            )
            .from(Items::Table)
            .and_where(Expr::col((Items::Table, Items::TenantId)).eq(self.tenant()))
            .to_owned();
        match account {
            Some(account) => {
                select
                    .expr_as(
                        Expr::col((ItemPrices::Table, ItemPrices::Price)),
                        "own_price",
                    )
                    .left_join(
                        ItemPrices::Table,
                        Expr::col((ItemPrices::Table, ItemPrices::TenantId))
                            .equals((Items::Table, Items::TenantId))
                            .and(
                                Expr::col((ItemPrices::Table, ItemPrices::ItemId))
                                    .equals((Items::Table, Items::Id)),
                            )
                            .and(Expr::col((ItemPrices::Table, ItemPrices::AccountId)).eq(account)),
                    );
            }
            None => {
                select.expr_as(Expr::cust("CAST(NULL AS BIGINT)"), "own_price");
            }
        }
        select
    }

    /// One page of items by code after the code `after`; `q` keeps those
    /// whose code starts with it or whose name holds it; `active_only` the
    /// ones on sale; `account` reads that customer's prices.
    async fn page(
        &mut self,
        account: Option<Uuid>,
        q: Option<&str>,
        after: Option<&str>,
        active_only: bool,
        limit: u64,
    ) -> Result<Vec<Item>, DataError> {
        let code = || Expr::expr(Func::lower(Expr::col((Items::Table, Items::Code))));
        let mut select = self.select(account);
        select.order_by_expr(code(), Order::Asc).limit(limit);
        if active_only {
            select.and_where(Expr::col((Items::Table, Items::Active)).eq(true));
        }
        if let Some(after) = after {
            select.and_where(code().gt(term(after)));
        }
        if let Some(q) = q.map(term).filter(|q| !q.is_empty()) {
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            select.and_where(
                code()
                    .like(sea_query::LikeExpr::new(format!("{escaped}%")).escape('\\'))
                    .or(
                        Expr::expr(Func::lower(Expr::col((Items::Table, Items::Name))))
                            .like(sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
                    ),
            );
        }
        let rows: Vec<ItemDb> = self.tx.conn.fetch_all(&select).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The back office's items, active or not, by code.
    pub async fn items(
        &mut self,
        q: Option<&str>,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Item>, DataError> {
        self.page(None, q, after, false, limit).await
    }

    /// What a customer contact may order: the active items, at its customer's prices.
    pub async fn for_customer(
        &mut self,
        scope: &PortalScope,
        q: Option<&str>,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Item>, DataError> {
        if scope.tenant() != self.tx.tenant_id() || scope.portal() != Portal::Customer {
            return Ok(Vec::new());
        }
        self.page(Some(scope.account().as_uuid()), q, after, true, limit)
            .await
    }

    /// The active items among `ids` at `account`'s prices, by id: what a
    /// quote or order of that customer may hold.
    pub async fn priced_for(
        &mut self,
        account: AccountId,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Item>, DataError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut select = self.select(Some(account.as_uuid()));
        select
            .and_where(Expr::col((Items::Table, Items::Active)).eq(true))
            .and_where(Expr::col((Items::Table, Items::Id)).is_in(ids.iter().copied()));
        let rows: Vec<ItemDb> = self.tx.conn.fetch_all(&select).await?;
        Ok(rows.into_iter().map(|r| (r.id, Item::from(r))).collect())
    }

    /// The ids of the items with `codes` (matched as upserts match them,
    /// ignoring case), keyed by the lowercased code; codes of no item are
    /// absent.
    pub async fn ids_by_code(
        &mut self,
        codes: &[String],
    ) -> Result<HashMap<String, Uuid>, DataError> {
        if codes.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .columns([Items::Code])
            .column(Items::Id)
            .from(Items::Table)
            .and_where(Expr::col(Items::TenantId).eq(self.tenant()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Items::Code)))
                    .is_in(codes.iter().map(|c| Expr::val(key(c)))),
            )
            .to_owned();
        let found: Vec<(String, Uuid)> = self.tx.conn.fetch_all(&select).await?;
        Ok(found
            .into_iter()
            .map(|(code, id)| (key(&code), id))
            .collect())
    }

    /// Upserts a batch of items by code: new ones created, changed ones
    /// replaced, unchanged ones left alone. Nothing is written when any record
    /// has a problem (each returned under `records[n]`).
    pub async fn upsert_items(
        &mut self,
        records: &[ItemFields],
        by: By<'_>,
    ) -> Result<Vec<UpsertOutcome>, DataError> {
        let mut errors = FieldErrors::default();
        let mut codes = HashSet::new();
        for (n, r) in records.iter().enumerate() {
            if !codes.insert(key(&r.code)) {
                problem(&mut errors, n, "code", "field-repeated");
            }
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let select = Query::select()
            .columns([Items::Id, Items::Code, Items::Digest])
            .from(Items::Table)
            .and_where(Expr::col(Items::TenantId).eq(self.tenant()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Items::Code)))
                    .is_in(codes.iter().map(|c| Expr::val(c.clone()))),
            )
            .to_owned();
        let existing: HashMap<String, ExistingItem> = self
            .tx
            .conn
            .fetch_all::<ExistingItem>(&select)
            .await?
            .into_iter()
            .map(|r| (key(&r.code), r))
            .collect();
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(records.len());
        for r in records {
            let digest = digest(r);
            let old = existing.get(&key(&r.code));
            let (id, outcome) = match old {
                Some(old) if old.digest == digest => (old.id, Upserted::Unchanged),
                Some(old) => (old.id, Upserted::Updated),
                None => (Uuid::now_v7(), Upserted::Created),
            };
            outcomes.push(UpsertOutcome {
                external_ref: r.code.clone(),
                id,
                outcome,
            });
            let values: [(Items, sea_query::Value); 8] = [
                (Items::Code, r.code.clone().into()),
                (Items::Name, r.name.clone().into()),
                (Items::Unit, r.unit.clone().into()),
                (Items::Currency, r.currency.clone().into()),
                (Items::Price, money::to_stored(r.price).into()),
                (Items::TaxRate, money::to_stored(r.tax_rate).into()),
                (Items::Active, r.active.into()),
                (Items::Digest, digest.into()),
            ];
            match outcome {
                Upserted::Unchanged => continue,
                Upserted::Created => {
                    let (mut columns, mut row): (Vec<Items>, Vec<Expr>) =
                        values.into_iter().map(|(c, v)| (c, Expr::val(v))).unzip();
                    columns.extend([
                        Items::TenantId,
                        Items::Id,
                        Items::CreatedAt,
                        Items::UpdatedAt,
                    ]);
                    row.extend([
                        Expr::val(self.tenant()),
                        Expr::val(id),
                        Expr::val(now),
                        Expr::val(now),
                    ]);
                    let insert = Query::insert()
                        .into_table(Items::Table)
                        .columns(columns)
                        .values_panic(row)
                        .to_owned();
                    self.tx.conn.execute(&insert).await?;
                }
                Upserted::Updated => {
                    let update = Query::update()
                        .table(Items::Table)
                        .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
                        .value(Items::UpdatedAt, now)
                        .and_where(Expr::col(Items::TenantId).eq(self.tenant()))
                        .and_where(Expr::col(Items::Id).eq(id))
                        .to_owned();
                    self.tx.conn.execute(&update).await?;
                }
            }
            let action = if outcome == Upserted::Created {
                "item.create"
            } else {
                "item.update"
            };
            self.tx
                .audit()
                .log(by, action, ("item", id), None, json!({ "after": r }))
                .await?;
        }
        Ok(outcomes)
    }

    /// Upserts a batch of customer prices, each named by the customer's and
    /// the item's codes. Nothing is written when any record has a problem.
    pub async fn upsert_prices(
        &mut self,
        records: &[PriceFields],
        by: By<'_>,
    ) -> Result<Vec<Upserted>, DataError> {
        let mut errors = FieldErrors::default();
        let customers: HashSet<String> = records.iter().map(|r| key(&r.customer)).collect();
        let items: HashSet<String> = records.iter().map(|r| key(&r.item)).collect();
        let select = Query::select()
            .columns([Accounts::Id, Accounts::Code])
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Accounts::Kind).eq("customer"))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Accounts::Code)))
                    .is_in(customers.iter().map(|c| Expr::val(c.clone()))),
            )
            .to_owned();
        let accounts: HashMap<String, Uuid> = self
            .tx
            .conn
            .fetch_all::<CodeId>(&select)
            .await?
            .into_iter()
            .map(|r| (key(&r.code), r.id))
            .collect();
        let select = Query::select()
            .columns([Items::Id, Items::Code])
            .from(Items::Table)
            .and_where(Expr::col(Items::TenantId).eq(self.tenant()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(Items::Code)))
                    .is_in(items.iter().map(|c| Expr::val(c.clone()))),
            )
            .to_owned();
        let item_ids: HashMap<String, Uuid> = self
            .tx
            .conn
            .fetch_all::<CodeId>(&select)
            .await?
            .into_iter()
            .map(|r| (key(&r.code), r.id))
            .collect();
        let mut pairs = HashSet::new();
        let mut plans = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let account = accounts.get(&key(&r.customer)).copied();
            let item = item_ids.get(&key(&r.item)).copied();
            if account.is_none() {
                problem(&mut errors, n, "customer", "sales-customer-unknown");
            }
            if item.is_none() {
                problem(&mut errors, n, "item", "orders-item-unknown");
            }
            if !pairs.insert((key(&r.customer), key(&r.item))) {
                problem(&mut errors, n, "item", "field-repeated");
            }
            plans.push((account.unwrap_or_default(), item.unwrap_or_default()));
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let select = Query::select()
            .columns([ItemPrices::AccountId, ItemPrices::ItemId, ItemPrices::Price])
            .from(ItemPrices::Table)
            .and_where(Expr::col(ItemPrices::TenantId).eq(self.tenant()))
            .and_where(Expr::col(ItemPrices::AccountId).is_in(accounts.values().copied()))
            .and_where(Expr::col(ItemPrices::ItemId).is_in(item_ids.values().copied()))
            .to_owned();
        let current: HashMap<(Uuid, Uuid), i64> = self
            .tx
            .conn
            .fetch_all::<PriceRow>(&select)
            .await?
            .into_iter()
            .map(|r| ((r.account_id, r.item_id), r.price))
            .collect();
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(records.len());
        for (r, (account, item)) in records.iter().zip(plans) {
            let stored = money::to_stored(r.price);
            let outcome = match current.get(&(account, item)) {
                Some(old) if *old == stored => Upserted::Unchanged,
                Some(_) => Upserted::Updated,
                None => Upserted::Created,
            };
            outcomes.push(outcome);
            if outcome == Upserted::Unchanged {
                continue;
            }
            let insert = Query::insert()
                .into_table(ItemPrices::Table)
                .columns([
                    ItemPrices::TenantId,
                    ItemPrices::AccountId,
                    ItemPrices::ItemId,
                    ItemPrices::Price,
                    ItemPrices::UpdatedAt,
                ])
                .values_panic([
                    self.tenant().into(),
                    account.into(),
                    item.into(),
                    stored.into(),
                    now.into(),
                ])
                .on_conflict(
                    OnConflict::columns([
                        ItemPrices::TenantId,
                        ItemPrices::AccountId,
                        ItemPrices::ItemId,
                    ])
                    .update_columns([ItemPrices::Price, ItemPrices::UpdatedAt])
                    .to_owned(),
                )
                .to_owned();
            self.tx.conn.execute(&insert).await?;
            self.tx
                .audit()
                .log(
                    by,
                    "item.price",
                    ("item", item),
                    Some(account),
                    json!({ "customer": r.customer, "price": r.price }),
                )
                .await?;
        }
        Ok(outcomes)
    }
}
