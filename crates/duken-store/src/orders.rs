//! Issue 7: carts, checkout and orders. A checkout splits a cart into one order per seller in
//! one transaction that reserves every unit it sells (never more than the stock: a
//! conditional decrement per store, on both backends), records the price the buyer saw and is
//! made once per idempotency key. Every later change of an order goes through
//! [`Store::change_order`], which applies the pure rules of `duken_core::order` to the order's
//! current position under a write lock and writes an `order_events` row beside the change.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use duken_core::order::{Action, Actor, DeliveryMode, PaymentMode, Position, State, Status};
use duken_core::{Kato, Localized, Money};
use sqlx::{FromRow, QueryBuilder};

use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// Whose cart: a signed-in person's, or a guest's (by the SHA-256 of its cookie).
#[derive(Clone, Copy, Debug)]
pub enum CartOwner<'a> {
    User(i64),
    Guest(&'a str),
}

/// Largest quantity of one offer in a cart or an order line.
pub const MAX_QUANTITY: i32 = 999;

/// One cart line as the buyer in a city sees it now.
#[derive(Clone, Debug)]
pub struct CartLine {
    pub offer_id: i64,
    pub product_id: i64,
    pub title: Localized,
    pub seller_id: i64,
    pub seller_name: String,
    pub sku: String,
    pub quantity: i32,
    /// The seller's price in the buyer's city; `None`: not sold there.
    pub price: Option<Money>,
    /// Units in the seller's stores (all of them; delivery comes from any).
    pub stock: i64,
    /// Offered and the seller active.
    pub available: bool,
}

#[derive(FromRow)]
struct CartLineRow {
    offer_id: i64,
    product_id: i64,
    title_kk: String,
    title_ru: String,
    title_en: String,
    seller_id: i64,
    seller_name: String,
    sku: String,
    quantity: i32,
    price_tiyn: Option<i64>,
    stock: i64,
    available: bool,
}

const CART_LINES: &str = "SELECT ci.offer_id, o.product_id, p.title_kk, p.title_ru, p.title_en, o.seller_id,
        s.display_name AS seller_name, o.seller_sku AS sku, ci.quantity, op.price_tiyn,
        CAST(COALESCE((SELECT SUM(st.quantity) FROM offer_stocks st WHERE st.offer_id = o.id), 0) AS BIGINT) AS stock,
        (o.available AND s.status = 'active' AND p.status = 'active') AS available
     FROM cart_items ci
     JOIN offers o ON o.id = ci.offer_id
     JOIN products p ON p.id = o.product_id
     JOIN sellers s ON s.id = o.seller_id
     LEFT JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = $2
     WHERE ci.cart_id = $1
     ORDER BY o.seller_id, ci.added_at, ci.offer_id";

impl Store {
    /// The cart's id, if it has one.
    pub async fn cart_id(&self, owner: CartOwner<'_>) -> Result<Option<i64>, StoreError> {
        let (sql, user, guest) = owner_query(owner);
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(sql).bind(user).bind(guest).fetch_optional(p).await)?)
    }

    /// Adds `quantity` units of an offer (up to [`MAX_QUANTITY`] in all), creating the cart.
    pub async fn add_to_cart(&self, owner: CartOwner<'_>, offer_id: i64, quantity: i32) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let cart = tx.ensure_cart(owner, now).await?;
        on_tx!(&mut tx, |t| sqlx::query(
            "INSERT INTO cart_items (cart_id, offer_id, quantity, added_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (cart_id, offer_id) DO UPDATE
             SET quantity = CASE WHEN cart_items.quantity + excluded.quantity > $5 THEN $5
                                 ELSE cart_items.quantity + excluded.quantity END"
        )
        .bind(cart)
        .bind(offer_id)
        .bind(quantity.clamp(1, MAX_QUANTITY))
        .bind(now)
        .bind(MAX_QUANTITY)
        .execute(t)
        .await
        .map(|_| ()))?;
        tx.commit().await
    }

    /// Sets a line's quantity; 0 removes the line.
    pub async fn set_cart_quantity(
        &self,
        owner: CartOwner<'_>,
        offer_id: i64,
        quantity: i32,
    ) -> Result<(), StoreError> {
        let Some(cart) = self.cart_id(owner).await? else { return Ok(()) };
        on_pool!(self.pool(), |p| {
            if quantity <= 0 {
                sqlx::query("DELETE FROM cart_items WHERE cart_id = $1 AND offer_id = $2")
                    .bind(cart)
                    .bind(offer_id)
                    .execute(p)
                    .await
                    .map(|_| ())
            } else {
                sqlx::query("UPDATE cart_items SET quantity = $3 WHERE cart_id = $1 AND offer_id = $2")
                    .bind(cart)
                    .bind(offer_id)
                    .bind(quantity.min(MAX_QUANTITY))
                    .execute(p)
                    .await
                    .map(|_| ())
            }
        })?;
        Ok(())
    }

    /// The cart's lines, priced for `city`, grouped by seller.
    pub async fn cart_lines(&self, owner: CartOwner<'_>, city: Kato) -> Result<Vec<CartLine>, StoreError> {
        let Some(cart) = self.cart_id(owner).await? else { return Ok(Vec::new()) };
        let rows: Vec<CartLineRow> =
            on_pool!(self.pool(), |p| sqlx::query_as(CART_LINES).bind(cart).bind(city.to_string()).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|r| CartLine {
                offer_id: r.offer_id,
                product_id: r.product_id,
                title: Localized { kk: r.title_kk, ru: r.title_ru, en: r.title_en },
                seller_id: r.seller_id,
                seller_name: r.seller_name,
                sku: r.sku,
                quantity: r.quantity,
                price: r.price_tiyn.map(Money::from_tiyn),
                stock: r.stock,
                available: r.available,
            })
            .collect())
    }

    /// Units of these offers in each store that has some: (offer, store, units). A pickup
    /// takes its units from the chosen store, so the cart offers the stores that have them.
    pub async fn stocks_by_store(&self, offer_ids: &[i64]) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        if offer_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(self.pool(), |p| {
            let mut q = QueryBuilder::new(
                "SELECT offer_id, store_id, CAST(quantity AS BIGINT) FROM offer_stocks WHERE quantity > 0 AND offer_id",
            );
            crate::push_in(&mut q, offer_ids.iter().copied());
            q.build_query_as().fetch_all(p).await
        })?)
    }

    /// A guest's cart joins the account's at sign-in: quantities add up (capped), the guest cart
    /// goes.
    pub async fn merge_guest_cart(&self, guest_key_hash: &str, user_id: i64) -> Result<(), StoreError> {
        let Some(guest) = self.cart_id(CartOwner::Guest(guest_key_hash)).await? else { return Ok(()) };
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let cart = tx.ensure_cart(CartOwner::User(user_id), now).await?;
        on_tx!(&mut tx, |t| {
            sqlx::query(
                "INSERT INTO cart_items (cart_id, offer_id, quantity, added_at)
                 SELECT $1, offer_id, quantity, added_at FROM cart_items WHERE cart_id = $2 AND TRUE
                 ON CONFLICT (cart_id, offer_id) DO UPDATE
                 SET quantity = CASE WHEN cart_items.quantity + excluded.quantity > $3 THEN $3
                                     ELSE cart_items.quantity + excluded.quantity END",
            )
            .bind(cart)
            .bind(guest)
            .bind(MAX_QUANTITY)
            .execute(&mut *t)
            .await?;
            sqlx::query("DELETE FROM carts WHERE id = $1").bind(guest).execute(&mut *t).await?;
        });
        tx.commit().await
    }
}

fn owner_query(owner: CartOwner<'_>) -> (&'static str, Option<i64>, Option<&str>) {
    let sql = "SELECT id FROM carts WHERE user_id = $1 OR guest_key_hash = $2";
    match owner {
        CartOwner::User(u) => (sql, Some(u), None),
        CartOwner::Guest(g) => (sql, None, Some(g)),
    }
}

