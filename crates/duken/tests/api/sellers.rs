//! §3, §6: becoming a seller (application, operator decision), the cabinet (stores, staff),
//! price-list uploads with their reports, and moderation of new cards. Another seller's data
//! is never readable or writable.

use reqwest::StatusCode;

use crate::accounts::Browser;
use crate::helpers::TestApp;

const OPERATOR: &str = "+77010000009";
const DEMO_OWNER: &str = "+77010000008";
const NEWCOMER: &str = "+77015550101";
const MANAGER: &str = "+77015550102";

/// A price list in the exact shape of kaspi-merchant-api.md.
pub fn pricelist(merchant: &str, offers: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<kaspi_catalog date="string" xmlns="kaspiShopping" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="kaspiShopping http://kaspi.kz/kaspishopping.xsd">
  <company>Test shop</company>
  <merchantid>{merchant}</merchantid>
  <offers>
{offers}
  </offers>
</kaspi_catalog>
"#
    )
}

pub fn offer(sku: &str, model: &str, store: &str, stock: u32, city_prices: &[(&str, &str)]) -> String {
    let prices: String = city_prices
        .iter()
        .map(|(city, price)| format!("        <cityprice cityId=\"{city}\">{price}</cityprice>\n"))
        .collect();
    format!(
        r#"    <offer sku="{sku}">
      <model>{model}</model>
      <brand>Testbrand</brand>
      <availabilities>
        <availability available="yes" storeId="{store}" stockCount="{stock}" preOrder="0"/>
      </availabilities>
      <cityprices>
{prices}      </cityprices>
    </offer>"#
    )
}

/// The form of a good application, to change one field at a time.
fn application() -> Vec<(&'static str, String)> {
    vec![
        ("country", "KZ".into()),
        ("bin", "150540001233".into()),
        ("legal_name", "ТОО «Жаңа Дүкен»".into()),
        ("display_name", "Жаңа Дүкен".into()),
        ("contact_phone", "8 701 555 01 01".into()),
        ("contact_email", "shop@example.kz".into()),
        ("store_code", "PP1".into()),
        ("store_name", "Главный склад".into()),
        ("store_city", "750000000".into()),
        ("store_address", "Алматы, пр. Абая, 10".into()),
        ("store_hours", "Пн–Сб 10:00–20:00".into()),
    ]
}

async fn post_form(b: &mut Browser<'_>, path: &str, fields: &[(&str, String)]) -> crate::helpers::Reply {
    let csrf = b.csrf();
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    b.post(path, &form).await
}

