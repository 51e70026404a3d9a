//! Issue 7: the server killed with SIGKILL in the middle of checkouts, then started again on
//! the same database: every order is whole or absent, the units taken from stock are exactly
//! those of the orders that hold them, and the outbox delivers every event that was committed.

use std::time::Duration;

use duken_store::{DatabaseTarget, Store};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

use crate::helpers::{rand_u64, with_database};

async fn start(args: &[String]) -> (tokio::process::Child, String) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut all = args.to_vec();
    all.extend([
        "--listen".to_owned(),
        format!("127.0.0.1:{port}"),
        "--order-jobs-interval-ms".to_owned(),
        "100".to_owned(),
    ]);
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_duken"))
        .args(&all)
        .env_remove("DATABASE_URL")
        .env_remove("DUKEN_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..600 {
        if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == StatusCode::OK) {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

async fn crash_in_the_middle_of_checkouts(target: DatabaseTarget, args: Vec<String>) {
    duken::pricelist::install_tls();
    let (mut server, base) = start(&args).await;
    let store = Store::open(&target, 4).await.unwrap();
    // An offer with 1 000 units in one store, and 300 buyers who may order.
    let (offer, seller, store_id, price): (i64, i64, i64, i64) = duken_store::on_pool!(store.pool(), |p| {
        sqlx::query_as(
        "SELECT o.id, o.seller_id, st.store_id, op.price_tiyn FROM offers o
         JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = '750000000'
         JOIN offer_stocks st ON st.offer_id = o.id JOIN stores w ON w.id = st.store_id AND w.city_kato IS NOT NULL
         JOIN products p ON p.id = o.product_id AND p.status = 'active' JOIN sellers s ON s.id = o.seller_id AND s.status = 'active'
         WHERE o.available = TRUE ORDER BY o.id LIMIT 1"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    duken_store::on_pool!(store.pool(), |p| sqlx::query(
        "UPDATE offer_stocks SET quantity = 1000 WHERE offer_id = $1 AND store_id = $2"
    )
    .bind(offer)
    .bind(store_id)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let tokens = duken::bench::make_buyers(&store, 300, "+7708").await.unwrap();

    // Checkouts (and payments) stream in; the server is killed while they do.
    let client = reqwest::Client::new();
    let mut load = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let quantity = 1 + (i % 3) as i64;
        load.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis((i as u64 % 100) * 5)).await;
            let body = json!({
                "idempotency_key": format!("k{i}"), "payment_mode": "PREPAID", "consent_to_sellers": true,
                "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store_id}},
                "lines": [{"offer_id": offer, "quantity": quantity, "price_tiyn": price}],
            });
            let Ok(reply) = client.post(format!("{base}/api/v1/checkout")).bearer_auth(&token).json(&body).send().await
            else {
                return;
            };
            let Ok(doc) = reply.json::<serde_json::Value>().await else { return };
            if let Some(payment) = doc["payment"]["id"].as_i64() {
                let _ = client
                    .post(format!("{base}/api/v1/payments/{payment}/simulate"))
                    .bearer_auth(&token)
                    .json(&json!({"outcome": "paid"}))
                    .send()
                    .await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    server.start_kill().unwrap(); // SIGKILL
    server.wait().await.unwrap();
    for task in load {
        task.await.unwrap();
    }

    let (_again, _) = start(&args).await;
    // Every order whole: lines, and a total that is their sum; every checkout has its orders.
    let broken: i64 = duken_store::on_pool!(store.pool(), |p| {
        sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o
         WHERE o.total_tiyn <> COALESCE((SELECT SUM(e.total_price_tiyn) FROM order_entries e WHERE e.order_id = o.id), 0)"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    assert_eq!(broken, 0, "an order without its lines");
    let empty_checkouts: i64 = duken_store::on_pool!(store.pool(), |p| {
        sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM checkouts c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.checkout_id = c.id)"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    assert_eq!(empty_checkouts, 0);
    let (orders, held): (i64, i64) = duken_store::on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT CAST(COUNT(DISTINCT o.id) AS BIGINT), CAST(COALESCE(SUM(e.quantity), 0) AS BIGINT)
         FROM orders o JOIN order_entries e ON e.order_id = o.id
         WHERE e.offer_id = $1 AND e.store_id = $2 AND o.status <> 'CANCELLED'"
    )
    .bind(offer)
    .bind(store_id)
    .fetch_one(p)
    .await
    .unwrap());
    let left: i64 = duken_store::on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT CAST(quantity AS BIGINT) FROM offer_stocks WHERE offer_id = $1 AND store_id = $2"
    )
    .bind(offer)
    .bind(store_id)
    .fetch_one(p)
    .await
    .unwrap());
    eprintln!("{orders} orders survived the crash, holding {held} units");
    assert_eq!(1000 - left, held, "units taken = units reserved or sold by orders");
    // Every committed event is in the outbox, and the restarted server delivers it.
    let (events, outbox): (i64, i64) = duken_store::on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM order_events WHERE action <> 'SEND_CODE'),
                (SELECT CAST(COUNT(*) AS BIGINT) FROM outbox)"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(events, outbox);
    let mut pending = -1;
    for _ in 0..200 {
        pending = duken_store::on_pool!(store.pool(), |p| sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE NOT inbox_done"
        )
        .fetch_one(p)
        .await
        .unwrap());
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(pending, 0, "the outbox is delivered after the restart");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_orders_survive_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let target = DatabaseTarget::sqlite_in(dir.path());
    let args = vec!["--data-dir".to_owned(), dir.path().to_str().unwrap().to_owned(), "--demo=true".to_owned()];
    crash_in_the_middle_of_checkouts(target, args).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_orders_survive_a_kill_9() {
    let Some(admin_url) = std::env::var("DUKEN_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipped: set DUKEN_TEST_POSTGRES_URL to run this test on PostgreSQL");
        return;
    };
    let name = format!("duken_test_{:016x}", rand_u64());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    let url = with_database(&admin_url, &name);
    let dir = tempfile::tempdir().unwrap();
    let args = vec![
        "--data-dir".to_owned(),
        dir.path().to_str().unwrap().to_owned(),
        "--database-url".to_owned(),
        url.clone(),
        "--demo=true".to_owned(),
    ];
    crash_in_the_middle_of_checkouts(DatabaseTarget::Postgres(url), args).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .execute(&mut admin)
        .await
        .unwrap();
}