impl Tx {
    pub(crate) async fn ensure_cart(&mut self, owner: CartOwner<'_>, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let (user, guest) = match owner {
            CartOwner::User(u) => (Some(u), None),
            CartOwner::Guest(g) => (None, Some(g)),
        };
        let conflict = if user.is_some() { "user_id" } else { "guest_key_hash" };
        // A write first (also when the cart exists), so that SQLite takes the write lock now.
        let sql = format!(
            "INSERT INTO carts (user_id, guest_key_hash, created_at, updated_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT ({conflict}) DO UPDATE SET updated_at = excluded.updated_at RETURNING id"
        );
        Ok(on_tx!(self, |t| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(user)
            .bind(guest)
            .bind(now)
            .fetch_one(t)
            .await)?)
    }
}

/// One line of a checkout as the buyer confirmed it.
#[derive(Clone, Debug)]
pub struct CheckoutLine {
    pub offer_id: i64,
    pub quantity: i32,
    /// The price the buyer was shown; a different current price stops the checkout.
    pub seen_price: Money,
}

/// How one seller's part reaches the buyer.
#[derive(Clone, Debug)]
pub struct SellerDelivery {
    pub mode: DeliveryMode,
    /// For pickup: the store.
    pub pickup_store: Option<i64>,
    pub address: String,
}

/// What the buyer's consent let the seller see (§9.1); empty when not disclosed.
#[derive(Clone, Debug, Default)]
pub struct Customer {
    pub name: String,
    pub phone: String,
}

pub struct CheckoutRequest<'a> {
    pub buyer_id: i64,
    pub idempotency_key: &'a str,
    pub city: Kato,
    pub payment: PaymentMode,
    pub credit_term: Option<i32>,
    pub lines: Vec<CheckoutLine>,
    pub delivery: BTreeMap<i64, SellerDelivery>,
    /// The buyer's name and phone: each seller gets them if the buyer's consent allows (§9.1),
    /// decided and logged in the checkout's transaction.
    pub buyer_contact: Customer,
    /// The consent that allowed the sellers to see the contact when the caller read the
    /// ledger (`consent::allowing_consent`): the disclosure then takes one statement.
    pub seller_consent: Option<i64>,
    /// How long an unpaid or unsigned order keeps its units.
    pub hold: Duration,
    pub request_id: &'a str,
}

/// Why a line cannot be bought as confirmed; the buyer sees every one before confirming again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// The offer, its seller or its card is no longer offered, or not in this city.
    Unavailable {
        offer_id: i64,
    },
    PriceChanged {
        offer_id: i64,
        seen: Money,
        now: Money,
    },
    /// Fewer units are left than asked for: in the chosen pickup store (`at_store`), or in all
    /// of the seller's stores for its delivery.
    NotEnoughStock {
        offer_id: i64,
        left: i64,
        at_store: Option<i64>,
    },
    /// The pickup store is not the seller's, or has no address in a city.
    BadPickupStore {
        seller_id: i64,
    },
    /// A line of a seller the checkout said nothing about.
    NoDelivery {
        seller_id: i64,
    },
}

impl LineProblem {
    /// The line it is about, if it is about a line.
    pub fn offer_id(&self) -> Option<i64> {
        match self {
            LineProblem::Unavailable { offer_id }
            | LineProblem::PriceChanged { offer_id, .. }
            | LineProblem::NotEnoughStock { offer_id, .. } => Some(*offer_id),
            LineProblem::BadPickupStore { .. } | LineProblem::NoDelivery { .. } => None,
        }
    }

