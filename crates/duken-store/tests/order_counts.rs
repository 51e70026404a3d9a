//! The orders list's total comes from day counts per seller and state (`order_counts`): it must
//! equal a plain `COUNT(*)` for every window and set of states, before and after the order jobs
//! fold the recorded changes, on both databases.

mod common;

use chrono::{DateTime, Duration, Utc};
use duken_core::order::{Action, CancellationReason, State};
use duken_store::orders::{ChangeOutcome, DateField, OrderChange, OrderScope, SellerOrderQuery};
use duken_store::{DatabaseTarget, Store, on_pool};

/// A plain count straight from `orders`, written independently of the store's query.
async fn exact(store: &Store, seller: i64, states: &[State], from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let mut n = 0;
    for s in states {
        let c: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE seller_id = $1 AND state = $2
             AND created_at >= $3 AND created_at <= $4"
        )
        .bind(seller)
        .bind(s.as_str())
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await
        .unwrap());
        n += c;
    }
    n
}

async fn listed_total(
    store: &Store,
    seller: i64,
    states: &[State],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    offset: i64,
) -> i64 {
    let q = SellerOrderQuery {
        seller_id: seller,
        states: states.to_vec(),
        statuses: vec![],
        delivery_modes: vec![],
        signature_required: None,
        code: None,
        dates: vec![(DateField::Created, Some(from), Some(to))],
        limit: 3,
        offset,
    };
    let (page, total) = store.seller_orders(&q).await.unwrap();
    assert_eq!(page.len() as i64, (total - offset).clamp(0, 3), "a page of 3 from {offset} of {total}");
    // The page itself: the newest first across every state asked for (the store merges one
    // read per state), as one plain query orders them.
    let named: Vec<&str> = if states.is_empty() {
        State::ALL.iter().filter(|s| s.visible_to_seller()).map(|s| s.as_str()).collect()
    } else {
        states.iter().filter(|s| s.visible_to_seller()).map(|s| s.as_str()).collect()
    };
    // No state a seller sees: nothing (`IN ('')` matches no order).
    let sql = format!(
        "SELECT id FROM orders WHERE seller_id = $1 AND state IN ('{}') AND created_at >= $2 AND created_at <= $3
         ORDER BY created_at DESC, id DESC LIMIT 3 OFFSET $4",
        named.join("', '")
    );
    let want: Vec<i64> = on_pool!(store.pool(), |p| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(seller)
        .bind(from)
        .bind(to)
        .bind(offset)
        .fetch_all(p)
        .await
        .unwrap());
    assert_eq!(page.iter().map(|o| o.id).collect::<Vec<_>>(), want, "states {states:?} from {offset}");
    total
}

/// Windows a tool sends (now − 14 days .. now), ones on midnights, within a day, spanning a
/// day's end, the seller's whole history, and ones whose end days are counted either way.
fn windows(now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    vec![
        (now - Duration::days(14), now),
        (now - Duration::days(14) + Duration::seconds(5), now - Duration::hours(30)),
        (midnight - Duration::days(3), midnight),
        (midnight - Duration::days(3), midnight - Duration::microseconds(1)),
        (midnight - Duration::hours(20), midnight - Duration::hours(2)),
        (midnight - Duration::hours(20), midnight + Duration::hours(2)),
        (now - Duration::days(120), now + Duration::days(1)),
        // End days counted whole less their smaller part (2 h and 1 h), and by their part.
        (midnight - Duration::days(3) + Duration::hours(2), midnight - Duration::hours(1)),
        (midnight - Duration::days(3) + Duration::hours(20), midnight - Duration::hours(20)),
    ]
}

async fn check_all(store: &Store, seller: i64, now: DateTime<Utc>, when: &str) {
    let visible: Vec<State> = State::ALL.iter().copied().filter(|s| s.visible_to_seller()).collect();
    let state_sets: Vec<Vec<State>> = vec![
        vec![State::New],
        vec![State::Archive],
        vec![State::New, State::Pickup, State::Delivery],
        vec![],
        // Every state a seller sees, named; and a state named twice is listed once.
        visible.clone(),
        vec![State::New, State::New, State::Archive],
        // Asking for orders awaiting payment shows none of them.
        vec![State::AwaitingPayment],
        vec![State::AwaitingPayment, State::New],
    ];
    for states in &state_sets {
        let mut named: Vec<State> = if states.is_empty() { visible.clone() } else { states.clone() };
        named.retain(|s| s.visible_to_seller());
        named.dedup();
        for (from, to) in windows(now) {
            let want = exact(store, seller, &named, from, to).await;
            let got = listed_total(store, seller, states, (from, to), 0).await;
            assert_eq!(got, want, "{when}: states {states:?}, {from} ..= {to}");
            let later = listed_total(store, seller, states, (from, to), 7).await;
            assert_eq!(later, want, "{when}: a later page, states {states:?}, {from} ..= {to}");
            // Paged past the end, the total still comes.
            let past = listed_total(store, seller, states, (from, to), want + 2).await;
            assert_eq!(past, want, "{when}: past the end, states {states:?}, {from} ..= {to}");
        }
    }
}

