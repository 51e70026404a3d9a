//! The storefront pages as a visitor sees them: content from the database, three
//! languages, the city switch, the §4 notice, and every link leading somewhere.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;

use crate::helpers::TestApp;

/// Links (`href="/…"`) in a page, unescaped.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/'))
        .map(|href| href.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

/// The first product with offers from at least two sellers with different prices in
/// Almaty and Astana, as (id, title in ru).
async fn product_with_city_prices(app: &TestApp) -> (i64, String) {
    let (_, list) = app.get_json("/api/v1/products?per_page=100").await;
    for p in list["data"].as_array().unwrap() {
        let id = p["id"].as_i64().unwrap();
        let (_, almaty) = app.get_json(&format!("/api/v1/products/{id}?city=750000000")).await;
        let (_, astana) = app.get_json(&format!("/api/v1/products/{id}?city=710000000")).await;
        let a = almaty["offers"].as_array().unwrap();
        let b = astana["offers"].as_array().unwrap();
        if a.len() >= 2 && !b.is_empty() && a[0]["price"]["tiyn"] != b[0]["price"]["tiyn"] {
            return (id, p["title"]["ru"].as_str().unwrap().to_owned());
        }
    }
    panic!("the demo data has no product with different prices in Almaty and Astana");
}

crate::backend_tests! {
    async fn home_shows_categories_and_products_from_the_database(app: TestApp) {
        let reply = app.get("/").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("<html lang=\"ru\">"));
        let categories = app.store.list_categories().await.unwrap();
        let root = categories.iter().find(|c| c.parent_id.is_none()).unwrap();
        assert!(reply.body.contains(&root.name.ru), "home lists the category {}", root.name.ru);
        let (_, products) = app.get_json("/api/v1/products?per_page=12").await;
        let newest = products["data"][0]["title"]["ru"].as_str().unwrap();
        assert!(reply.body.contains(&newest.replace('"', "&#34;")), "home lists the newest product {newest}");
        assert!(reply.body.contains("₸"));
    }

    async fn pages_speak_kazakh_russian_and_english(app: TestApp) {
        let product = app.store.find_product(1).await.unwrap();
        for (lang, title, marker) in [
            ("kk", &product.title.kk, "Санаттар"),
            ("ru", &product.title.ru, "Категории"),
            ("en", &product.title.en, "Categories"),
        ] {
            let reply = app.get(&format!("/products/1?lang={lang}")).await;
            assert_eq!(reply.status, StatusCode::OK);
            assert!(reply.body.contains(&format!("<html lang=\"{lang}\">")));
            assert!(reply.body.contains(&title.replace('"', "&#34;")), "{lang}: {title}");
            assert!(reply.body.contains(marker), "{lang}: {marker}");
            assert!(reply.header("set-cookie").contains(&format!("lang={lang}")));
        }
    }

    async fn language_comes_from_query_then_cookie_then_accept_language(app: TestApp) {
        let html_lang = |body: &str| body.split("<html lang=\"").nth(1).unwrap()[..2].to_owned();
        assert_eq!(html_lang(&app.get("/").await.body), "ru");
        assert_eq!(html_lang(&app.get_with("/", "accept-language", "en-US,en;q=0.9").await.body), "en");
        assert_eq!(html_lang(&app.get_with("/", "accept-language", "kk-KZ, ru;q=0.5").await.body), "kk");
        assert_eq!(html_lang(&app.get_with("/", "cookie", "lang=en").await.body), "en");
        let reply = app.send(app.client.get(app.url("/?lang=kk")).header("cookie", "lang=en").header("accept-language", "ru")).await;
        assert_eq!(html_lang(&reply.body), "kk");
        // An unknown language falls back to the next source.
        let reply = app.send(app.client.get(app.url("/?lang=xx")).header("cookie", "lang=en")).await;
        assert_eq!(html_lang(&reply.body), "en");
        assert!(!reply.header("set-cookie").contains("lang="));
        assert_eq!(html_lang(&app.get("/?lang=xx").await.body), "ru");
    }

    async fn product_page_lists_offers_for_the_city_cheapest_first(app: TestApp) {
        let (id, _) = product_with_city_prices(&app).await;
        let mut seen = vec![];
        for city in ["750000000", "710000000"] {
            let (_, doc) = app.get_json(&format!("/api/v1/products/{id}?city={city}&lang=en")).await;
            let offers = doc["offers"].as_array().unwrap();
            let prices: Vec<i64> = offers.iter().map(|o| o["price"]["tiyn"].as_i64().unwrap()).collect();
            assert!(prices.windows(2).all(|w| w[0] <= w[1]), "cheapest first: {prices:?}");
            let page = app.get(&format!("/products/{id}?city={city}&lang=en")).await;
            assert_eq!(page.status, StatusCode::OK);
            // The page shows the offers in the same order as the API.
            let mut at = 0;
            for o in offers {
                let price = o["price"]["formatted"].as_str().unwrap();
                let found = page.body[at..].find(price).unwrap_or_else(|| panic!("{price} not in order on the page"));
                at += found + price.len();
            }
            assert!(page.body.contains("not a public offer"), "§4 notice");
            assert!(page.body.contains("/agreement#s4"));
            assert!(page.header("set-cookie").contains(&format!("city={city}")));
            seen.push(prices[0]);
        }
        assert_ne!(seen[0], seen[1], "Almaty and Astana prices differ");
        // The cookie keeps the city for the next page.
        let reply = app.get_with(&format!("/products/{id}?lang=en"), "cookie", "city=710000000").await;
        assert!(reply.body.contains("Sellers’ offers in Astana"));
    }

    async fn category_page_lists_the_subtree_with_price_ranges_and_pages(app: TestApp) {
        let categories = app.store.list_categories().await.unwrap();
        let root = categories.iter().find(|c| c.parent_id.is_none()).unwrap();
        let child = categories.iter().find(|c| c.parent_id == Some(root.id)).unwrap();
        let (_, in_child) = app.get_json(&format!("/api/v1/products?category={}&per_page=100", child.id)).await;
        let child_product = in_child["data"][0]["title"]["en"].as_str().unwrap().to_owned();
        let reply = app.get(&format!("/categories/{}?lang=en", root.id)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains(&root.name.en));
        assert!(reply.body.contains(&child.name.en), "subcategory link");
        assert!(reply.body.contains(&format!("/categories/{}", child.id)));
        // Products of the child are listed under the root.
        let (_, in_root) = app.get_json(&format!("/api/v1/products?category={}&per_page=100", root.id)).await;
        assert!(in_root["meta"]["total"].as_i64().unwrap() >= in_child["meta"]["total"].as_i64().unwrap());
        let titles: Vec<&str> = in_root["data"].as_array().unwrap().iter().map(|p| p["title"]["en"].as_str().unwrap()).collect();
        assert!(titles.contains(&child_product.as_str()));
        // Small pages paginate with working links.
        let reply = app.get(&format!("/categories/{}?lang=en&per_page=2", root.id)).await;
        assert!(reply.body.contains("rel=\"next\""));
        assert!(reply.body.contains("page=2"));
        let reply = app.get(&format!("/categories/{}?lang=en&per_page=2&page=2", root.id)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("rel=\"prev\""));
        // Sorting by price puts the cheapest first.
        let (_, sorted) = app.get_json(&format!("/api/v1/products?category={}&sort=price_asc&per_page=100", root.id)).await;
        let mins: Vec<i64> = sorted["data"].as_array().unwrap().iter().filter_map(|p| p["price_range"]["min"]["tiyn"].as_i64()).collect();
        assert!(mins.windows(2).all(|w| w[0] <= w[1]), "{mins:?}");
    }

    async fn seller_page_shows_legal_data_and_stores(app: TestApp) {
        let (_, sellers) = app.get_json("/api/v1/sellers?per_page=100").await;
        let sellers = sellers["data"].as_array().unwrap();
        let kz = sellers.iter().find(|s| s["country"] == "KZ").unwrap();
        let abroad = sellers.iter().find(|s| s["is_eaeu"] == false).expect("a seller outside the EAEU");
        let reply = app.get(&format!("/sellers/{}?lang=ru", kz["id"])).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains(kz["bin"].as_str().unwrap()));
        assert!(reply.body.contains("Пункты выдачи и склады"));
        assert!(reply.body.contains("Алматы") || reply.body.contains("Астана"));
        let reply = app.get(&format!("/sellers/{}?lang=en", abroad["id"])).await;
        assert!(reply.body.contains("outside the Eurasian Economic Union"));
    }

    async fn agreement_and_help_are_published_in_each_language(app: TestApp) {
        for (lang, heading) in [("kk", "Пайдаланушы келісімі"), ("ru", "Пользовательское соглашение"), ("en", "User agreement")] {
            let reply = app.get(&format!("/agreement?lang={lang}")).await;
            assert_eq!(reply.status, StatusCode::OK);
            assert!(reply.body.contains(heading));
            for n in 1..=14 {
                assert!(reply.body.contains(&format!("id=\"s{n}\"")), "{lang}: §{n}");
            }
            let help = app.get(&format!("/help?lang={lang}")).await;
            for slug in ["how-to-buy", "delivery", "credit", "returns"] {
                assert!(help.body.contains(&format!("/help/{slug}")));
                let page = app.get(&format!("/help/{slug}?lang={lang}")).await;
                assert_eq!(page.status, StatusCode::OK, "{slug} {lang}");
                assert!(page.body.contains("<h1>"));
            }
        }
        let kk = app.get("/agreement?lang=kk").await.body;
        assert!(kk.chars().any(|c| "әғқңөұүһі".contains(c)), "real Kazakh");
    }

    async fn every_link_on_every_page_works_and_every_page_has_a_language_switch(app: TestApp) {
        let mut queue: VecDeque<String> = ["/", "/?lang=kk", "/?lang=en"].into_iter().map(String::from).collect();
        let mut seen = BTreeSet::new();
        while let Some(path) = queue.pop_front() {
            if !seen.insert(path.clone()) || seen.len() > 400 {
                continue;
            }
            let reply = app.get(&path).await;
            assert_eq!(reply.status, StatusCode::OK, "{path} is linked but answers {}", reply.status);
            let ct = reply.header("content-type").to_owned();
            if !ct.starts_with("text/html") {
                continue;
            }
            for l in ["hreflang=\"kk\"", "hreflang=\"ru\"", "hreflang=\"en\""] {
                assert!(reply.body.contains(l), "{path} has no language switch ({l})");
            }
            assert!(reply.body.contains("name=\"city\""), "{path} has no city switch");
            for link in links(&reply.body) {
                // Follow each distinct page once; language variants of a page are checked on a sample.
                let key = link.split('#').next().unwrap().to_owned();
                let is_variant = key.contains("lang=") && !key.starts_with("/?");
                if !seen.contains(&key) && (!is_variant || seen.len() < 60) {
                    queue.push_back(key);
                }
            }
        }
        assert!(seen.len() > 60, "crawled {} pages", seen.len());
    }
}