    /// The seller's part it is about, if it is about one.
    pub fn seller_id(&self) -> Option<i64> {
        match self {
            LineProblem::BadPickupStore { seller_id } | LineProblem::NoDelivery { seller_id } => Some(*seller_id),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct PlacedOrder {
    pub id: i64,
    pub code: String,
    pub seller_id: i64,
    pub total_tiyn: i64,
}

#[derive(Clone, Debug)]
pub enum CheckoutOutcome {
    /// The orders, one per seller; `replayed` when the key had been used (nothing new made).
    Placed { checkout_id: i64, orders: Vec<PlacedOrder>, payment_id: Option<i64>, replayed: bool },
    /// Nothing was made: what changed since the buyer looked.
    Changed(Vec<LineProblem>),
}

#[derive(FromRow)]
struct OfferForSale {
    id: i64,
    seller_id: i64,
    product_id: i64,
    seller_sku: String,
    title_ru: String,
    price_tiyn: Option<i64>,
    offered: bool,
}

/// An offer with one of its seller's stores holding it (none: no stock row at all).
#[derive(FromRow)]
struct OfferStockRow {
    #[sqlx(flatten)]
    offer: OfferForSale,
    store_id: Option<i64>,
    quantity: Option<i64>,
}

impl Store {
    /// Places a checkout: one order per seller, every unit reserved, the cart lines bought
    /// removed, and a pending payment for a prepaid one, all in one transaction or none.
    /// `next_code` gives candidate order numbers (random; one in use is drawn again).
    pub async fn place_checkout(
        &self,
        req: &CheckoutRequest<'_>,
        next_code: &mut (dyn FnMut() -> String + Send),
    ) -> Result<CheckoutOutcome, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let total: i64 = req
            .lines
            .iter()
            .map(|l| l.seen_price.tiyn().saturating_mul(i64::from(l.quantity)))
            .fold(0i64, i64::saturating_add);
        // The key first: a write, so SQLite takes the write lock before anything is read, and
        // a second submit of the same key waits for the first and then finds its checkout.
        let checkout_id: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO checkouts (buyer_id, idempotency_key, city_kato, payment_mode, total_tiyn, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (buyer_id, idempotency_key) DO NOTHING RETURNING id"
        )
        .bind(req.buyer_id)
        .bind(req.idempotency_key)
        .bind(req.city.to_string())
        .bind(req.payment.as_str())
        .bind(total)
        .bind(now)
        .fetch_optional(t)
        .await)?;
        let Some(checkout_id) = checkout_id else {
            tx.rollback().await?;
            return self.replayed_checkout(req.buyer_id, req.idempotency_key).await;
        };

        // Every line checked against what is offered now; all problems at once.
        let city = req.city.to_string();
        let mut problems = Vec::new();
        let mut sale: Vec<(&CheckoutLine, OfferForSale)> = Vec::new();
        // Each seller's stores holding the offer come with it (one round trip a line): the ones
        // in the buyer's city first, then the fullest.
        let mut stocks: Vec<Vec<(i64, i64)>> = Vec::new();
        for line in &req.lines {
            let rows: Vec<OfferStockRow> = on_tx!(&mut tx, |t| sqlx::query_as(
                "SELECT o.id, o.seller_id, o.product_id, o.seller_sku, p.title_ru, op.price_tiyn,
                        (o.available AND s.status = 'active' AND p.status = 'active') AS offered,
                        w.id AS store_id, CAST(st.quantity AS BIGINT) AS quantity
                 FROM offers o JOIN sellers s ON s.id = o.seller_id JOIN products p ON p.id = o.product_id
                 LEFT JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = $2
                 LEFT JOIN offer_stocks st ON st.offer_id = o.id
                 LEFT JOIN stores w ON w.id = st.store_id AND w.seller_id = o.seller_id
                 WHERE o.id = $1
                 ORDER BY CASE WHEN w.city_kato = $2 THEN 0 ELSE 1 END, st.quantity DESC, st.store_id"
            )
            .bind(line.offer_id)
            .bind(&city)
            .fetch_all(t)
            .await)?;
            let held: Vec<(i64, i64)> = rows.iter().filter_map(|r| r.store_id.zip(r.quantity)).collect();
            let offer = rows.into_iter().next().map(|r| r.offer);
            match offer {
                Some(o) if o.offered && o.price_tiyn.is_some() => {
                    let now_price = Money::from_tiyn(o.price_tiyn.unwrap_or_default());
                    if now_price != line.seen_price {
                        problems.push(LineProblem::PriceChanged {
                            offer_id: line.offer_id,
                            seen: line.seen_price,
                            now: now_price,
                        });
                    }
                    if !req.delivery.contains_key(&o.seller_id) {
                        problems.push(LineProblem::NoDelivery { seller_id: o.seller_id });
                    }
                    sale.push((line, o));
                    stocks.push(held);
                }
                _ => problems.push(LineProblem::Unavailable { offer_id: line.offer_id }),
            }
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Ok(CheckoutOutcome::Changed(problems));
        }

        // Units reserved store by store: the decrement only happens while enough is left, so
        // two buyers of the last unit cannot both get it (row lock on PostgreSQL, the write lock
        // on SQLite).
        let mut reserved: Vec<(usize, i64)> = Vec::with_capacity(sale.len());
        for (i, (line, offer)) in sale.iter().enumerate() {
            let delivery = &req.delivery[&offer.seller_id];
            let stores = &stocks[i];
            let candidates: Vec<(i64, i64)> = match (delivery.mode, delivery.pickup_store) {
                (DeliveryMode::Pickup, Some(store)) => stores.iter().copied().filter(|(s, _)| *s == store).collect(),
                (DeliveryMode::Pickup, None) => Vec::new(),
                _ => stores.clone(),
            };
            // A pickup store not among the seller's stores holding the offer: say which it is,
            // a wrong store or one without stock (asked only then, off the common path).
            if delivery.mode == DeliveryMode::Pickup
                && candidates.is_empty()
                && !self.is_pickup_store(&mut tx, offer.seller_id, delivery.pickup_store).await?
            {
                problems.push(LineProblem::BadPickupStore { seller_id: offer.seller_id });
                continue;
            }
            let mut got = None;
            for (store, left) in &candidates {
                if *left < i64::from(line.quantity) {
                    continue;
                }
                let done = on_tx!(&mut tx, |t| {
                    sqlx::query(
                    "UPDATE offer_stocks SET quantity = quantity - $1 WHERE offer_id = $2 AND store_id = $3 AND quantity >= $1"
                )
                .bind(line.quantity)
                .bind(offer.id)
                .bind(*store)
                .execute(t)
                .await
                .map(|r| r.rows_affected())
                })?;
                if done == 1 {
                    got = Some(*store);
                    break;
                }
            }
            match got {
                Some(store) => reserved.push((i, store)),
                None => {
                    // What is left now (another checkout may have just taken what was read
                    // above): the buyer is told the current count, not the one read before.
                    let mut left = 0i64;
                    for (store, _) in &candidates {
                        let now_left: i64 = on_tx!(&mut tx, |t| {
                            sqlx::query_scalar(
                            "SELECT CAST(quantity AS BIGINT) FROM offer_stocks WHERE offer_id = $1 AND store_id = $2"
                        )
                        .bind(offer.id)
                        .bind(*store)
                        .fetch_one(t)
                        .await
                        })?;
                        left = left.max(now_left);
                    }
                    let at_store = delivery.pickup_store.filter(|_| delivery.mode == DeliveryMode::Pickup);
                    problems.push(LineProblem::NotEnoughStock { offer_id: offer.id, left, at_store });
                }
            }
        }
        if !problems.is_empty() {
            problems.dedup();
            tx.rollback().await?;
            return Ok(CheckoutOutcome::Changed(problems));
        }

        // One order per seller, lines numbered from 1.
        let mut by_seller: BTreeMap<i64, Vec<(usize, i64)>> = BTreeMap::new();
        for (i, store) in reserved {
            by_seller.entry(sale[i].1.seller_id).or_default().push((i, store));
        }
        let position = Position::placed(req.payment);
        let hold_until = now + req.hold;
        let mut orders = Vec::new();
        for (seller_id, lines) in &by_seller {
            let delivery = &req.delivery[seller_id];
            let recipient = format!("seller:{seller_id}");
            let disclosed = tx
                .disclose_under(
                    &crate::consent::Disclosure {
                        subject_user: req.buyer_id,
                        recipient: duken_core::consent::Recipient::Seller,
                        recipient_ref: &recipient,
                        fields: &["name", "phone"],
                        purpose: duken_core::consent::Purpose::OrderProcessing,
                        abroad: false,
                        request_id: req.request_id,
                    },
                    req.seller_consent,
                )
                .await?;
            let customer = match disclosed {
                crate::consent::DisclosureOutcome::Allowed { .. } => req.buyer_contact.clone(),
                crate::consent::DisclosureOutcome::Refused => Customer::default(),
            };
            let order_total: i64 = lines
                .iter()
                .map(|(i, _)| sale[*i].0.seen_price.tiyn().saturating_mul(i64::from(sale[*i].0.quantity)))
                .fold(0, i64::saturating_add);
            let actor = format!("user:{}", req.buyer_id);
            // The order's own columns, $1 to $17, in both ways of inserting it below.
            macro_rules! bind_order_columns {
                ($query:expr, $code:expr) => {
                    $query
                        .bind($code)
                        .bind(checkout_id)
                        .bind(req.buyer_id)
                        .bind(seller_id)
                        .bind(position.state.as_str())
                        .bind(position.status.as_str())
                        .bind(req.payment.as_str())
                        .bind(req.credit_term)
                        .bind(delivery.mode.as_str())
                        .bind(delivery.pickup_store.filter(|_| delivery.mode == DeliveryMode::Pickup))
                        .bind(&city)
                        .bind(&delivery.address)
                        .bind(order_total)
                        .bind(&customer.name)
                        .bind(&customer.phone)
                        .bind(now)
                        .bind(hold_until)
                };
            }
            let id = if let Tx::Postgres(t) = &mut tx {
                // PostgreSQL: the order, its lines, its event and the outbox row in one statement
                // (one round trip instead of four; a checkout was mostly round trips).
                let line_of = |k: usize| &sale[lines[k].0];
                let count = lines.len();
                let numbers: Vec<i32> = (1..=count).map(|n| i32::try_from(n).unwrap_or(i32::MAX)).collect();
                let offer_ids: Vec<i64> = (0..count).map(|k| line_of(k).1.id).collect();
                let product_ids: Vec<i64> = (0..count).map(|k| line_of(k).1.product_id).collect();
                let skus: Vec<String> = (0..count).map(|k| line_of(k).1.seller_sku.clone()).collect();
                let names: Vec<String> = (0..count).map(|k| line_of(k).1.title_ru.clone()).collect();
                let quantities: Vec<i32> = (0..count).map(|k| line_of(k).0.quantity).collect();
                let bases: Vec<i64> = (0..count).map(|k| line_of(k).0.seen_price.tiyn()).collect();
                let totals: Vec<i64> = (0..count)
                    .map(|k| line_of(k).0.seen_price.tiyn().saturating_mul(i64::from(line_of(k).0.quantity)))
                    .collect();
                let stores: Vec<i64> = lines.iter().map(|(_, store)| *store).collect();
                let payload = event_payload(&actor, "PLACE", None, position, "", now);
                loop {
                    let code = next_code();
                    let id: Option<i64> = bind_order_columns!(sqlx::query_scalar(
                        "WITH o AS (
                             INSERT INTO orders (code, checkout_id, buyer_id, seller_id, state, status, payment_mode,
                                 credit_term, delivery_mode, pickup_store_id, city_kato, delivery_address, total_tiyn,
                                 customer_name, customer_phone, created_at, updated_at, hold_until)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17)
                             ON CONFLICT (code) DO NOTHING RETURNING id),
                         e AS (
                             INSERT INTO order_entries (order_id, entry_number, offer_id, product_id, seller_sku, name,
                                 quantity, base_price_tiyn, total_price_tiyn, store_id)
                             SELECT o.id, v.n, v.offer_id, v.product_id, v.sku, v.name, v.quantity, v.base, v.total, v.store
                             FROM o, UNNEST($18::int4[], $19::int8[], $20::int8[], $21::text[], $22::text[], $23::int4[],
                                            $24::int8[], $25::int8[], $26::int8[])
                                  AS v(n, offer_id, product_id, sku, name, quantity, base, total, store)),
                         ev AS (
                             INSERT INTO order_events (order_id, actor, action, from_state, from_status, to_state,
                                 to_status, reason, request_id, created_at)
                             SELECT o.id, $27, 'PLACE', NULL, NULL, $5, $6, '', $28, $16 FROM o
                             RETURNING id, order_id),
                         ob AS (
                             INSERT INTO outbox (event_id, order_id, payload, created_at, next_attempt_at)
                             SELECT 'order-event-' || ev.id, ev.order_id, $29, $16, $16 FROM ev)
                         SELECT id FROM o",
                    ), &code)
                    .bind(&numbers)
                    .bind(&offer_ids)
                    .bind(&product_ids)
                    .bind(&skus)
                    .bind(&names)
                    .bind(&quantities)
                    .bind(&bases)
                    .bind(&totals)
                    .bind(&stores)
                    .bind(&actor)
                    .bind(req.request_id)
                    .bind(&payload)
                    .fetch_optional(&mut **t)
                    .await?;
                    if let Some(id) = id {
                        break PlacedOrder { id, code, seller_id: *seller_id, total_tiyn: order_total };
                    }
                }
            } else {
                let id = loop {
                    let code = next_code();
                    let id: Option<i64> = on_tx!(&mut tx, |t| {
                        bind_order_columns!(sqlx::query_scalar(
                        "INSERT INTO orders (code, checkout_id, buyer_id, seller_id, state, status, payment_mode, credit_term,
                             delivery_mode, pickup_store_id, city_kato, delivery_address, total_tiyn, customer_name,
                             customer_phone, created_at, updated_at, hold_until)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17)
                         ON CONFLICT (code) DO NOTHING RETURNING id"
                    ), &code)
                    .fetch_optional(t)
                    .await
                    })?;
                    if let Some(id) = id {
                        break PlacedOrder { id, code, seller_id: *seller_id, total_tiyn: order_total };
                    }
                };
                for (n, (i, store)) in lines.iter().enumerate() {
                    let (line, offer) = &sale[*i];
                    on_tx!(&mut tx, |t| {
                        sqlx::query(
                        "INSERT INTO order_entries (order_id, entry_number, offer_id, product_id, seller_sku, name, quantity,
                             base_price_tiyn, total_price_tiyn, store_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    )
                    .bind(id.id)
                    .bind(i32::try_from(n + 1).unwrap_or(i32::MAX))
                    .bind(offer.id)
                    .bind(offer.product_id)
                    .bind(&offer.seller_sku)
                    .bind(&offer.title_ru)
                    .bind(line.quantity)
                    .bind(line.seen_price.tiyn())
                    .bind(line.seen_price.tiyn().saturating_mul(i64::from(line.quantity)))
                    .bind(*store)
                    .execute(t)
                    .await
                    .map(|_| ())
                    })?;
                }
                tx.order_event(
                    id.id,
                    &format!("user:{}", req.buyer_id),
                    "PLACE",
                    None,
                    position,
                    "",
                    req.request_id,
                    now,
                )
                .await?;
                id
            };
            tx.count_state_change(*seller_id, now, None, position.state).await?;
            orders.push(id);
        }
        let prepaid = req.payment == PaymentMode::Prepaid;
        let bought: Vec<i64> = sale.iter().map(|(_, o)| o.id).collect();
        let payment_id = if let Tx::Postgres(t) = &mut tx {
            // The pending payment and the cart's bought lines in one statement.
            sqlx::query_scalar(
                "WITH bought AS (
                     DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM carts WHERE user_id = $1)
                     AND offer_id = ANY($2))
                 INSERT INTO payments (checkout_id, amount_tiyn, status, created_at)
                 SELECT $3, $4, 'pending', $5 WHERE $6 RETURNING id",
            )
            .bind(req.buyer_id)
            .bind(&bought)
            .bind(checkout_id)
            .bind(total)
            .bind(now)
            .bind(prepaid)
            .fetch_optional(&mut **t)
            .await?
        } else {
            let payment_id = if prepaid {
                Some(on_tx!(&mut tx, |t| {
                    sqlx::query_scalar(
                    "INSERT INTO payments (checkout_id, amount_tiyn, status, created_at) VALUES ($1, $2, 'pending', $3) RETURNING id"
                )
                .bind(checkout_id)
                .bind(total)
                .bind(now)
                .fetch_one(t)
                .await
                })?)
            } else {
                None
            };
            // The lines bought leave the buyer's cart.
            on_tx!(&mut tx, |t| {
                let mut q =
                    QueryBuilder::new("DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM carts WHERE user_id = ");
                q.push_bind(req.buyer_id).push(") AND offer_id IN (");
                let mut sep = q.separated(", ");
                for id in &bought {
                    sep.push_bind(*id);
                }
                q.push(")");
                q.build().execute(t).await.map(|_| ())
            })?;
            payment_id
        };
        tx.commit().await?;
        Ok(CheckoutOutcome::Placed { checkout_id, orders, payment_id, replayed: false })
    }

    async fn is_pickup_store(&self, tx: &mut Tx, seller_id: i64, store: Option<i64>) -> Result<bool, StoreError> {
        let Some(store) = store else { return Ok(false) };
        let n: i64 = on_tx!(tx, |t| sqlx::query_scalar(
            "SELECT COUNT(*) FROM stores WHERE id = $1 AND seller_id = $2 AND city_kato IS NOT NULL"
        )
        .bind(store)
        .bind(seller_id)
        .fetch_one(t)
        .await)?;
        Ok(n == 1)
    }

    async fn replayed_checkout(&self, buyer_id: i64, key: &str) -> Result<CheckoutOutcome, StoreError> {
        let checkout_id: i64 = on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM checkouts WHERE buyer_id = $1 AND idempotency_key = $2"
        )
        .bind(buyer_id)
        .bind(key)
        .fetch_one(p)
        .await)?;
        let orders: Vec<PlacedOrder> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code, seller_id, total_tiyn FROM orders WHERE checkout_id = $1 ORDER BY id"
        )
        .bind(checkout_id)
        .fetch_all(p)
        .await)?;
        let payment_id: Option<i64> =
            on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT id FROM payments WHERE checkout_id = $1")
                .bind(checkout_id)
                .fetch_optional(p)
                .await)?;
        Ok(CheckoutOutcome::Placed { checkout_id, orders, payment_id, replayed: true })
    }
}

