//! Whatever a user types, search and suggest answer without error or panic.

use std::sync::OnceLock;

use duken_core::Lang;
use duken_search::{OfferDoc, ProductDoc, SearchIndex, SearchQuery, Sort};
use proptest::prelude::*;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::in_ram().unwrap();
        let products = (0..20).map(|i| ProductDoc {
            product_id: i,
            category_id: 3,
            category_path: vec![1, 3],
            category_names: vec!["Телефоны".into(), "Смартфоны".into()],
            brand: if i % 2 == 0 { "Samsung".into() } else { "Apple".into() },
            title_ru: format!("Смартфон \"NOT\" (AND) {i} телефон*"),
            title_kk: "Смартфон телефондар".into(),
            attributes: vec![("color".into(), "black".into())],
            created_at_unix: i,
            offers: vec![OfferDoc {
                seller_id: 1,
                city_kato: "750000000".into(),
                price_tiyn: 100 * i,
                available: true,
            }],
            ..ProductDoc::default()
        });
        index.rebuild(products).unwrap();
        index
    })
}

fn check(text: &str) {
    let index = index();
    for sort in [Sort::Relevance, Sort::PriceAsc, Sort::Newest] {
        let q = SearchQuery {
            text: text.to_owned(),
            city_kato: "750000000".into(),
            sort,
            brands: vec![text.to_owned()],
            attributes: vec![(text.to_owned(), vec![text.to_owned()])],
            limit: 10,
            ..SearchQuery::default()
        };
        index.search(&q).unwrap();
        let q = SearchQuery {
            text: text.to_owned(),
            city_kato: text.to_owned(),
            limit: 10,
            sort,
            ..SearchQuery::default()
        };
        index.search(&q).unwrap();
    }
    for lang in Lang::ALL {
        let s = index.suggest(text, "750000000", lang, 10).unwrap();
        assert!(s.len() <= 10);
        index.suggest(text, text, lang, 5).unwrap();
    }
}

#[test]
fn query_syntax_is_plain_words() {
    for text in [
        "\"",
        "\"телефон",
        "телефон AND NOT OR",
        "+телефон -samsung",
        "title:телефон",
        "телефон* ^2 ~1",
        "(телефон OR [a TO b]) {x}",
        "\\",
        "\u{0}\u{1}\u{ff}",
        "😀🔥",
        "i̇İıIÄ",
        "'''''''",
        "",
        "   ",
    ] {
        check(text);
    }
    let r = index()
        .search(&SearchQuery {
            text: "title:телефон\" AND".into(),
            city_kato: "750000000".into(),
            limit: 100,
            ..SearchQuery::default()
        })
        .unwrap();
    // "title", "телефон", "and": relaxed to OR if needed, finds the phones either way.
    assert_eq!(r.total, 20);
}

#[test]
fn ten_kilobytes_of_garbage() {
    let mut text = String::new();
    let mut i = 0u32;
    while text.len() < 10_000 {
        text.push(char::from_u32(0x20 + (i * 7919) % 0x2_0000).unwrap_or('?'));
        text.push_str(["\"", "AND ", "*", "~", "(", "ш", "ң", " "][(i % 8) as usize]);
        i += 1;
    }
    check(&text);
    check(&"a".repeat(10_000));
    check(&"телефон ".repeat(2_000));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_fails(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn arbitrary_operator_soup_never_fails(text in "[\"'()\\[\\]{}:^~*+\\-!&|\\\\ a-zа-яәғқңөұүһі0-9😀]{0,200}") {
        check(&text);
    }

    #[test]
    fn long_random_unicode_never_fails(chars in proptest::collection::vec(any::<char>(), 0..10_000)) {
        let text: String = chars.into_iter().collect();
        check(&text);
    }
}