/// Applies, has the operator approve, and returns the new seller's id and the owner's browser.
pub async fn new_seller<'a>(app: &'a TestApp, phone: &str, bin: &str) -> (i64, Browser<'a>, Browser<'a>) {
    let mut owner = Browser::signed_in(app, phone).await;
    owner.get("/seller/apply").await;
    let mut form = application();
    form[1].1 = bin.into();
    form[4].1 = phone.into();
    let reply = post_form(&mut owner, "/seller/apply", &form).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let (apps, _) = app.store.seller_applications(Some("pending"), duken_core::PageRequest::first()).await.unwrap();
    let id = apps.iter().find(|a| a.bin.as_deref() == Some(bin)).unwrap().id;
    let mut operator = Browser::signed_in(app, OPERATOR).await;
    operator.get("/console/sellers").await;
    let reply = post_form(
        &mut operator,
        &format!("/console/sellers/applications/{id}/decide"),
        &[("decision", "approve".into())],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let seller_id = app.store.seller_application(id).await.unwrap().seller_id.expect("approval creates the seller");
    // Roles are read at every request: the owner's next page shows the cabinet.
    (seller_id, owner, operator)
}

crate::backend_tests! {
    async fn a_newcomer_applies_is_approved_and_runs_the_cabinet(app: TestApp) {
        let mut newcomer = Browser::signed_in(&app, NEWCOMER).await;
        let page = newcomer.get("/seller/apply?lang=en").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Become a seller") && page.body.contains("name=\"bin\""));

        // Bad input: every problem at once, in the visitor's language, the typed values kept.
        let mut bad = application();
        bad[1].1 = "150540001234".into();
        bad[5].1 = "not-an-email".into();
        bad[6].1 = "склад 1".into();
        let reply = post_form(&mut newcomer, "/seller/apply?lang=en", &bad).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        for text in ["This is not a valid BIN", "Give an e-mail address", "A store code has 1 to 32", "ТОО «Жаңа Дүкен»"] {
            assert!(reply.body.contains(text), "{text} in {}", reply.body);
        }
        let mut foreign_with_bin = application();
        foreign_with_bin[0].1 = "CN".into();
        let reply = post_form(&mut newcomer, "/seller/apply?lang=ru", &foreign_with_bin).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let (_, applications) = app.store.seller_applications(None, duken_core::PageRequest::first()).await.unwrap();
        assert_eq!(applications, 0, "bad applications store nothing");

        let reply = post_form(&mut newcomer, "/seller/apply", &application()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let again = post_form(&mut newcomer, "/seller/apply?lang=en", &application()).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "one pending application at a time");
        let page = newcomer.get("/seller/apply?lang=en").await;
        assert!(page.body.contains("waiting for a decision"), "{}", page.body);
        assert_eq!(newcomer.get("/cabinet").await.status, StatusCode::FORBIDDEN, "not a seller yet");

        // The operator sees the queue, refuses a rejection without a reason, then approves.
        let mut operator = Browser::signed_in(&app, OPERATOR).await;
        let queue = operator.get("/console/sellers?lang=en").await;
        assert!(queue.body.contains("ТОО «Жаңа Дүкен»"), "{}", queue.body);
        let (apps, _) = app.store.seller_applications(Some("pending"), duken_core::PageRequest::first()).await.unwrap();
        let id = apps[0].id;
        assert_eq!(operator.get(&format!("/console/sellers/applications/{id}")).await.status, StatusCode::OK);
        let path = format!("/console/sellers/applications/{id}/decide");
        let reply = post_form(&mut operator, &path, &[("decision", "reject".into())]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let mut buyer = Browser::signed_in(&app, "+77010000001").await;
        buyer.get("/").await;
        let reply = post_form(&mut buyer, &path, &[("decision", "approve".into())]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "a buyer cannot decide");
        let reply = post_form(&mut operator, &path, &[("decision", "approve".into()), ("reason", "documents checked".into())]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let reply = post_form(&mut operator, &path, &[("decision", "reject".into()), ("reason", "twice".into())]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "a decided application stays decided");
        let seller_id = app.store.seller_application(id).await.unwrap().seller_id.unwrap();

        // The owner's cabinet: merchant id is the BIN, the first store is there.
        let cabinet = newcomer.get("/cabinet").await;
        assert_eq!(cabinet.header("location"), format!("/cabinet/{seller_id}"));
        let cabinet = newcomer.get(&format!("/cabinet/{seller_id}?lang=en")).await;
        assert_eq!(cabinet.status, StatusCode::OK);
        assert!(cabinet.body.contains("150540001233") && cabinet.body.contains("PP1") && cabinet.body.contains("Главный склад"));

        // Stores: another one, a taken code, a bad city.
        let store = |code: &str, city: &str| {
            vec![
                ("store_code", code.to_owned()),
                ("store_name", "Пункт выдачи Астана".to_owned()),
                ("store_city", city.to_owned()),
                ("store_address", "Астана, ул. Кенесары, 1".to_owned()),
                ("store_hours", "".to_owned()),
            ]
        };
        let stores_path = format!("/cabinet/{seller_id}/stores");
        assert_eq!(post_form(&mut newcomer, &stores_path, &store("AST-1", "710000000")).await.status, StatusCode::SEE_OTHER);
        assert_eq!(post_form(&mut newcomer, &stores_path, &store("AST-1", "710000000")).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(post_form(&mut newcomer, &stores_path, &store("AST-2", "123")).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.store.seller_stores(seller_id).await.unwrap().len(), 2);

        // A manager is invited by number and accepts after signing in.
        let invite = format!("/cabinet/{seller_id}/invitations");
        assert_eq!(post_form(&mut newcomer, &invite, &[("phone", "12".into())]).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(post_form(&mut newcomer, &invite, &[("phone", MANAGER.into())]).await.status, StatusCode::SEE_OTHER);
        let mut manager = Browser::signed_in(&app, MANAGER).await;
        let page = manager.get("/seller/apply?lang=en").await;
        assert!(page.body.contains("Invitations to work for a seller"), "{}", page.body);
        let invitation = app.store.pending_invitations(Some(seller_id), None).await.unwrap()[0].id;
        // Nobody else can take the invitation.
        let reply = post_form(&mut buyer, &format!("/seller/invitations/{invitation}/accept"), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let reply = post_form(&mut manager, &format!("/seller/invitations/{invitation}/accept"), &[]).await;
        assert_eq!(reply.header("location"), format!("/cabinet/{seller_id}"));
        assert_eq!(manager.get(&format!("/cabinet/{seller_id}")).await.status, StatusCode::OK);
        // A manager may not add stores or invite.
        assert_eq!(post_form(&mut manager, &stores_path, &store("AST-3", "710000000")).await.status, StatusCode::FORBIDDEN);

        // Everything was audited.
        let (audit, _) = app.store.list_audit(None, None, duken_core::PageRequest { page: 1, per_page: 100 }).await.unwrap();
        for action in ["seller.applied", "seller.approved", "store.added", "role.granted", "seller.manager_invited"] {
            assert!(audit.iter().any(|a| a.action == action), "{action} audited");
        }
    }

    async fn a_seller_never_reads_or_writes_another_sellers_data(app: TestApp) {
        let (mine, mut owner, _) = new_seller(&app, NEWCOMER, "150540001233").await;
        let demo_seller = app.store.find_seller_by_key("alatau-tech").await.unwrap();
        let mut demo_owner = Browser::signed_in(&app, DEMO_OWNER).await;
        assert_eq!(demo_owner.get(&format!("/cabinet/{demo_seller}")).await.status, StatusCode::OK);
        for path in [format!("/cabinet/{demo_seller}"), format!("/cabinet/{demo_seller}/uploads/1"), "/cabinet/999999".into(), "/cabinet/abc".into()] {
            let reply = owner.get(&path).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        }
        let before = app.store.seller_stores(demo_seller).await.unwrap().len();
        let form = vec![
            ("store_code", "EVIL".to_owned()),
            ("store_name", "x".to_owned()),
            ("store_city", "750000000".to_owned()),
            ("store_address", "somewhere 1".to_owned()),
        ];
        assert_eq!(post_form(&mut owner, &format!("/cabinet/{demo_seller}/stores"), &form).await.status, StatusCode::NOT_FOUND);
        let csrf = owner.csrf();
        let file = pricelist("alatau-tech", &offer("AT-100129", "Hijack", "ALA-1", 1, &[("750000000", "1")]));
        let reply = owner.upload(&format!("/cabinet/{demo_seller}/pricelist"), &[("csrf", &csrf)], "p.xml", file.as_bytes()).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "another seller's offers are never writable");
        assert_eq!(app.store.seller_stores(demo_seller).await.unwrap().len(), before);
        assert!(app.store.pricelist_uploads(demo_seller, 10).await.unwrap().is_empty());
        // And the demo owner cannot see the newcomer's cabinet.
        assert_eq!(demo_owner.get(&format!("/cabinet/{mine}")).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_price_list_applies_whole_and_a_bad_one_changes_nothing(app: TestApp) {
        let (seller_id, mut owner, _) = new_seller(&app, NEWCOMER, "150540001233").await;
        let csrf = owner.csrf();
        let upload_path = format!("/cabinet/{seller_id}/pricelist");
        let offers = [
            offer("SKU-1", "Смартфон Testbrand X1 128 ГБ", "PP1", 5, &[("750000000", "149990")]),
            offer("SKU-2", "Наушники Testbrand Pods", "PP1", 0, &[("750000000", "19990"), ("511010000", "20990")]),
        ]
        .join("\n");
        let reply = owner.upload(&upload_path, &[("csrf", &csrf)], "first.xml", pricelist("150540001233", &offers).as_bytes()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let report = owner.get(&format!("{}?lang=en", reply.header("location"))).await;
        assert!(report.body.contains("All offers of the file were applied"), "{}", report.body);
        let uploads = app.store.pricelist_uploads(seller_id, 10).await.unwrap();
        assert_eq!((uploads[0].status.as_str(), uploads[0].offers_created), ("applied", 2));
        // New SKUs make cards waiting for moderation: not shown to buyers yet.
        let (cards, _) = app.store.pending_cards(duken_core::PageRequest::first()).await.unwrap();
        assert_eq!(cards.len(), 2);
        assert_eq!(app.get(&format!("/products/{}", cards[0].product_id)).await.status, StatusCode::NOT_FOUND);

        // One bad line among good ones: nothing applied, the report names the line and reason.
        let bad = [
            offer("SKU-1", "Смартфон Testbrand X1 128 ГБ", "PP1", 5, &[("750000000", "139990")]),
            offer("SKU-3", "Bad one", "NOPE", 1, &[("750000000", "-5")]),
        ]
        .join("\n");
        let text = pricelist("150540001233", &bad);
        let bad_line = text.lines().position(|l| l.contains("sku=\"SKU-3\"")).unwrap() + 1;
        let reply = owner.upload(&upload_path, &[("csrf", &csrf)], "bad.xml", text.as_bytes()).await;
        let report = owner.get(&format!("{}?lang=en", reply.header("location"))).await;
        assert!(report.body.contains("Nothing was applied"), "{}", report.body);
        assert!(report.body.contains(&format!("<td>{bad_line}</td>")), "line {bad_line} in {}", report.body);
        assert!(report.body.contains("no store of yours has this storeId") && report.body.contains("the price must be above zero"));
        let price: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT op.price_tiyn FROM offer_prices op JOIN offers o ON o.id = op.offer_id WHERE o.seller_id = $1 AND o.seller_sku = 'SKU-1'"
        ).bind(seller_id).fetch_one(p).await.unwrap());
        assert_eq!(price, 14_999_000, "the old price stays");

        // Whole-file errors: wrong namespace, a DOCTYPE with entities, not XML, truncated.
        for (name, body, reason) in [
            ("ns.xml", pricelist("x", &offers).replace("kaspiShopping\" xmlns:xsi", "kaspi\" xmlns:xsi"), "kaspiShopping"),
            ("lol.xml", format!("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>{}", pricelist("x", &offers).replace("<company>Test shop", "<company>&lol2;").split_once("?>").unwrap().1), "DOCTYPE"),
            ("png.xml", "\u{89}PNG\r\n\u{1a}\n".to_owned(), "Nothing was applied"),
            ("cut.xml", pricelist("x", &offers)[..400].to_owned(), "ends in the middle"),
        ] {
            let reply = owner.upload(&upload_path, &[("csrf", &csrf)], name, body.as_bytes()).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{name}");
            let report = owner.get(&format!("{}?lang=en", reply.header("location"))).await;
            assert!(report.body.contains("Nothing was applied") && report.body.contains(reason), "{name}: {}", report.body);
        }

        // A full upload without SKU-2 makes it unavailable; the changed price is kept in history.
        let only_one = offer("SKU-1", "Смартфон Testbrand X1 128 ГБ", "PP1", 4, &[("750000000", "139990")]);
        let reply = owner.upload(&upload_path, &[("csrf", &csrf)], "second.xml", pricelist("150540001233", &only_one).as_bytes()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let uploads = app.store.pricelist_uploads(seller_id, 1).await.unwrap();
        assert_eq!((uploads[0].offers_updated, uploads[0].offers_unavailable), (1, 1), "{:?}", uploads[0]);
        let sku1: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM offers WHERE seller_sku = 'SKU-1' AND seller_id = $1"
        ).bind(seller_id).fetch_one(p).await.unwrap());
        let history = app.store.price_history(sku1).await.unwrap();
        let prices: Vec<Option<i64>> = history.iter().map(|h| h.price_tiyn).collect();
        assert_eq!(prices, [Some(14_999_000), Some(13_999_000)], "{history:?}");
        assert_eq!(history[1].upload_id, Some(uploads[0].id));
        assert!(history[0].changed_at <= history[1].changed_at && history[0].upload_id < history[1].upload_id);
        // The history table holds the superseded price only; the current one is in offer_prices.
        let rows: Vec<Option<i64>> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT price_tiyn FROM offer_price_history WHERE offer_id = $1 ORDER BY id"
        ).bind(sku1).fetch_all(p).await.unwrap());
        assert_eq!(rows, [Some(14_999_000)]);
        assert!(!app.store.stock_history(sku1).await.unwrap().is_empty());
        // Moving the price to another city: the removal and the superseded price are history.
        let moved = offer("SKU-1", "Смартфон Testbrand X1 128 ГБ", "PP1", 4, &[("710000000", "139990")]);
        let reply = owner.upload(&upload_path, &[("csrf", &csrf)], "third.xml", pricelist("150540001233", &moved).as_bytes()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let history = app.store.price_history(sku1).await.unwrap();
        let entries: Vec<(&str, Option<i64>)> = history.iter().map(|h| (h.city_kato.as_str(), h.price_tiyn)).collect();
        assert_eq!(
            entries,
            [("750000000", Some(14_999_000)), ("750000000", Some(13_999_000)), ("750000000", None), ("710000000", Some(13_999_000))],
            "{history:?}"
        );

        // Without the CSRF token, nothing is stored.
        let reply = owner.upload(&upload_path, &[], "x.xml", pricelist("x", &offers).as_bytes()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(app.store.pricelist_uploads(seller_id, 100).await.unwrap().len(), 8);
    }

    async fn uploads_of_one_seller_at_once_apply_one_after_the_other(app: TestApp) {
        // §6: the cabinet and the scheduled fetch may start an upload at the same moment, both
        // naming a SKU the seller never had. One creates its offer and card, the other finds
        // them (it reads the seller's SKUs only once the first has committed): no error, and
        // one offer per SKU.
        let (seller_id, _, _) = new_seller(&app, NEWCOMER, "150540001233").await;
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (name, price) in [("a.xml", "149990"), ("b.xml", "139990")] {
            let offers = [
                offer("SKU-NEW", "Смартфон Testbrand X1 128 ГБ", "PP1", 5, &[("750000000", price)]),
                offer(&format!("SKU-{name}"), "Наушники Testbrand Pods", "PP1", 1, &[("750000000", "19990")]),
            ]
            .join("\n");
            let path = dir.path().join(name);
            std::fs::write(&path, pricelist("150540001233", &offers)).unwrap();
            paths.push(path);
        }
        let upload = |i: usize| duken::pricelist::Upload {
            seller_id,
            path: &paths[i],
            file_name: "both.xml",
            source: "cli",
            uploaded_by: None,
            actor: "test",
            request_id: "",
        };
        let (a, b) = tokio::join!(
            duken::pricelist::import(&app.store, upload(0)),
            duken::pricelist::import(&app.store, upload(1)),
        );
        let created: Vec<i64> = [a, b]
            .into_iter()
            .map(|outcome| match outcome.expect("neither upload fails") {
                duken::pricelist::Outcome::Applied { applied, .. } => applied.created,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(created.iter().sum::<i64>(), 3, "SKU-NEW created once: {created:?}");
        let offers: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM offers WHERE seller_id = $1 AND seller_sku = 'SKU-NEW'"
        ).bind(seller_id).fetch_one(p).await.unwrap());
        assert_eq!(offers, 1);
        // The later upload's price is the current one, the earlier one's is history.
        let uploads = app.store.pricelist_uploads(seller_id, 10).await.unwrap();
        assert_eq!(uploads.len(), 2);
        let sku: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM offers WHERE seller_id = $1 AND seller_sku = 'SKU-NEW'"
        ).bind(seller_id).fetch_one(p).await.unwrap());
        let history = app.store.price_history(sku).await.unwrap();
        assert_eq!(history.len(), 2, "{history:?}");
        assert_ne!(history[0].price_tiyn, history[1].price_tiyn);
    }

    async fn a_big_first_upload_still_finds_the_sellers_known_offers(app: TestApp) {
        // A first batch of new SKUs makes the import read the seller's SKUs once and ask the
        // database only about those in later batches: an offer the seller already had, named
        // after thousands of new ones, is still updated, not created again. The seller's
        // available offers are read with them: the one the file leaves out becomes unavailable,
        // without the seller's offers being read again at the end.
        let (seller_id, _, _) = new_seller(&app, NEWCOMER, "150540001233").await;
        let dir = tempfile::tempdir().unwrap();
        let import = |name: &str, offers: Vec<String>| {
            let path = dir.path().join(name);
            std::fs::write(&path, pricelist("150540001233", &offers.join("\n"))).unwrap();
            path
        };
        let run = |path: std::path::PathBuf| {
            let store = app.store.clone();
            async move {
                let upload = duken::pricelist::Upload {
                    seller_id,
                    path: &path,
                    file_name: "big.xml",
                    source: "cli",
                    uploaded_by: None,
                    actor: "test",
                    request_id: "",
                };
                match duken::pricelist::import(&store, upload).await.unwrap() {
                    duken::pricelist::Outcome::Applied { applied, .. } => applied,
                    other => panic!("{other:?}"),
                }
            }
        };
        let old = |price: &str| offer("SKU-OLD", "Смартфон Testbrand X1 128 ГБ", "PP1", 5, &[("750000000", price)]);
        let gone = offer("SKU-GONE", "Смартфон Testbrand X2 256 ГБ", "PP1", 2, &[("750000000", "199990")]);
        let first = run(import("first.xml", vec![old("149990"), gone])).await;
        assert_eq!(first.created, 2);
        // More new SKUs than a batch holds on either database, then the known one.
        let mut offers: Vec<String> =
            (0..2_100).map(|i| offer(&format!("SKU-{i:05}"), "Наушники Testbrand Pods", "PP1", 1, &[("750000000", "19990")])).collect();
        offers.push(old("139990"));
        let second_file = import("second.xml", offers);
        let second = run(second_file.clone()).await;
        assert_eq!((second.total, second.created, second.updated, second.unavailable), (2_101, 2_100, 1, 1));
        let available = |sku: &'static str| {
            let store = app.store.clone();
            async move {
                let on: bool = duken_store::on_pool!(store.pool(), |p| sqlx::query_scalar(
                    "SELECT available FROM offers WHERE seller_id = $1 AND seller_sku = $2"
                )
                .bind(seller_id)
                .bind(sku)
                .fetch_one(p)
                .await
                .unwrap());
                on
            }
        };
        assert!(!available("SKU-GONE").await);
        assert!(available("SKU-OLD").await && available("SKU-02099").await);
        // The same file again: every offer known, the seller's offers read at the end instead;
        // the one left out is unavailable already.
        let again = run(second_file).await;
        assert_eq!((again.total, again.created, again.updated, again.unavailable), (2_101, 0, 2_101, 0));
        let (count, price): (i64, i64) = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
            "SELECT COUNT(*) OVER (), op.price_tiyn FROM offers o JOIN offer_prices op ON op.offer_id = o.id
             WHERE o.seller_id = $1 AND o.seller_sku = 'SKU-OLD'"
        ).bind(seller_id).fetch_one(p).await.unwrap());
        assert_eq!((count, price), (1, 13_999_000));
    }

    async fn moderation_publishes_or_merges_new_cards(app: TestApp) {
        let (seller_id, mut owner, mut operator) = new_seller(&app, NEWCOMER, "150540001233").await;
        let csrf = owner.csrf();
        // The same phone as a demo card, and a new product.
        let demo_product: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM products WHERE code = 'samsung-galaxy-a55-8-256-navy'"
        ).fetch_one(p).await.unwrap());
        let offers = [
            offer("A55", "Samsung Galaxy A55 8/256 navy", "PP1", 3, &[("750000000", "150000")]),
            offer("NEW-1", "Testbrand Kettle K1", "PP1", 2, &[("750000000", "9990")]),
        ]
        .join("\n");
        owner.upload(&format!("/cabinet/{seller_id}/pricelist"), &[("csrf", &csrf)], "p.xml", pricelist("150540001233", &offers).as_bytes()).await;
        let (cards, _) = app.store.pending_cards(duken_core::PageRequest::first()).await.unwrap();
        let a55 = cards.iter().find(|c| c.sku.as_deref() == Some("A55")).unwrap().product_id;
        let kettle = cards.iter().find(|c| c.sku.as_deref() == Some("NEW-1")).unwrap().product_id;

        let page = operator.get("/console/cards?lang=en").await;
        assert!(page.body.contains("Testbrand Kettle K1"), "{}", page.body);
        let merge = post_form(&mut operator, &format!("/console/cards/{a55}"), &[("decision", "merge".into()), ("into", "999999".into())]).await;
        assert_eq!(merge.status, StatusCode::BAD_REQUEST, "merging into a card that does not exist");
        let merge = post_form(&mut operator, &format!("/console/cards/{a55}"), &[("decision", "merge".into()), ("into", demo_product.to_string())]).await;
        assert_eq!(merge.status, StatusCode::SEE_OTHER, "{}", merge.body);
        let category: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM categories WHERE code = 'kitchen-appliances'"
        ).fetch_one(p).await.unwrap());
        let publish = post_form(&mut operator, &format!("/console/cards/{kettle}"), &[("decision", "publish".into()), ("category", category.to_string())]).await;
        assert_eq!(publish.status, StatusCode::SEE_OTHER);
        let again = post_form(&mut operator, &format!("/console/cards/{kettle}"), &[("decision", "reject".into()), ("reason", "x".into())]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "a decided card is no longer waiting");

        // The merged offer is beside the other sellers' offers on the product page; the
        // published card has its own page.
        let page = app.get(&format!("/products/{demo_product}?city=750000000&lang=en")).await;
        assert!(page.body.contains("Жаңа Дүкен"), "{}", page.body);
        assert_eq!(app.get(&format!("/products/{kettle}")).await.status, StatusCode::OK);
    }
}