/// What the outbox carries of an order event (the dispatcher reads it back).
fn event_payload(
    actor: &str,
    action: &str,
    from: Option<Position>,
    to: Position,
    reason: &str,
    now: DateTime<Utc>,
) -> String {
    serde_json::json!({
        "action": action,
        "actor": actor.split(':').next().unwrap_or(actor),
        "from": from.map(|p| serde_json::json!({ "state": p.state.as_str(), "status": p.status.as_str() })),
        "state": to.state.as_str(),
        "status": to.status.as_str(),
        "assembled": to.assembled,
        "reason": reason,
        "at": now.timestamp_millis(),
    })
    .to_string()
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    async fn order_event(
        &mut self,
        order_id: i64,
        actor: &str,
        action: &str,
        from: Option<Position>,
        to: Position,
        reason: &str,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let event: i64 = on_tx!(self, |t| {
            sqlx::query_scalar(
            "INSERT INTO order_events (order_id, actor, action, from_state, from_status, to_state, to_status, reason,
                 request_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        )
        .bind(order_id)
        .bind(actor)
        .bind(action)
        .bind(from.map(|p| p.state.as_str()))
        .bind(from.map(|p| p.status.as_str()))
        .bind(to.state.as_str())
        .bind(to.status.as_str())
        .bind(reason)
        .bind(request_id)
        .bind(now)
        .fetch_one(t)
        .await
        })?;
        // The outbox row, in the same transaction: committed with the change or not at all.
        let payload = event_payload(actor, action, from, to, reason, now);
        on_tx!(self, |t| sqlx::query(
            "INSERT INTO outbox (event_id, order_id, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)"
        )
        .bind(format!("order-event-{event}"))
        .bind(order_id)
        .bind(payload)
        .bind(now)
        .execute(t)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}

/// An order as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Order {
    pub id: i64,
    pub code: String,
    pub checkout_id: i64,
    pub buyer_id: i64,
    pub seller_id: i64,
    pub state: String,
    pub status: String,
    pub assembled: bool,
    pub number_of_space: Option<i32>,
    pub payment_mode: String,
    pub credit_term: Option<i32>,
    pub delivery_mode: String,
    pub pickup_store_id: Option<i64>,
    pub city_kato: String,
    pub delivery_address: String,
    pub total_tiyn: i64,
    pub delivery_cost_tiyn: i64,
    pub pre_order: bool,
    pub customer_name: String,
    pub customer_phone: String,
    pub cancellation_reason: Option<String>,
    pub cancellation_comment: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub hold_until: DateTime<Utc>,
    pub planned_delivery_at: Option<DateTime<Utc>>,
}

const ORDER_COLUMNS: &str = "id, code, checkout_id, buyer_id, seller_id, state, status, assembled, number_of_space,
     payment_mode, credit_term, delivery_mode, pickup_store_id, city_kato, delivery_address, total_tiyn,
     delivery_cost_tiyn, pre_order, customer_name, customer_phone, cancellation_reason, cancellation_comment,
     created_at, updated_at, approved_at, accepted_at, completed_at, cancelled_at, hold_until, planned_delivery_at";

impl Order {
    /// The order's position in its life cycle; `None` for values no rule knows (a corrupt row).
    pub fn position(&self) -> Option<Position> {
        Some(Position {
            state: State::parse(&self.state)?,
            status: Status::parse(&self.status)?,
            assembled: self.assembled,
        })
    }
}

/// One line of an order.
#[derive(Clone, Debug, FromRow)]
pub struct OrderEntry {
    pub id: i64,
    pub order_id: i64,
    pub entry_number: i32,
    pub offer_id: i64,
    pub product_id: i64,
    pub seller_sku: String,
    pub name: String,
    pub quantity: i32,
    pub base_price_tiyn: i64,
    pub total_price_tiyn: i64,
    pub store_id: i64,
}

const ENTRY_COLUMNS: &str = "id, order_id, entry_number, offer_id, product_id, seller_sku, name, quantity, base_price_tiyn, total_price_tiyn, store_id";

/// One transition of an order, for its timeline.
#[derive(Clone, Debug, FromRow)]
pub struct OrderEvent {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub from_status: Option<String>,
    pub to_state: String,
    pub to_status: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Who asks for a change, and which orders they may touch.
#[derive(Clone, Copy, Debug)]
pub enum OrderScope {
    Buyer(i64),
    Seller(i64),
    /// The platform's own jobs (payments, timeouts).
    Platform,
}

impl OrderScope {
    fn actor(self) -> Actor {
        match self {
            OrderScope::Buyer(_) => Actor::Buyer,
            OrderScope::Seller(_) => Actor::Seller,
            OrderScope::Platform => Actor::Platform,
        }
    }

    fn label(self) -> String {
        match self {
            OrderScope::Buyer(u) => format!("user:{u}"),
            OrderScope::Seller(s) => format!("seller:{s}"),
            OrderScope::Platform => "platform".to_owned(),
        }
    }

    fn sees(self, order: &Order) -> bool {
        match self {
            OrderScope::Buyer(u) => order.buyer_id == u,
            OrderScope::Seller(s) => {
                order.seller_id == s && State::parse(&order.state).is_some_and(State::visible_to_seller)
            }
            OrderScope::Platform => true,
        }
    }
}

/// A requested change of an order.
#[derive(Clone, Debug)]
pub struct OrderChange<'a> {
    pub action: Action,
    /// The cancellation reason's comment, or why the platform acted.
    pub comment: &'a str,
    pub number_of_space: Option<i32>,
    pub request_id: &'a str,
}

#[derive(Debug)]
pub enum ChangeOutcome {
    Changed(Box<Order>),
    /// The rules refuse it; nothing changed.
    Refused(duken_core::order::Refusal),
}

impl Store {
    /// An order the scope may see (a seller never sees one before payment or signature).
    pub async fn order(&self, scope: OrderScope, id: i64) -> Result<Order, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
        let order: Order =
            on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await)?;
        if scope.sees(&order) { Ok(order) } else { Err(StoreError::NotFound) }
    }

    /// An order by its number, for the scope.
    pub async fn order_by_code(&self, scope: OrderScope, code: &str) -> Result<Order, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE code = $1");
        let order: Order =
            on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(code).fetch_one(p).await)?;
        if scope.sees(&order) { Ok(order) } else { Err(StoreError::NotFound) }
    }

    pub async fn order_entries(&self, order_ids: &[i64]) -> Result<Vec<OrderEntry>, StoreError> {
        if order_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(self.pool(), |p| {
            let mut q = QueryBuilder::new(format!("SELECT {ENTRY_COLUMNS} FROM order_entries WHERE order_id"));
            crate::push_in(&mut q, order_ids.iter().copied());
            q.push(" ORDER BY order_id, entry_number");
            q.build_query_as().fetch_all(p).await
        })?)
    }

    pub async fn order_entry(&self, id: i64) -> Result<OrderEntry, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM order_entries WHERE id = $1");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await)?)
    }

    pub async fn order_events(&self, order_id: i64) -> Result<Vec<OrderEvent>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, actor, action, from_state, from_status, to_state, to_status, reason, created_at
             FROM order_events WHERE order_id = $1 ORDER BY id"
        )
        .bind(order_id)
        .fetch_all(p)
        .await)?)
    }

    /// A buyer's orders, newest first.
    pub async fn buyer_orders(&self, buyer_id: i64, limit: i64, offset: i64) -> Result<(Vec<Order>, i64), StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE buyer_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
        let rows = on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(buyer_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        let total: i64 =
            on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE buyer_id = $1")
                .bind(buyer_id)
                .fetch_one(p)
                .await)?;
        Ok((rows, total))
    }

    /// Applies one change to an order under a write lock: the rules of `duken_core::order`
    /// decide from the stored position; the change, its event and any released units are
    /// written together. An order outside the scope is [`StoreError::NotFound`].
    pub async fn change_order(
        &self,
        scope: OrderScope,
        order_id: i64,
        change: &OrderChange<'_>,
    ) -> Result<ChangeOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = tx.change_order(scope, order_id, change).await?;
        match outcome {
            ChangeOutcome::Changed(_) => tx.commit().await?,
            ChangeOutcome::Refused(_) => tx.rollback().await?,
        }
        Ok(outcome)
    }

    /// Unpaid and unsigned orders whose hold has run out: their ids, for the expiry job.
    pub async fn overdue_orders(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM orders WHERE state IN ('AWAITING_PAYMENT', 'SIGN_REQUIRED') AND hold_until < $1
             ORDER BY hold_until LIMIT $2"
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }
}