async fn exercise(store: &Store) {
    store.seed_synthetic(300, 7).await.unwrap();
    let seeded = store.seed_orders(4_000).await.unwrap();
    let seller = seeded.busiest_seller;
    // Checkouts not paid yet: every fifth of the seller's new orders, on every day of its
    // history. A seller never sees them (no list, page or total may show them), and the index
    // its lists read leaves them out.
    on_pool!(store.pool(), |p| sqlx::query(
        "UPDATE orders SET state = 'AWAITING_PAYMENT', status = 'PAYMENT_PENDING'
         WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM orders
                                      WHERE seller_id = $1 AND state = 'NEW') AS numbered
                      WHERE n % 5 = 0)"
    )
    .bind(seller)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    store.recount_order_states().await.unwrap();
    let unpaid: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE seller_id = $1 AND state = 'AWAITING_PAYMENT'"
    )
    .bind(seller)
    .fetch_one(p)
    .await
    .unwrap());
    assert!(unpaid >= 20, "the seller has unpaid orders to leave out: {unpaid}");
    let now = Utc::now();
    check_all(store, seller, now, "after the bulk load").await;

    // Move some of the seller's new orders on: accepted, cancelled; the changes are pending.
    let new: Vec<(i64, DateTime<Utc>)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT id, created_at FROM orders WHERE seller_id = $1 AND state = 'NEW' ORDER BY id LIMIT 60"
    )
    .bind(seller)
    .fetch_all(p)
    .await
    .unwrap());
    assert!(new.len() >= 40, "the load gives the busiest seller new orders: {}", new.len());
    for (i, (id, _)) in new.iter().enumerate() {
        let action = if i % 3 == 0 { Action::Cancel(CancellationReason::MerchantOutOfStock) } else { Action::Accept };
        let change = OrderChange { action, comment: "", number_of_space: None, request_id: "test" };
        let outcome = store.change_order(OrderScope::Seller(seller), *id, &change).await.unwrap();
        assert!(matches!(outcome, ChangeOutcome::Changed(_)), "order {id}: {outcome:?}");
    }
    let pending: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM order_state_count_changes"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(pending, 2 * new.len() as i64, "one change out of NEW and one into the next state, per order");
    check_all(store, seller, now, "with the changes pending").await;

    assert_eq!(store.fold_order_state_counts().await.unwrap(), 2 * new.len() as u64);
    assert_eq!(store.fold_order_state_counts().await.unwrap(), 0, "a second fold finds nothing");
    check_all(store, seller, now, "after folding").await;

    // A refused change (an archived order accepted again) records nothing.
    let (done, _) = new[0];
    let change = OrderChange { action: Action::Accept, comment: "", number_of_space: None, request_id: "test" };
    let outcome = store.change_order(OrderScope::Seller(seller), done, &change).await.unwrap();
    assert!(matches!(outcome, ChangeOutcome::Refused(_)));
    assert_eq!(store.fold_order_state_counts().await.unwrap(), 0);
}

#[tokio::test]
async fn totals_from_day_counts_equal_a_plain_count_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseTarget::SqliteFile(dir.path().join("counts.db")), 4).await.unwrap();
    store.migrate().await.unwrap();
    exercise(&store).await;
}

#[tokio::test]
async fn totals_from_day_counts_equal_a_plain_count_on_postgres() {
    common::on_fresh_postgres("duken_counts", |store| async move {
        // The list reads' connections plan their statements once (generic plans) and write nothing.
        let duken_store::Pool::Postgres(reads) = store.list_reads() else { unreachable!() };
        let mode: String = sqlx::query_scalar("SHOW plan_cache_mode").fetch_one(reads).await.unwrap();
        assert_eq!(mode, "force_generic_plan");
        let write = sqlx::query("DELETE FROM order_state_counts").execute(reads).await;
        assert!(write.unwrap_err().to_string().contains("read-only"));
        let duken_store::Pool::Postgres(main) = store.pool() else { unreachable!() };
        let mode: String = sqlx::query_scalar("SHOW plan_cache_mode").fetch_one(main).await.unwrap();
        assert_eq!(mode, "auto", "the other statements keep their custom plans");
        exercise(&store).await;
    })
    .await;
}