crate::backend_tests! {
    async fn every_kind_of_bad_offer_is_reported_and_big_files_are_refused(app: TestApp) {
        let (seller_id, mut owner, _) = new_seller(&app, NEWCOMER, "150540001233").await;
        let csrf = owner.csrf();
        let path = format!("/cabinet/{seller_id}/pricelist");
        let offers = [
            offer("OK-1", "Good", "PP1", 1, &[("750000000", "1000")]),
            offer("ZERO", "Zero price", "PP1", 1, &[("750000000", "0")]),
            offer("WORDS", "Words for a price", "PP1", 1, &[("750000000", "дорого")]),
            offer("CITY", "Unknown city", "PP1", 1, &[("999999999", "1000")]),
            offer("OK-1", "Duplicate", "PP1", 1, &[("750000000", "1000")]),
        ]
        .join("\n");
        let text = pricelist("150540001233", &offers);
        let line = |sku: &str, nth: usize| {
            text.lines().enumerate().filter(|(_, l)| l.contains(&format!("sku=\"{sku}\""))).nth(nth).unwrap().0 + 1
        };
        let reply = owner.upload(&path, &[("csrf", &csrf)], "bad.xml", text.as_bytes()).await;
        let report = owner.get(&format!("{}?lang=en", reply.header("location"))).await;
        for (sku, nth, reason) in [
            ("ZERO", 0, "the price must be above zero"),
            ("WORDS", 0, "the price is not a whole number of tenge"),
            ("CITY", 0, "unknown cityId"),
            ("OK-1", 1, "this sku appears earlier in the file"),
        ] {
            let row = format!("<tr><td>{}</td><td><code>{sku}</code></td><td>{reason}</td>", line(sku, nth));
            assert!(report.body.contains(&row), "{row} in {}", report.body);
        }
        let uploads = app.store.pricelist_uploads(seller_id, 1).await.unwrap();
        assert_eq!((uploads[0].status.as_str(), uploads[0].problem_count), ("rejected", 4));
        let offers: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM offers WHERE seller_id = $1").bind(seller_id).fetch_one(p).await.unwrap());
        assert_eq!(offers, 0, "nothing applied");

        // Over the configured size limit (8 MiB in tests): 413, nothing stored.
        let big = vec![b' '; 8 * 1024 * 1024 + 1];
        let reply = owner.upload(&path, &[("csrf", &csrf)], "big.xml", &big).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(app.store.pricelist_uploads(seller_id, 10).await.unwrap().len(), 1);
        // A form without a file.
        let reply = owner.upload(&path, &[("csrf", &csrf)], "empty.xml", b"").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);

        // The file is read once and applied as it is read: a bad offer, or a cut, after several
        // batches were already written rolls all of them back (nothing applied, one report).
        let many: Vec<String> = (0..4_500)
            .map(|i| offer(&format!("MANY-{i}"), "Many", "PP1", 1, &[("750000000", "1000")]))
            .collect();
        let late_bad = pricelist("150540001233", &format!("{}\n{}", many.join("\n"), offer("LATE", "Late", "PP1", 1, &[("750000000", "0")])));
        let late_line = late_bad.lines().position(|l| l.contains("sku=\"LATE\"")).unwrap() + 1;
        let cut = pricelist("150540001233", &many.join("\n"));
        let cut = &cut[..cut.len() - 200];
        for (name, body, expected) in [
            ("late.xml", late_bad.as_str(), format!("<tr><td>{late_line}</td><td><code>LATE</code></td>")),
            ("cut.xml", cut, "ends in the middle".to_owned()),
        ] {
            let reply = owner.upload(&path, &[("csrf", &csrf)], name, body.as_bytes()).await;
            let report = owner.get(&format!("{}?lang=en", reply.header("location"))).await;
            assert!(report.body.contains("Nothing was applied") && report.body.contains(&expected), "{name}: {}", report.body);
            let (offers, cards): (i64, i64) = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
                "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM offers WHERE seller_id = $1),
                        (SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE content_seller_id = $1)"
            ).bind(seller_id).fetch_one(p).await.unwrap());
            assert_eq!((offers, cards), (0, 0), "{name}: nothing applied");
        }
        let uploads = app.store.pricelist_uploads(seller_id, 10).await.unwrap();
        assert_eq!(uploads.iter().map(|u| u.status.as_str()).collect::<Vec<_>>(), ["rejected"; 3]);
    }

    /// The catalog's references hold on both databases (on PostgreSQL the bulk tables check
    /// them once per statement instead of through foreign keys): a row naming a missing city,
    /// store, offer, product, category or seller is refused, inserted or updated, and the rows
    /// others refer to are never deleted nor re-keyed.
    async fn references_are_checked_and_referenced_rows_are_kept(app: TestApp) {
        let pool = app.store.pool();
        let offer_id: i64 = duken_store::on_pool!(pool, |p| sqlx::query_scalar("SELECT MIN(id) FROM offers").fetch_one(p).await.unwrap());
        let refused = [
            "INSERT INTO offer_prices (offer_id, city_kato, price_tiyn) VALUES ($1, '000000000', 100)",
            "INSERT INTO offer_prices (offer_id, city_kato, price_tiyn) VALUES ($1 + 1000000, '111010000', 100)",
            "INSERT INTO offer_stocks (offer_id, store_id, quantity) VALUES ($1, 999999, 1)",
            "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, changed_at) VALUES ($1 + 1000000, '750000000', 1, CURRENT_TIMESTAMP)",
            // Consecutive ids, the last one missing (PostgreSQL counts a consecutive range at once).
            "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, changed_at)
             SELECT id, '750000000', 1, CURRENT_TIMESTAMP FROM (SELECT MAX(id) AS id FROM offers UNION ALL SELECT MAX(id) + 1 FROM offers) t WHERE $1 > 0",
            "INSERT INTO offers (seller_id, product_id, seller_sku, created_at, updated_at)
             SELECT seller_id, product_id + 1000000, 'REF-TEST', created_at, updated_at FROM offers WHERE id = $1",
            "INSERT INTO offers (seller_id, product_id, seller_sku, created_at, updated_at)
             SELECT seller_id + 1000000, product_id, 'REF-TEST', created_at, updated_at FROM offers WHERE id = $1",
            "INSERT INTO products (code, category_id, brand, title_kk, title_ru, title_en, created_at, updated_at)
             SELECT 'ref-test', category_id + 1000000, brand, title_kk, title_ru, title_en, created_at, updated_at FROM products WHERE $1 > 0 LIMIT 1",
            "UPDATE offers SET product_id = product_id + 1000000 WHERE id = $1",
            "UPDATE offer_prices SET city_kato = '000000000' WHERE offer_id = $1",
            "UPDATE products SET category_id = 1000000 + $1 WHERE id = (SELECT product_id FROM offers WHERE id = $1)",
            "DELETE FROM cities WHERE kato = (SELECT city_kato FROM offer_prices WHERE offer_id = $1 LIMIT 1)",
            "DELETE FROM offers WHERE id = $1",
            "DELETE FROM stores WHERE id = (SELECT MAX(id) FROM stores WHERE $1 > 0)",
            "UPDATE sellers SET id = id + 1000000 WHERE id = (SELECT seller_id FROM offers WHERE id = $1)",
        ];
        for sql in refused {
            let result = duken_store::on_pool!(pool, |p| sqlx::query(sqlx::AssertSqlSafe(sql)).bind(offer_id).execute(p).await.map(|_| ()));
            assert!(result.is_err(), "refused: {sql}");
        }
        // The same statements with good references pass.
        let city_rows: i64 = duken_store::on_pool!(pool, |p| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM offer_prices WHERE offer_id = $1 AND city_kato = '111010000'"
        ).bind(offer_id).fetch_one(p).await.unwrap());
        assert_eq!(city_rows, 0);
        duken_store::on_pool!(pool, |p| sqlx::query("INSERT INTO offer_prices (offer_id, city_kato, price_tiyn) VALUES ($1, '111010000', 100)")
            .bind(offer_id).execute(p).await.map(|_| ()).unwrap());
        duken_store::on_pool!(pool, |p| sqlx::query("UPDATE offer_prices SET price_tiyn = 200 WHERE offer_id = $1")
            .bind(offer_id).execute(p).await.map(|_| ()).unwrap());
        let consecutive = "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, changed_at)
             SELECT id, '750000000', 1, CURRENT_TIMESTAMP FROM offers WHERE id >= $1 AND id < $1 + 3";
        duken_store::on_pool!(pool, |p| sqlx::query(consecutive).bind(offer_id).execute(p).await.map(|_| ()).unwrap());
    }
}