impl Tx {
    /// [`Store::change_order`] inside a transaction the caller commits.
    pub async fn change_order(
        &mut self,
        scope: OrderScope,
        order_id: i64,
        change: &OrderChange<'_>,
    ) -> Result<ChangeOutcome, StoreError> {
        let now = Utc::now();
        let order = self.lock_order(order_id).await?;
        if !scope.sees(&order) {
            return Err(StoreError::NotFound);
        }
        let from = order.position().ok_or_else(|| StoreError::Corrupt(format!("order {order_id} state")))?;
        let delivery = DeliveryMode::parse(&order.delivery_mode)
            .ok_or_else(|| StoreError::Corrupt(format!("order {order_id} delivery mode")))?;
        let to = match duken_core::order::apply(from, delivery, change.action, scope.actor()) {
            Ok(to) => to,
            Err(refusal) => return Ok(ChangeOutcome::Refused(refusal)),
        };
        let reason = match change.action {
            Action::Cancel(r) => Some(r.as_str()),
            Action::Expire if from.state == State::AwaitingPayment => Some("PAYMENT_NOT_RECEIVED"),
            Action::Expire => Some("TIMEOUT_BUYER_SIGNATURE"),
            _ => None,
        };
        let approved = matches!(change.action, Action::PaymentConfirmed | Action::CreditIssued);
        on_tx!(&mut *self, |t| {
            sqlx::query(
            "UPDATE orders SET state = $1, status = $2, assembled = $3, updated_at = $4,
                 number_of_space = COALESCE($5, number_of_space),
                 approved_at = CASE WHEN $6 THEN $4 ELSE approved_at END,
                 accepted_at = CASE WHEN $2 = 'ACCEPTED_BY_MERCHANT' AND accepted_at IS NULL THEN $4 ELSE accepted_at END,
                 completed_at = CASE WHEN $2 = 'COMPLETED' THEN $4 ELSE completed_at END,
                 cancelled_at = CASE WHEN $2 = 'CANCELLED' THEN $4 ELSE cancelled_at END,
                 cancellation_reason = COALESCE($7, cancellation_reason),
                 cancellation_comment = CASE WHEN $7 IS NULL THEN cancellation_comment ELSE $8 END
             WHERE id = $9"
        )
        .bind(to.state.as_str())
        .bind(to.status.as_str())
        .bind(to.assembled)
        .bind(now)
        .bind(change.number_of_space.filter(|_| matches!(change.action, Action::Assemble)))
        .bind(approved)
        .bind(reason)
        .bind(change.comment)
        .bind(order_id)
        .execute(t)
        .await
        .map(|_| ())
        })?;
        if duken_core::order::releases_stock(from, to) {
            on_tx!(&mut *self, |t| {
                sqlx::query(
                "UPDATE offer_stocks SET quantity = quantity + (SELECT SUM(e.quantity) FROM order_entries e
                     WHERE e.order_id = $1 AND e.offer_id = offer_stocks.offer_id AND e.store_id = offer_stocks.store_id)
                 WHERE EXISTS (SELECT 1 FROM order_entries e
                     WHERE e.order_id = $1 AND e.offer_id = offer_stocks.offer_id AND e.store_id = offer_stocks.store_id)"
            )
            .bind(order_id)
            .execute(t)
            .await
            .map(|_| ())
            })?;
        }
        let why = match reason {
            Some(r) if change.comment.is_empty() => r.to_owned(),
            Some(r) => format!("{r}: {}", change.comment),
            None => change.comment.to_owned(),
        };
        self.order_event(order_id, &scope.label(), change.action.name(), Some(from), to, &why, change.request_id, now)
            .await?;
        self.count_state_change(order.seller_id, order.created_at, Some(from.state), to.state).await?;
        if to.status == Status::Cancelled && order.payment_mode == PaymentMode::PayWithCredit.as_str() {
            // §3: the bank hears of it in the same transaction's queue (withdrawal, or return).
            Box::pin(self.credit_order_cancelled(order.checkout_id, order.total_tiyn, now)).await?;
        }
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
        let changed: Order =
            on_tx!(&mut *self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(order_id).fetch_one(t).await)?;
        Ok(ChangeOutcome::Changed(Box::new(changed)))
    }
}

