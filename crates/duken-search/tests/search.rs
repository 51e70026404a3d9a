//! Search over a hand-made catalogue of ~50 products in three cities.

use duken_core::Lang;
use duken_search::{
    Change, OfferDoc, ProductDoc, SearchIndex, SearchQuery, SearchResults, Sort, Suggestion, SuggestionKind,
};

const ALMATY: &str = "750000000";
const ASTANA: &str = "710000000";
const SHYMKENT: &str = "790000000";

// Categories: 1 Electronics > 10 Phones > 100 Smartphones; 1 > 11 Home appliances > 110 Vacuum
// cleaners; 2 Clothes > 20 Outerwear > 200 Jackets; 1 > 12 Laptops.
const SMARTPHONES: [i64; 3] = [1, 10, 100];
const VACUUMS: [i64; 3] = [1, 11, 110];
const JACKETS: [i64; 3] = [2, 20, 200];
const LAPTOPS: [i64; 2] = [1, 12];

fn offer(seller_id: i64, city: &str, tenge: i64, available: bool) -> OfferDoc {
    OfferDoc { seller_id, city_kato: city.to_owned(), price_tiyn: tenge * 100, available }
}

fn category_names(path: &[i64]) -> Vec<String> {
    path.iter()
        .flat_map(|id| {
            let names: [&str; 3] = match id {
                1 => ["Электроника", "Электроника", "Electronics"],
                10 => ["Телефондар", "Телефоны", "Phones"],
                100 => ["Смартфондар", "Смартфоны", "Smartphones"],
                11 => ["Тұрмыстық техника", "Бытовая техника", "Home appliances"],
                110 => ["Шаңсорғыштар", "Пылесосы", "Vacuum cleaners"],
                2 => ["Киім", "Одежда", "Clothes"],
                20 => ["Сыртқы киім", "Верхняя одежда", "Outerwear"],
                200 => ["Күртелер", "Куртки", "Jackets"],
                12 => ["Ноутбуктер", "Ноутбуки", "Laptops"],
                _ => ["", "", ""],
            };
            names.map(str::to_owned)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn product(
    id: i64,
    path: &[i64],
    brand: &str,
    kk: &str,
    ru: &str,
    en: &str,
    attributes: &[(&str, &str)],
    offers: Vec<OfferDoc>,
) -> ProductDoc {
    ProductDoc {
        product_id: id,
        category_id: *path.last().unwrap(),
        category_path: path.to_vec(),
        category_names: category_names(path),
        brand: brand.to_owned(),
        model: String::new(),
        title_kk: kk.to_owned(),
        title_ru: ru.to_owned(),
        title_en: en.to_owned(),
        description_kk: String::new(),
        description_ru: String::new(),
        description_en: String::new(),
        attributes: attributes.iter().map(|(c, v)| ((*c).to_owned(), (*v).to_owned())).collect(),
        created_at_unix: 1_700_000_000 + id * 1000,
        offers,
    }
}

/// The catalogue. Prices differ per city on purpose.
fn catalogue() -> Vec<ProductDoc> {
    let mut v = vec![
        product(
            1,
            &SMARTPHONES,
            "Samsung",
            "Смартфон Samsung Galaxy A55 телефон",
            "Смартфон Samsung Galaxy A55",
            "Samsung Galaxy A55 smartphone",
            &[("color", "black"), ("memory_gb", "128")],
            vec![offer(1, ALMATY, 180_000, true), offer(2, ALMATY, 175_000, false), offer(1, ASTANA, 185_000, true)],
        ),
        product(
            2,
            &JACKETS,
            "Columbia",
            "Қысқы күртке",
            "Зимняя куртка",
            "Winter jacket",
            &[("color", "black"), ("size", "L")],
            vec![offer(3, ALMATY, 45_000, true), offer(3, SHYMKENT, 40_000, true)],
        ),
        product(
            3,
            &VACUUMS,
            "Dyson",
            "Шаңсорғыш Dyson V15",
            "Пылесос Dyson V15",
            "Dyson V15 vacuum cleaner",
            &[("color", "gold")],
            vec![offer(2, ALMATY, 350_000, true), offer(4, ASTANA, 340_000, true)],
        ),
        product(
            4,
            &SMARTPHONES,
            "Apple",
            "Apple iPhone 15 смартфоны 128 ГБ",
            "Смартфон Apple iPhone 15 128 ГБ",
            "Apple iPhone 15 128GB",
            &[("color", "white"), ("memory_gb", "128")],
            vec![offer(1, ALMATY, 420_000, true), offer(5, ASTANA, 410_000, true)],
        ),
        product(
            5,
            &SMARTPHONES,
            "Xiaomi",
            "Xiaomi Redmi Note 13 смартфоны",
            "Смартфон Xiaomi Redmi Note 13",
            "Xiaomi Redmi Note 13 smartphone",
            &[("color", "blue"), ("memory_gb", "256")],
            vec![offer(2, ALMATY, 95_000, true), offer(4, SHYMKENT, 90_000, false)],
        ),
        product(
            6,
            &LAPTOPS,
            "Lenovo",
            "Lenovo IdeaPad ноутбугі",
            "Ноутбук Lenovo IdeaPad",
            "Lenovo IdeaPad laptop",
            &[("color", "grey"), ("memory_gb", "512")],
            vec![offer(5, ASTANA, 300_000, true)],
        ),
    ];
    // Filler: 44 more smartphones, jackets and vacuum cleaners across the cities.
    for i in 0..44i64 {
        let id = 100 + i;
        let (path, brand, kk, ru, en) = match i % 4 {
            0 => (
                &SMARTPHONES[..],
                "Samsung",
                "Samsung Galaxy S смартфоны",
                "Смартфон Samsung Galaxy S",
                "Samsung Galaxy S",
            ),
            1 => (&JACKETS[..], "Columbia", "Columbia күртесі", "Куртка Columbia", "Columbia jacket"),
            2 => (&VACUUMS[..], "Philips", "Philips шаңсорғышы", "Пылесос Philips", "Philips vacuum"),
            _ => (&SMARTPHONES[..], "Xiaomi", "Xiaomi Poco смартфоны", "Смартфон Xiaomi Poco", "Xiaomi Poco"),
        };
        let colors = ["black", "white", "red"];
        let color = colors[(i % 3) as usize];
        let mut offers = vec![offer(10 + i % 3, ALMATY, 50_000 + i * 1_000, i % 5 != 0)];
        if i % 2 == 0 {
            offers.push(offer(20, ASTANA, 60_000 + i * 1_000, true));
        }
        if i % 3 == 0 {
            offers.push(offer(30, SHYMKENT, 55_000 + i * 1_000, true));
        }
        v.push(product(
            id,
            path,
            brand,
            &format!("{kk} {i}"),
            &format!("{ru} {i}"),
            &format!("{en} {i}"),
            &[("color", color)],
            offers,
        ));
    }
    v
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_ram().unwrap();
    let n = index.rebuild(catalogue().into_iter()).unwrap();
    assert_eq!(n, 50);
    assert_eq!(index.doc_count(), 50);
    index
}

fn query(text: &str, city: &str) -> SearchQuery {
    SearchQuery { limit: 100, ..SearchQuery::new(text, city) }
}

fn run(index: &SearchIndex, q: &SearchQuery) -> SearchResults {
    index.search(q).unwrap()
}

fn ids(r: &SearchResults) -> Vec<i64> {
    r.hits.iter().map(|h| h.product_id).collect()
}

fn finds(index: &SearchIndex, text: &str, city: &str, id: i64) -> bool {
    ids(&run(index, &query(text, city))).contains(&id)
}

#[test]
fn acceptance_phone_spellings() {
    let index = index();
    for q in [
        "телефон",
        "telefon",
        "телефондар",
        "telefondar",
        "телефоны",
        "смартфондар",
        "smartfon",
        "Samsung",
        "samsnug",
        "galaxy a55",
        "GALAXY",
        "телефонның",
        "самсунг",
    ] {
        let r = run(&index, &query(q, ALMATY));
        assert!(ids(&r).contains(&1), "{q}: {:?}", ids(&r));
        assert!(!ids(&r).contains(&2), "{q} finds the jacket");
        assert!(!ids(&r).contains(&3), "{q} finds the vacuum cleaner");
    }
    // Precise queries put the product first.
    assert_eq!(ids(&run(&index, &query("galaxy a55", ALMATY)))[0], 1);
}

#[test]
fn acceptance_jacket_spellings() {
    let index = index();
    for q in ["қысқы", "кыскы", "qysqy", "qısqı", "kyskY", "куртка", "куртки", "күртке", "kurtke"]
    {
        let r = run(&index, &query(q, ALMATY));
        assert!(ids(&r).contains(&2), "{q}: {:?}", ids(&r));
        assert!(!ids(&r).contains(&1), "{q} finds the phone");
        assert!(!ids(&r).contains(&3), "{q} finds the vacuum cleaner");
    }
}

#[test]
fn acceptance_vacuum_spellings() {
    let index = index();
    for q in ["шаңсорғыш", "shansorgysh", "şañsorğış", "шансоргыш"] {
        let r = run(&index, &query(q, ALMATY));
        assert!(ids(&r).contains(&3), "{q}: {:?}", ids(&r));
        assert!(!ids(&r).contains(&1), "{q} finds the phone");
        assert!(!ids(&r).contains(&2), "{q} finds the jacket");
    }
}

#[test]
fn title_matches_rank_above_description_matches() {
    let index = SearchIndex::in_ram().unwrap();
    let mut in_title = product(1, &JACKETS, "X", "", "Зимняя куртка", "", &[], vec![offer(1, ALMATY, 100, true)]);
    in_title.created_at_unix = 1;
    let mut in_description = product(2, &SMARTPHONES, "Y", "", "Чехол", "", &[], vec![offer(1, ALMATY, 100, true)]);
    in_description.description_ru = "Подходит к любой куртке, куртка в подарок не входит".to_owned();
    in_description.created_at_unix = 2;
    index.apply(vec![Change::Upsert(in_description), Change::Upsert(in_title)]).unwrap();
    assert_eq!(ids(&run(&index, &query("куртка", ALMATY))), [1, 2]);
}

#[test]
fn a_product_priced_only_in_astana_is_not_found_from_almaty() {
    let index = index();
    assert!(finds(&index, "lenovo", ASTANA, 6));
    assert!(finds(&index, "ноутбук", ASTANA, 6));
    assert!(!finds(&index, "lenovo", ALMATY, 6));
    assert!(!finds(&index, "ноутбук", SHYMKENT, 6));
    let browse = run(&index, &query("", ALMATY));
    assert!(!ids(&browse).contains(&6));
    assert!(run(&index, &query("lenovo", "000000000")).hits.is_empty());
}

#[test]
fn prices_are_the_citys() {
    let index = index();
    let almaty = run(&index, &query("galaxy a55", ALMATY));
    let hit = almaty.hits.iter().find(|h| h.product_id == 1).unwrap();
    // 175 000 is cheaper but unavailable; the lowest available offer is the price.
    assert_eq!(hit.min_price_tiyn, 180_000 * 100);
    assert!(hit.available);
    assert_eq!(hit.offer_count, 2);
    let astana = run(&index, &query("galaxy a55", ASTANA));
    let hit = astana.hits.iter().find(|h| h.product_id == 1).unwrap();
    assert_eq!(hit.min_price_tiyn, 185_000 * 100);
    assert_eq!(hit.offer_count, 1);
}

#[test]
fn price_sorts_use_the_citys_price() {
    let index = index();
    for city in [ALMATY, ASTANA, SHYMKENT] {
        let asc = run(&index, &SearchQuery { sort: Sort::PriceAsc, ..query("", city) });
        let prices: Vec<i64> = asc.hits.iter().map(|h| h.min_price_tiyn).collect();
        assert!(prices.len() > 5);
        assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{city}: {prices:?}");
        let desc = run(&index, &SearchQuery { sort: Sort::PriceDesc, ..query("", city) });
        let prices_desc: Vec<i64> = desc.hits.iter().map(|h| h.min_price_tiyn).collect();
        assert!(prices_desc.windows(2).all(|w| w[0] >= w[1]), "{city}: {prices_desc:?}");
        assert_eq!(asc.total, desc.total);
    }
    // Dyson: 350 000 in Almaty, 340 000 in Astana; iPhone 420 000 / 410 000.
    let desc = run(&index, &SearchQuery { sort: Sort::PriceDesc, ..query("", ASTANA) });
    assert_eq!(ids(&desc)[..2], [4, 3]);
    assert_eq!(desc.hits[1].min_price_tiyn, 340_000 * 100);
    // With text, price sort still orders the matches.
    let phones = run(&index, &SearchQuery { sort: Sort::PriceAsc, ..query("смартфон", ALMATY) });
    assert_eq!(*ids(&phones).last().unwrap(), 4);
}

#[test]
fn newest_sort_and_browse_default() {
    let index = index();
    let newest = run(&index, &SearchQuery { sort: Sort::Newest, ..query("", ALMATY) });
    let browse = run(&index, &query("", ALMATY));
    assert_eq!(ids(&newest), ids(&browse));
    // Ids grow with creation time in the catalogue.
    let got = ids(&newest);
    let mut sorted = got.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(got, sorted);
    assert_eq!(got[0], 143);
}

#[test]
fn paging() {
    let index = index();
    let all = run(&index, &SearchQuery { sort: Sort::PriceAsc, ..query("", ALMATY) });
    // Almaty: products 1-5 and all 44 filler products.
    assert_eq!(all.total, 49);
    assert_eq!(all.hits.len(), 49);
    let page = |offset, limit| {
        let r = run(&index, &SearchQuery { sort: Sort::PriceAsc, offset, limit, ..query("", ALMATY) });
        assert_eq!(r.total, 49);
        ids(&r)
    };
    assert_eq!(page(0, 10), ids(&all)[..10]);
    assert_eq!(page(10, 10), ids(&all)[10..20]);
    assert_eq!(page(45, 10), ids(&all)[45..]);
    assert!(page(60, 10).is_empty());
    assert_eq!(page(0, 0).len(), 1, "limit clamps to at least 1");
    assert_eq!(page(0, 1000).len(), 49, "limit clamps to 100");
}

fn count<K: PartialEq + std::fmt::Debug>(facet: &[(K, u64)], key: K) -> u64 {
    facet.iter().find(|(k, _)| *k == key).map_or(0, |(_, n)| *n)
}

#[test]
fn facets_count_every_kind() {
    let index = index();
    // Attribute values are counted within a category (1 is the root: every product).
    let r = run(&index, &SearchQuery { category_id: Some(1), ..query("", ASTANA) });
    // Astana: 1, 3, 4, 6 and even filler (22 of them).
    assert_eq!(r.total, 26);
    let f = &r.facets;
    // Filler i even: i%4==0 → Samsung smartphone (11), i%4==2 → Philips vacuum (11).
    assert_eq!(count(&f.categories, 100), 2 + 11);
    assert_eq!(count(&f.categories, 110), 1 + 11);
    assert_eq!(count(&f.categories, 12), 1);
    assert_eq!(count(&f.categories, 1), 26);
    assert_eq!(count(&f.categories, 200), 0);
    assert_eq!(count(&f.brands, "Samsung".to_owned()), 12);
    assert_eq!(count(&f.brands, "Philips".to_owned()), 11);
    assert_eq!(count(&f.brands, "Dyson".to_owned()), 1);
    assert_eq!(count(&f.sellers, 20), 22);
    assert_eq!(count(&f.sellers, 1), 1);
    assert_eq!(count(&f.sellers, 5), 2);
    let colors = &f.attributes.iter().find(|(c, _)| c == "color").unwrap().1;
    // Even filler: color index i%3 over i = 0, 2, …, 42.
    let even: Vec<i64> = (0..44).filter(|i| i % 2 == 0).collect();
    let black = even.iter().filter(|i| *i % 3 == 0).count() as u64;
    assert_eq!(count(colors, "black".to_owned()), black + 1);
    assert_eq!(count(colors, "gold".to_owned()), 1);
    let memory = &f.attributes.iter().find(|(c, _)| c == "memory_gb").unwrap().1;
    assert_eq!(count(memory, "128".to_owned()), 2);
    assert_eq!(count(memory, "512".to_owned()), 1);
    assert_eq!(f.price_min_tiyn, Some(60_000 * 100));
    assert_eq!(f.price_max_tiyn, Some(410_000 * 100));
    assert_eq!(f.available_count, 26);

    let almaty = run(&index, &query("", ALMATY));
    // Filler with i % 5 == 0 is unavailable in Almaty (9 of 44), and product 1 has one available
    // offer.
    assert_eq!(almaty.facets.available_count, 49 - 9);
}

#[test]
fn a_facet_group_ignores_its_own_filter() {
    let index = index();
    let q = SearchQuery { brands: vec!["samsung".to_owned()], ..query("", ASTANA) };
    let r = run(&index, &q);
    assert_eq!(r.total, 12);
    assert!(r.hits.iter().all(|h| h.product_id == 1 || (100..144).contains(&h.product_id)));
    // The brand facet still lists the other brands…
    assert_eq!(count(&r.facets.brands, "Philips".to_owned()), 11);
    assert_eq!(count(&r.facets.brands, "Samsung".to_owned()), 12);
    // …while the other facets are narrowed to Samsung.
    assert_eq!(count(&r.facets.categories, 110), 0);
    assert_eq!(count(&r.facets.categories, 100), 12);

    let q = SearchQuery { category_id: Some(110), brands: vec!["PHILIPS".to_owned()], ..query("", ASTANA) };
    let r = run(&index, &q);
    assert_eq!(r.total, 11);
    // Categories: brand filter applied, category filter not.
    assert_eq!(count(&r.facets.categories, 110), 11);
    assert_eq!(count(&r.facets.categories, 100), 0);
    // Brands: category filter applied, brand filter not.
    assert_eq!(count(&r.facets.brands, "Dyson".to_owned()), 1);
    assert_eq!(count(&r.facets.brands, "Samsung".to_owned()), 0);

    let q = SearchQuery { sellers: vec![5], ..query("", ASTANA) };
    let r = run(&index, &q);
    assert_eq!(ids(&r).len(), 2);
    assert_eq!(count(&r.facets.sellers, 20), 22);
    assert_eq!(count(&r.facets.brands, "Apple".to_owned()), 1);
    assert_eq!(count(&r.facets.brands, "Samsung".to_owned()), 0);

    let q = SearchQuery { price_max_tiyn: Some(70_000 * 100), ..query("", ASTANA) };
    let r = run(&index, &q);
    assert!(r.hits.iter().all(|h| h.min_price_tiyn <= 70_000 * 100));
    assert_eq!(r.facets.price_max_tiyn, Some(410_000 * 100), "the price range ignores the price filter");
}

#[test]
fn attribute_filters_and_across_codes_or_within() {
    let index = index();
    let q = SearchQuery {
        attributes: vec![("color".to_owned(), vec!["black".to_owned(), "white".to_owned()])],
        ..query("", ALMATY)
    };
    let r = run(&index, &q);
    let colors = |id: i64| catalogue().into_iter().find(|p| p.product_id == id).unwrap().attributes;
    assert!(r.total > 0);
    for h in &r.hits {
        assert!(colors(h.product_id).iter().any(|(c, v)| c == "color" && (v == "black" || v == "white")));
    }
    // Own group ignored: red still counted.
    let color_facet = &r.facets.attributes.iter().find(|(c, _)| c == "color").unwrap().1;
    assert!(count(color_facet, "red".to_owned()) > 0);

    let q = SearchQuery {
        attributes: vec![
            ("color".to_owned(), vec!["black".to_owned(), "white".to_owned()]),
            ("memory_gb".to_owned(), vec!["128".to_owned()]),
        ],
        ..query("", ALMATY)
    };
    let r = run(&index, &q);
    let mut got = ids(&r);
    got.sort();
    assert_eq!(got, [1, 4]);
    // The memory facet ignores the memory filter but keeps the color one: 256 is blue, so 0.
    let memory = &r.facets.attributes.iter().find(|(c, _)| c == "memory_gb").unwrap().1;
    assert_eq!(count(memory, "128".to_owned()), 2);
    assert_eq!(count(memory, "256".to_owned()), 0);
    let color_facet = &r.facets.attributes.iter().find(|(c, _)| c == "color").unwrap().1;
    assert_eq!(count(color_facet, "black".to_owned()), 1);
    assert_eq!(count(color_facet, "white".to_owned()), 1);

    let none = SearchQuery { attributes: vec![("color".to_owned(), vec!["purple".to_owned()])], ..query("", ALMATY) };
    assert_eq!(run(&index, &none).total, 0);
}

#[test]
fn price_range_and_available_only() {
    let index = index();
    let q =
        SearchQuery { price_min_tiyn: Some(90_000 * 100), price_max_tiyn: Some(200_000 * 100), ..query("", ALMATY) };
    let mut got = ids(&run(&index, &q));
    got.sort();
    // 1 (180 000), 5 (95 000); filler 50 000 + i·1000: i = 40…43 are 90 000…93 000.
    assert_eq!(got, [1, 5, 140, 141, 142, 143]);

    let all = run(&index, &query("", ALMATY));
    let avail = run(&index, &SearchQuery { available_only: true, ..query("", ALMATY) });
    assert_eq!(avail.total, 40);
    assert!(avail.hits.iter().all(|h| h.available));
    assert_eq!(all.total, 49);
    // Shymkent: Xiaomi 5 has only an unavailable offer there.
    let shym = run(&index, &SearchQuery { available_only: true, ..query("xiaomi", SHYMKENT) });
    assert!(!ids(&shym).contains(&5));
    assert!(ids(&run(&index, &query("xiaomi", SHYMKENT))).contains(&5));
}

#[test]
fn category_filter_includes_descendants() {
    let index = index();
    let electronics = run(&index, &SearchQuery { category_id: Some(1), ..query("", ASTANA) });
    let mut got = ids(&electronics);
    got.sort();
    assert!(got.contains(&1) && got.contains(&3) && got.contains(&4) && got.contains(&6));
    assert_eq!(electronics.total, 26);
    let phones = run(&index, &SearchQuery { category_id: Some(10), ..query("", ASTANA) });
    assert_eq!(phones.total, 13);
    let laptops = run(&index, &SearchQuery { category_id: Some(12), ..query("", ASTANA) });
    assert_eq!(ids(&laptops), [6]);
    let clothes = run(&index, &SearchQuery { category_id: Some(2), ..query("", ASTANA) });
    assert_eq!(clothes.total, 0);
    // Text + category.
    let r = run(&index, &SearchQuery { category_id: Some(110), ..query("dyson", ALMATY) });
    assert_eq!(ids(&r), [3]);
}

#[test]
fn apply_upserts_and_deletes_at_once() {
    let index = index();
    assert!(finds(&index, "dyson", ALMATY, 3));
    // Move Dyson out of Almaty and rename it.
    let mut dyson = catalogue().into_iter().find(|p| p.product_id == 3).unwrap();
    dyson.offers = vec![offer(4, ASTANA, 300_000, true)];
    dyson.title_ru = "Пылесос Dyson Gen5".to_owned();
    index.apply(vec![Change::Upsert(dyson)]).unwrap();
    assert!(!finds(&index, "dyson", ALMATY, 3));
    assert!(finds(&index, "gen5", ASTANA, 3));
    let r = run(&index, &query("dyson", ASTANA));
    assert_eq!(r.hits.iter().filter(|h| h.product_id == 3).count(), 1);
    assert_eq!(r.hits.iter().find(|h| h.product_id == 3).unwrap().min_price_tiyn, 300_000 * 100);
    assert_eq!(index.doc_count(), 50);

    index.apply(vec![Change::Delete { product_id: 3 }, Change::Delete { product_id: 9999 }]).unwrap();
    assert!(!finds(&index, "dyson", ASTANA, 3));
    assert_eq!(index.doc_count(), 49);

    // A new product.
    let new = product(500, &LAPTOPS, "Asus", "", "Ноутбук Asus Zenbook", "", &[], vec![offer(1, ALMATY, 1, true)]);
    index.apply(vec![Change::Upsert(new)]).unwrap();
    assert!(finds(&index, "zenbook", ALMATY, 500));
    // Upserting a product without priced offers removes it from search.
    let gone = product(500, &LAPTOPS, "Asus", "", "Ноутбук Asus Zenbook", "", &[], vec![]);
    index.apply(vec![Change::Upsert(gone)]).unwrap();
    assert!(!finds(&index, "zenbook", ALMATY, 500));
}

#[test]
fn rebuild_replaces_everything() {
    let index = index();
    let only = product(7, &LAPTOPS, "HP", "", "Ноутбук HP Pavilion", "", &[], vec![offer(1, ALMATY, 1000, true)]);
    assert_eq!(index.rebuild(vec![only].into_iter()).unwrap(), 1);
    assert_eq!(index.doc_count(), 1);
    assert!(!finds(&index, "samsung", ALMATY, 1));
    assert!(finds(&index, "pavilion", ALMATY, 7));
    // apply still works after a rebuild.
    index.apply(vec![Change::Delete { product_id: 7 }]).unwrap();
    assert!(index.is_empty());
}

#[test]
fn relaxed_or_when_and_finds_nothing() {
    let index = index();
    let r = run(&index, &query("dyson шапка", ALMATY));
    assert!(r.relaxed);
    assert!(ids(&r).contains(&3));
    let r = run(&index, &query("dyson v15", ALMATY));
    assert!(!r.relaxed);
    assert_eq!(ids(&r), [3]);
}

#[test]
fn typing_prefix_matches_the_last_word() {
    let index = index();
    assert!(finds(&index, "galaxy a5", ALMATY, 1));
    assert!(finds(&index, "шаңсорғ", ALMATY, 3));
    assert!(finds(&index, "iphone 1", ALMATY, 4));
    assert!(finds(&index, "128 гб", ALMATY, 4));
    assert!(finds(&index, "128gb", ALMATY, 4));
}

fn suggestions(index: &SearchIndex, prefix: &str, lang: Lang) -> Vec<Suggestion> {
    index.suggest(prefix, ALMATY, lang, 10).unwrap()
}

#[test]
fn suggestions_for_typed_prefixes() {
    let index = index();
    let s = suggestions(&index, "сма", Lang::Ru);
    assert!(s.iter().any(|s| s.kind == SuggestionKind::Category { category_id: 100 }), "{s:?}");
    assert!(
        s.iter().any(|s| matches!(s.kind, SuggestionKind::Product { .. }) && s.text.starts_with("Смартфон")),
        "{s:?}"
    );
    assert!(s.len() <= 10);

    let s = suggestions(&index, "sma", Lang::En);
    assert!(s.iter().any(|s| s.kind == SuggestionKind::Category { category_id: 100 }), "{s:?}");
    assert!(s.iter().any(|s| s.kind == SuggestionKind::Product { product_id: 1 }), "{s:?}");

    let s = suggestions(&index, "тел", Lang::Kk);
    assert!(
        s.iter().any(|s| s.text == "Телефондар" && s.kind == SuggestionKind::Category { category_id: 10 }),
        "{s:?}"
    );
    assert!(s.iter().any(|s| s.kind == SuggestionKind::Product { product_id: 1 }), "{s:?}");
    let phone = s.iter().find(|s| s.kind == SuggestionKind::Product { product_id: 1 }).unwrap();
    assert_eq!(phone.text, "Смартфон Samsung Galaxy A55 телефон", "Kazakh title for a Kazakh query");

    let s = suggestions(&index, "sams", Lang::Ru);
    assert_eq!(s[0], Suggestion { text: "Samsung".to_owned(), kind: SuggestionKind::Brand });
    assert!(s.iter().skip(1).all(|s| matches!(s.kind, SuggestionKind::Product { .. }) && s.text.contains("Samsung")));
    assert!(s.len() > 3);

    // City-aware: Lenovo is only in Astana.
    assert!(index.suggest("leno", ALMATY, Lang::Ru, 10).unwrap().is_empty());
    assert!(!index.suggest("leno", ASTANA, Lang::Ru, 10).unwrap().is_empty());
    assert!(index.suggest("sams", ALMATY, Lang::Ru, 3).unwrap().len() <= 3);
    assert!(index.suggest("", ALMATY, Lang::Ru, 10).unwrap().is_empty());
}

#[test]
fn on_disk_index_reopens_and_wipes_other_schema_versions() {
    let dir = std::env::temp_dir().join(format!("duken-search-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let index = SearchIndex::open_or_create(&dir).unwrap();
        assert!(index.is_empty());
        index.rebuild(catalogue().into_iter()).unwrap();
        assert_eq!(index.doc_count(), 50);
    }
    {
        let index = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(index.doc_count(), 50);
        assert!(finds(&index, "dyson", ALMATY, 3));
    }
    std::fs::write(dir.join("duken-search.version"), "duken-search-0").unwrap();
    {
        let index = SearchIndex::open_or_create(&dir).unwrap();
        assert!(index.is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();

    // A directory holding something else is left alone.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("precious.txt"), "keep me").unwrap();
    assert!(SearchIndex::open_or_create(&dir).is_err());
    assert_eq!(std::fs::read_to_string(dir.join("precious.txt")).unwrap(), "keep me");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn model_and_brand_words_are_searchable() {
    let index = SearchIndex::in_ram().unwrap();
    let mut p = product(
        1,
        &SMARTPHONES,
        "Samsung",
        "",
        "Смартфон",
        "",
        &[("memory_gb", "256")],
        vec![offer(1, ALMATY, 1, true)],
    );
    p.model = "SM-A556".to_owned();
    index.apply(vec![Change::Upsert(p)]).unwrap();
    for q in ["sm-a556", "a556", "samsung смартфон", "256"] {
        assert!(finds(&index, q, ALMATY, 1), "{q}");
    }
    // «a557» is «a» + «557»: no product has both, so the answer is the relaxed OR.
    assert!(run(&index, &query("a557", ALMATY)).relaxed);
    assert!(!run(&index, &query("a556", ALMATY)).relaxed);
}

#[test]
fn index_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}