crate::backend_tests! {
    async fn a_seller_edits_its_cards_content_checked_against_the_schema(app: TestApp) {
        let (seller_id, mut owner, mut operator) = new_seller(&app, NEWCOMER, "150540001233").await;
        let csrf = owner.csrf();
        let file = pricelist("150540001233", &offer("PH-1", "Phone One", "PP1", 2, &[("750000000", "99990")]));
        owner.upload(&format!("/cabinet/{seller_id}/pricelist"), &[("csrf", &csrf)], "p.xml", file.as_bytes()).await;
        let (cards, _) = app.store.pending_cards(duken_core::PageRequest::first()).await.unwrap();
        let card = cards[0].product_id;
        // The first version is the card as the price list made it, with no row of its own yet.
        let first = app.store.content_versions(card).await.unwrap();
        assert_eq!(first.iter().map(|v| (v.version, v.source.as_str(), v.seller_id)).collect::<Vec<_>>(), [(1, "pricelist", Some(seller_id))]);
        let rows: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM product_versions WHERE product_id = $1").bind(card).fetch_one(p).await.unwrap());
        assert_eq!(rows, 0);
        let smartphones: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT id FROM categories WHERE code = 'smartphones'").fetch_one(p).await.unwrap());
        operator.get("/console/cards").await;
        let ocsrf = operator.csrf();
        operator.post(&format!("/console/cards/{card}"), &[("csrf", &ocsrf), ("decision", "publish"), ("category", &smartphones.to_string())]).await;

        let list = owner.get(&format!("/cabinet/{seller_id}/offers?lang=en")).await;
        assert!(list.body.contains(&format!("/cabinet/{seller_id}/products/{card}")), "{}", list.body);
        let path = format!("/cabinet/{seller_id}/products/{card}");
        assert_eq!(owner.get(&format!("{path}?lang=en")).await.status, StatusCode::OK);
        let mut form = vec![
            ("title_kk", "Phone One смартфоны 128 ГБ".to_owned()),
            ("title_ru", "Смартфон Phone One 128 ГБ".to_owned()),
            ("title_en", "Phone One smartphone 128 GB".to_owned()),
            ("description_ru", "Хороший телефон".to_owned()),
            ("brand", "Testbrand".to_owned()),
            ("model", "One".to_owned()),
            ("a.memory_gb", "lots".to_owned()),
            ("a.color", "red".to_owned()),
            ("a.warp_drive", "yes".to_owned()),
        ];
        let reply = post_form(&mut owner, &format!("{path}?lang=en"), &form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        for text in ["give a number", "choose one of the listed values", "warp_drive: this category has no such attribute", "fill in this attribute"] {
            assert!(reply.body.contains(text), "{text} in {}", reply.body);
        }
        assert!(reply.body.contains("Phone One smartphone 128 GB"), "what was typed is kept");
        form.truncate(6);
        form.extend([
            ("a.memory_gb", "128".to_owned()),
            ("a.ram_gb", "8".to_owned()),
            ("a.color", "black".to_owned()),
            ("a.screen_in", "6,1".to_owned()),
            ("video_url", "https://video.example/one".to_owned()),
        ]);
        let reply = post_form(&mut owner, &format!("{path}?lang=en"), &form).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

        // The card shows the content, its attributes by the schema's names, and its source.
        let page = app.get(&format!("/products/{card}?lang=en")).await;
        for text in ["Phone One smartphone 128 GB", "Storage", "128 GB", "6.1 inch", "Content provided by the seller Жаңа Дүкен", "https://video.example/one"] {
            assert!(page.body.contains(text), "{text} in {}", page.body);
        }
        let versions = app.store.content_versions(card).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.source.as_str()).collect::<Vec<_>>(), ["seller", "pricelist"]);
        let content: String = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT content FROM product_versions WHERE product_id = $1 AND version = 1").bind(card).fetch_one(p).await.unwrap());
        assert_eq!(content, r#"{"brand":"Testbrand","model":"Phone One","title":{"en":"Phone One","kk":"Phone One","ru":"Phone One"}}"#);
        assert_eq!(versions[1].created_at, first[0].created_at);

        // Photos: checked by their bytes.
        let photos = format!("{path}/photos");
        let reply = owner.upload(&photos, &[("csrf", &csrf)], "photo.png", b"%PDF-1.7 not an image").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let reply = owner.upload(&photos, &[("csrf", &csrf)], "tiny.png", &duken_core::media::png_header(20, 20)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let png = duken_core::media::png_header(800, 600);
        let reply = owner.upload(&photos, &[("csrf", &csrf)], "photo.png", &png).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let page = app.get(&format!("/products/{card}")).await;
        let src = page.body.split("src=\"/media/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let image = app.get(&format!("/media/{src}")).await;
        assert_eq!((image.status, image.header("content-type").as_str()), (StatusCode::OK, "image/png"));
        for bad in ["/media/..%2F..%2Fduken.db", "/media/abc.png", &format!("/media/{}.gif", "a".repeat(64))] {
            assert_eq!(app.get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
        }

        // Another seller cannot edit this card.
        let demo_seller = app.store.find_seller_by_key("alatau-tech").await.unwrap();
        let mut demo_owner = Browser::signed_in(&app, DEMO_OWNER).await;
        assert_eq!(demo_owner.get(&format!("/cabinet/{demo_seller}/products/{card}")).await.status, StatusCode::NOT_FOUND);
        demo_owner.get("/").await;
        let dcsrf = demo_owner.csrf();
        let reply = demo_owner.post(&format!("/cabinet/{demo_seller}/products/{card}"), &[("csrf", &dcsrf), ("title_kk", "x"), ("title_ru", "x"), ("title_en", "x"), ("brand", "x")]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
}

/// A seller's web server: the price list at `/feed.xml`, nothing elsewhere.
async fn feed_server(body: String) -> String {
    let app = axum::Router::new().route("/feed.xml", axum::routing::get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

crate::backend_tests! {
    async fn a_price_list_is_fetched_from_the_sellers_url(app: TestApp) {
        let (seller_id, mut owner, _) = new_seller(&app, NEWCOMER, "150540001233").await;
        let csrf = owner.csrf();
        let base = feed_server(pricelist("150540001233", &offer("URL-1", "Fetched offer", "PP1", 2, &[("750000000", "5000")]))).await;
        let feed = format!("/cabinet/{seller_id}/feed");
        for bad in ["ftp://x/y.xml", "not a url", "https://a b"] {
            let reply = owner.post(&feed, &[("csrf", &csrf), ("url", bad), ("hours", "24")]).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        let reply = owner.post(&feed, &[("csrf", &csrf), ("url", &format!("{base}/feed.xml")), ("hours", "0")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "hours 1..168");
        let reply = owner.post(&feed, &[("csrf", &csrf), ("url", &format!("{base}/feed.xml")), ("hours", "6")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(app.store.feeds_due(chrono::Utc::now()).await.unwrap().len(), 1, "never fetched: due");
        let reply = owner.post(&format!("{feed}/fetch"), &[("csrf", &csrf)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let uploads = app.store.pricelist_uploads(seller_id, 10).await.unwrap();
        assert_eq!((uploads[0].source.as_str(), uploads[0].status.as_str(), uploads[0].offers_created), ("url", "applied", 1));
        assert!(app.store.feeds_due(chrono::Utc::now()).await.unwrap().is_empty(), "fetched: not due for 6 hours");

        // A URL that answers 404: a rejected upload that says why.
        owner.post(&feed, &[("csrf", &csrf), ("url", &format!("{base}/missing.xml")), ("hours", "6")]).await;
        let reply = owner.post(&format!("{feed}/fetch"), &[("csrf", &csrf)]).await;
        let report = owner.get(&format!("{}?lang=en", reply.header("location"))).await;
        assert!(report.body.contains("could not be fetched") && report.body.contains("HTTP 404"), "{}", report.body);
    }
}