impl Tx {
    /// The order, with its row locked until the transaction ends: a write first (PostgreSQL
    /// locks the row, SQLite takes the database's write lock), then the read.
    async fn lock_order(&mut self, order_id: i64) -> Result<Order, StoreError> {
        on_tx!(self, |t| sqlx::query("UPDATE orders SET updated_at = updated_at WHERE id = $1")
            .bind(order_id)
            .execute(t)
            .await
            .map(|_| ()))?;
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
        Ok(on_tx!(self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(order_id).fetch_one(t).await)?)
    }
}

/// A date attribute an order list may be filtered on (`filter[orders][<attr>][$ge|$le]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateField {
    Created,
    ApprovedByBank,
    PlannedDelivery,
    Accepted,
    Completed,
}

impl DateField {
    fn column(self) -> &'static str {
        match self {
            DateField::Created => "created_at",
            DateField::ApprovedByBank => "approved_at",
            DateField::PlannedDelivery => "planned_delivery_at",
            DateField::Accepted => "accepted_at",
            DateField::Completed => "completed_at",
        }
    }
}

/// A date attribute with its inclusive lower and upper bounds.
pub type DateBounds = (DateField, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Which of a seller's orders to list (the merchant API's filters and the cabinet's).
#[derive(Clone, Debug)]
pub struct SellerOrderQuery {
    pub seller_id: i64,
    /// Any of these states; empty: every state the seller may see.
    pub states: Vec<State>,
    pub statuses: Vec<Status>,
    pub delivery_modes: Vec<DeliveryMode>,
    /// `PAY_WITH_CREDIT` orders are the ones with a signature.
    pub signature_required: Option<bool>,
    pub code: Option<String>,
    /// Inclusive bounds on date attributes.
    pub dates: Vec<DateBounds>,
    pub limit: i64,
    pub offset: i64,
}

impl SellerOrderQuery {
    /// The states asked for that a seller may see, each once; without a list, every state a
    /// seller sees.
    fn visible_states(&self) -> Vec<&'static str> {
        crate::order_counts::seller_visible_states()
            .filter(|s| self.states.is_empty() || self.states.contains(s))
            .map(|s| s.as_str())
            .collect()
    }

    /// States and placement window, when those are the only filters: then the day counts
    /// ([`crate::order_counts`]) answer how many orders match.
    fn counted_by_state(&self) -> Option<(Vec<&'static str>, crate::order_counts::Window)> {
        let only_states = self.statuses.is_empty()
            && self.delivery_modes.is_empty()
            && self.signature_required.is_none()
            && self.code.is_none();
        let (from, to) = match self.dates.as_slice() {
            [] => (None, None),
            [(DateField::Created, from, to)] => (*from, *to),
            _ => return None,
        };
        let states = self.visible_states();
        (only_states && !states.is_empty()).then_some((states, (from, to)))
    }
}

impl Store {
    /// A seller's orders, newest first, and how many match in all.
    pub async fn seller_orders(&self, q: &SellerOrderQuery) -> Result<(Vec<Order>, i64), StoreError> {
        /// The query's conditions; `only_state`: one of its states instead of all of them.
        fn filters<'a, DB: sqlx::Database>(
            b: &mut QueryBuilder<DB>,
            q: &'a SellerOrderQuery,
            only_state: Option<&'static str>,
        ) where
            i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        {
            b.push(" WHERE seller_id = ").push_bind(q.seller_id);
            // Orders not paid yet are never the seller's business.
            let states = only_state.map_or_else(|| q.visible_states(), |s| vec![s]);
            crate::order_counts::push_seller_states(b, &states);
            let any_of = |b: &mut QueryBuilder<DB>, column: &str, values: Vec<&'static str>| {
                if values.is_empty() {
                    return;
                }
                b.push(" AND ").push(column);
                crate::push_in(b, values);
            };
            any_of(b, "status", q.statuses.iter().map(|s| s.as_str()).collect());
            any_of(b, "delivery_mode", q.delivery_modes.iter().map(|s| s.as_str()).collect());
            match q.signature_required {
                Some(true) => {
                    b.push(" AND payment_mode = 'PAY_WITH_CREDIT'");
                }
                Some(false) => {
                    b.push(" AND payment_mode <> 'PAY_WITH_CREDIT'");
                }
                None => {}
            }
            if let Some(code) = &q.code {
                b.push(" AND code = ").push_bind(code.clone());
            }
            for (field, from, to) in &q.dates {
                if let Some(from) = from {
                    b.push(" AND ").push(field.column()).push(" >= ").push_bind(*from);
                }
                if let Some(to) = to {
                    b.push(" AND ").push(field.column()).push(" <= ").push_bind(*to);
                }
            }
        }
        /// How many orders match in all, as an SQL expression.
        fn total<'a, DB: sqlx::Database>(b: &mut QueryBuilder<DB>, q: &'a SellerOrderQuery)
        where
            i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        {
            match q.counted_by_state() {
                Some((states, window)) => crate::order_counts::push_count_in_states(b, q.seller_id, &states, window),
                None => {
                    b.push("(SELECT COUNT(*) FROM orders");
                    filters(b, q, None);
                    b.push(")");
                }
            }
        }
        #[derive(FromRow)]
        struct OrderOnPage {
            #[sqlx(flatten)]
            order: Order,
            total: i64,
        }
        // The page and the total in one statement: one snapshot, one round trip (the total is a
        // subquery that does not depend on the row, computed once), on the list reads' pool.
        // Every state a seller sees (a list without a state filter): one read of the index by
        // seller and date, which leaves out the orders awaiting payment, so it never steps over
        // the thousands of unpaid checkouts a busy seller can have (BENCHMARKS.md, "the orders
        // list without a state filter"). Several states but not all of them: the newest of each
        // state, read from the index by seller, state and date, then merged.
        let reads = self.list_reads();
        let states = q.visible_states();
        let several_of_some = states.len() > 1 && states.len() < crate::order_counts::seller_visible_states().count();
        let page: Vec<OrderOnPage> = on_pool!(reads, |p| {
            let mut b = QueryBuilder::new(format!("SELECT {ORDER_COLUMNS}, "));
            total(&mut b, q);
            if several_of_some {
                b.push(" AS total FROM (");
                for (i, state) in states.iter().enumerate() {
                    if i > 0 {
                        b.push(" UNION ALL ");
                    }
                    b.push(format!("SELECT * FROM (SELECT {ORDER_COLUMNS} FROM orders"));
                    filters(&mut b, q, Some(state));
                    b.push(" ORDER BY created_at DESC, id DESC LIMIT ")
                        .push_bind(q.offset.saturating_add(q.limit))
                        .push(")");
                    b.push(format!(" s{i}"));
                }
                b.push(") newest");
            } else {
                b.push(" AS total FROM orders");
                filters(&mut b, q, None);
            }
            b.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(q.limit).push(" OFFSET ").push_bind(q.offset);
            b.build_query_as().fetch_all(p).await
        })?;
        let total = match page.first() {
            Some(first) => first.total,
            None if q.offset == 0 => 0,
            // Paged past the end: the total alone.
            None => on_pool!(reads, |p| {
                let mut b = QueryBuilder::new("SELECT ");
                total(&mut b, q);
                b.build_query_scalar().fetch_one(p).await
            })?,
        };
        let rows = page.into_iter().map(|r| r.order).collect();
        Ok((rows, total))
    }
}

/// A prepaid checkout's payment.
#[derive(Clone, Debug, FromRow)]
pub struct Payment {
    pub id: i64,
    pub checkout_id: i64,
    pub amount_tiyn: i64,
    /// `pending`, `paid` or `declined`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// What an acquirer's callback did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// The payment was pending and now is settled this way; its orders changed.
    Applied,
    /// This event id was seen before: nothing changed (callbacks come at least once).
    Duplicate,
    /// The payment was settled before by another event, or the amount differs: nothing changed.
    Ignored,
}

impl Store {
    pub async fn payment(&self, id: i64) -> Result<Payment, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, checkout_id, amount_tiyn, status, created_at, settled_at FROM payments WHERE id = $1"
        )
        .bind(id)
        .fetch_one(p)
        .await)?)
    }

    /// A checkout's payment, if it has one.
    pub async fn checkout_payment(&self, checkout_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT id FROM payments WHERE checkout_id = $1")
            .bind(checkout_id)
            .fetch_optional(p)
            .await)?)
    }

    /// The buyer whose checkout a payment is for.
    pub async fn payment_buyer(&self, payment_id: i64) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT c.buyer_id FROM payments y JOIN checkouts c ON c.id = y.checkout_id WHERE y.id = $1"
        )
        .bind(payment_id)
        .fetch_one(p)
        .await)?)
    }

    /// Records an acquirer's (already verified) callback once per event id. A `paid` callback
    /// for the right amount confirms every order of the checkout; `declined` cancels them and
    /// releases their units.
    pub async fn settle_payment(
        &self,
        payment_id: i64,
        event_id: &str,
        paid: bool,
        amount_tiyn: i64,
        request_id: &str,
    ) -> Result<Settlement, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let fresh: Option<String> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO payment_callbacks (event_id, payment_id, outcome, received_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
        )
        .bind(event_id)
        .bind(payment_id)
        .bind(if paid { "paid" } else { "declined" })
        .bind(now)
        .fetch_optional(t)
        .await)?;
        if fresh.is_none() {
            return Ok(Settlement::Duplicate);
        }
        let settled = on_tx!(&mut tx, |t| {
            sqlx::query(
            "UPDATE payments SET status = $1, settled_at = $2 WHERE id = $3 AND status = 'pending' AND amount_tiyn = $4"
        )
        .bind(if paid { "paid" } else { "declined" })
        .bind(now)
        .bind(payment_id)
        .bind(amount_tiyn)
        .execute(t)
        .await
        .map(|r| r.rows_affected())
        })?;
        if settled == 0 {
            // The event is remembered (a replay stays a duplicate), nothing else changes.
            tx.commit().await?;
            return Ok(Settlement::Ignored);
        }
        let orders: Vec<i64> = on_tx!(&mut tx, |t| {
            sqlx::query_scalar(
            "SELECT o.id FROM orders o JOIN payments y ON y.checkout_id = o.checkout_id WHERE y.id = $1 ORDER BY o.id"
        )
        .bind(payment_id)
        .fetch_all(t)
        .await
        })?;
        let action = if paid {
            Action::PaymentConfirmed
        } else {
            Action::Cancel(duken_core::order::CancellationReason::PaymentNotReceived)
        };
        for id in orders {
            // An order cancelled meanwhile (by the buyer, or expired) is refused and stays as
            // it is; the payment and every other order change together.
            tx.change_order(
                OrderScope::Platform,
                id,
                &OrderChange { action, comment: "", number_of_space: None, request_id },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Settlement::Applied)
    }
}

/// §10: an order's stored hand-over code (its HMAC) and how it has been tried.
#[derive(Clone, Debug, FromRow)]
pub struct StoredHandoverCode {
    pub code_hash: String,
    pub sent_at: DateTime<Utc>,
    pub wrong_tries: i32,
}

impl Store {
    /// Stores a new hand-over code for an order (replacing an older one and its tries) and
    /// queues the SMS to the buyer's phone, together.
    pub async fn issue_handover_code(
        &self,
        order_id: i64,
        code: &str,
        code_hash: &str,
        phone: &str,
        sms_body: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| {
            sqlx::query(
                "INSERT INTO handover_codes (order_id, code_hash, sent_at, wrong_tries, code_for_buyer) VALUES ($1, $2, $3, 0, $4)
                 ON CONFLICT (order_id) DO UPDATE SET code_hash = excluded.code_hash, sent_at = excluded.sent_at, wrong_tries = 0,
                     code_for_buyer = excluded.code_for_buyer",
            )
            .bind(order_id)
            .bind(code_hash)
            .bind(now)
            .bind(code)
            .execute(&mut *t)
            .await?;
            sqlx::query("INSERT INTO sms_outbox (phone, body, created_at) VALUES ($1, $2, $3)")
                .bind(phone)
                .bind(sms_body)
                .bind(now)
                .execute(&mut *t)
                .await?;
        });
        let position: (String, String, bool) =
            on_tx!(&mut tx, |t| sqlx::query_as("SELECT state, status, assembled FROM orders WHERE id = $1")
                .bind(order_id)
                .fetch_one(t)
                .await)?;
        on_tx!(&mut tx, |t| {
            sqlx::query(
            "INSERT INTO order_events (order_id, actor, action, from_state, from_status, to_state, to_status, reason, request_id, created_at)
             VALUES ($1, 'platform', 'SEND_CODE', $2, $3, $2, $3, 'hand-over code sent to the buyer', $4, $5)"
        )
        .bind(order_id)
        .bind(&position.0)
        .bind(&position.1)
        .bind(request_id)
        .bind(now)
        .execute(t)
        .await
        .map(|_| ())
        })?;
        tx.commit().await
    }

    /// The code to show the buyer on their order page, with when it was sent.
    pub async fn handover_code_for_buyer(
        &self,
        order_id: i64,
    ) -> Result<Option<(String, DateTime<Utc>, i32)>, StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT code_for_buyer, sent_at, wrong_tries FROM handover_codes WHERE order_id = $1 AND code_for_buyer IS NOT NULL"
        )
        .bind(order_id)
        .fetch_optional(p)
        .await
        })?)
    }

    pub async fn handover_code(&self, order_id: i64) -> Result<Option<StoredHandoverCode>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT code_hash, sent_at, wrong_tries FROM handover_codes WHERE order_id = $1"
        )
        .bind(order_id)
        .fetch_optional(p)
        .await)?)
    }

    /// Counts one wrong try (atomically: parallel wrong tries all count).
    pub async fn count_wrong_handover(&self, order_id: i64) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query(
            "UPDATE handover_codes SET wrong_tries = wrong_tries + 1 WHERE order_id = $1"
        )
        .bind(order_id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The phone number of a user, for messages about their orders.
    pub async fn user_phone(&self, user_id: i64) -> Result<String, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(p)
            .await)?)
    }
}

/// An outbox row waiting to be delivered, with what its recipients need.
#[derive(Clone, Debug, FromRow)]
pub struct OutboxItem {
    pub id: i64,
    pub event_id: String,
    pub order_id: i64,
    pub order_code: String,
    pub buyer_id: i64,
    pub buyer_phone: String,
    pub seller_id: i64,
    pub payload: String,
    pub inbox_done: bool,
    pub webhook_done: bool,
    pub attempts: i32,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
}

/// One in-account notification to write.
#[derive(Clone, Debug)]
pub struct NewNotification {
    /// `user:ID` or `seller:ID`.
    pub user_id: Option<i64>,
    pub seller_id: Option<i64>,
    pub kind: String,
}

/// A buyer's or a seller's notification.
#[derive(Clone, Debug, FromRow)]
pub struct Notification {
    pub id: i64,
    pub order_id: i64,
    pub order_code: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Outbox rows due now, oldest first.
    pub async fn outbox_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxItem>, StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT x.id, x.event_id, x.order_id, o.code AS order_code, o.buyer_id, u.phone AS buyer_phone, o.seller_id,
                    x.payload, x.inbox_done, x.webhook_done, x.attempts, s.webhook_url, s.webhook_secret
             FROM outbox x JOIN orders o ON o.id = x.order_id JOIN users u ON u.id = o.buyer_id
             JOIN sellers s ON s.id = o.seller_id
             WHERE NOT (x.inbox_done AND x.webhook_done) AND x.next_attempt_at <= $1
             ORDER BY x.id LIMIT $2"
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await
        })?)
    }

    /// Writes an event's notifications (once per recipient: a redelivery adds nothing) and, if
    /// the buyer's is new, its SMS; then marks the inbox part done, and the webhook part too
    /// when the seller has none. All in one transaction.
    pub async fn deliver_to_inboxes(
        &self,
        item: &OutboxItem,
        notes: &[NewNotification],
        buyer_sms: Option<&str>,
        no_webhook: bool,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        for n in notes {
            let recipient = match (n.user_id, n.seller_id) {
                (Some(u), _) => format!("user:{u}"),
                (None, Some(s)) => format!("seller:{s}"),
                (None, None) => continue,
            };
            let fresh: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
                "INSERT INTO notifications (event_id, user_id, seller_id, order_id, kind, created_at, recipient)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, recipient) DO NOTHING RETURNING id"
            )
            .bind(&item.event_id)
            .bind(n.user_id)
            .bind(n.seller_id)
            .bind(item.order_id)
            .bind(&n.kind)
            .bind(now)
            .bind(&recipient)
            .fetch_optional(t)
            .await)?;
            if let (Some(_), Some(_), Some(text)) = (fresh, n.user_id, buyer_sms) {
                on_tx!(&mut tx, |t| sqlx::query(
                    "INSERT INTO sms_outbox (phone, body, created_at) VALUES ($1, $2, $3)"
                )
                .bind(&item.buyer_phone)
                .bind(text)
                .bind(now)
                .execute(t)
                .await
                .map(|_| ()))?;
            }
        }
        // A seller without a webhook: the event is done with its inboxes (one commit, not two).
        on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE outbox SET inbox_done = TRUE, webhook_done = (webhook_done OR $2) WHERE id = $1"
        )
        .bind(item.id)
        .bind(no_webhook)
        .execute(t)
        .await
        .map(|_| ()))?;
        tx.commit().await
    }

    /// The webhook part of an outbox row: done, or failed and retried after `retry_at`.
    pub async fn webhook_outcome(
        &self,
        id: i64,
        done: bool,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query(
            "UPDATE outbox SET webhook_done = $2, attempts = attempts + CASE WHEN $2 THEN 0 ELSE 1 END,
                 last_error = $3, next_attempt_at = $4 WHERE id = $1"
        )
        .bind(id)
        .bind(done)
        .bind(error)
        .bind(retry_at)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A buyer's (`user`) or a seller's notifications, newest first.
    pub async fn notifications(
        &self,
        user_id: Option<i64>,
        seller_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT n.id, n.order_id, o.code AS order_code, n.kind, n.created_at, n.read_at
             FROM notifications n JOIN orders o ON o.id = n.order_id
             WHERE (n.user_id = $1 OR n.seller_id = $2) ORDER BY n.id DESC LIMIT $3"
        )
        .bind(user_id)
        .bind(seller_id)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    /// Sets (or with `None` removes) a seller's webhook and its signing secret.
    pub async fn set_seller_webhook(
        &self,
        seller_id: i64,
        hook: Option<(&str, &str)>,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| sqlx::query("UPDATE sellers SET webhook_url = $2, webhook_secret = $3 WHERE id = $1")
            .bind(seller_id)
            .bind(hook.map(|h| h.0))
            .bind(hook.map(|h| h.1))
            .execute(t)
            .await
            .map(|_| ()))?;
        let subject = format!("seller:{seller_id}");
        let reason = hook.map_or_else(|| "webhook removed".to_owned(), |h| format!("webhook set to {}", h.0));
        tx.audit(&crate::audit::AuditEntry {
            actor,
            action: "seller.webhook",
            subject: &subject,
            reason: &reason,
            request_id,
        })
        .await?;
        tx.commit().await
    }

    /// A seller's webhook URL and secret, if set.
    pub async fn seller_webhook(&self, seller_id: i64) -> Result<Option<(String, String)>, StoreError> {
        let row: (Option<String>, Option<String>) =
            on_pool!(self.pool(), |p| sqlx::query_as("SELECT webhook_url, webhook_secret FROM sellers WHERE id = $1")
                .bind(seller_id)
                .fetch_one(p)
                .await)?;
        Ok(match row {
            (Some(u), Some(s)) => Some((u, s)),
            _ => None,
        })
    }
}
