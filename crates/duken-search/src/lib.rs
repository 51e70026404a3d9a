//! Product search for duken: Kazakh, Russian and English text, city-aware prices, facets.
//!
//! The crate has no database dependency: the application feeds it [`ProductDoc`]s through
//! [`SearchIndex::apply`] (changes) or [`SearchIndex::rebuild`] (everything), and asks
//! [`SearchIndex::search`] and [`SearchIndex::suggest`].
//!
//! # Design
//!
//! * **One tantivy document per (product, city with a priced offer).** It holds the product's
//!   text, `city` (raw term, every query requires it), the product's lowest price in that city
//!   (`price`, fast; the lowest available offer, else the lowest offer), `avail`, `offers`,
//!   the sellers with an offer in that city (multi-valued fast field), `created`, the category
//!   path (multi-valued fast field of every ancestor id), brand and attributes (string fast
//!   columns `lowercase\u{1}Display` and `code\u{1}value`). Because there is exactly one
//!   document per product in a city, counts over the city's documents are product counts, and
//!   price filter/sort/facet need no per-query price computation. A product in 3 cities is
//!   indexed 3 times; that triples the postings but keeps every query a plain filtered scan.
//!   The index is sorted by city (`city_order`, the KATO code as a number): a city's
//!   documents are one run of doc ids in every segment, so a query skips the other cities'
//!   postings block by block instead of decoding and discarding them.
//! * **Queries.** The user's text is never parsed as tantivy syntax: it is cut into at most
//!   16 words ([`analysis`]), each word becomes a disjunction over its forms (folded key, Russian
//!   stem, Kazakh stem, plain Latin form) in the title fields (the query language's title
//!   boosted), brand+model and the body (descriptions, category names, attribute values); for
//!   the last word a prefix match; and for a word the index does not know (its exact forms in
//!   fewer than [`KNOWN_WORD_DOCS`] documents) a fuzzy match (edit distance 1 from 5
//!   letters, 2 from 9, transpositions count 1); both scored below exact matches. Words are
//!   AND-ed; when that finds nothing the words are OR-ed and [`SearchResults::relaxed`] is set.
//! * **Filters and facets in one pass.** The text + city query yields the candidate documents;
//!   one collector ([`collect`]) reads the fast columns of each candidate, decides which filter
//!   groups it fails, counts it in the hits and every facet when it fails none, and only in the
//!   facet of the one group it fails otherwise (a facet group ignores its own filter). Top hits
//!   are kept in a bounded heap keyed by score, price or creation time. The columns every
//!   candidate reads (price, availability, category path, sellers, brand) are copied once per
//!   segment into plain arrays (the `columns` module); attribute values are counted only for a query
//!   with a category or an attribute filter.
//! * **Suggestions** come from raw terms `city\u{1}folded name\u{1}…` for brands and categories
//!   (a prefix scan of the term dictionary, one term per word start) and from a title-only
//!   search with the last word as a prefix for products.
//! * **Storage**: mmap directory on disk; a schema version file next to it, a mismatch wipes the
//!   directory (the caller sees [`SearchIndex::is_empty`] and reindexes). One writer (1 thread,
//!   [`APPLY_HEAP_BYTES`]) serves `apply`; `rebuild` swaps in a 2-thread writer with
//!   [`REBUILD_HEAP_BYTES`] in total.
//!
//! # Measured
//!
//! Release build, one query at a time on the shared 2-core machine, 200 000 products over
//! 5 cities (133 000 of them priced in the queried city), facets on: text queries matching
//! 10 000–17 000 products take 3–10 ms, browsing the whole city (no text) 8–10 ms, a query
//! whose words match every document 22 ms (scored) or 8 ms (price order); suggestions about
//! 1 ms; rebuilding the 200 000 products takes 5 s. The cost is about 60 ns per candidate
//! document (filters and facet counts read fast columns), so a city with 1 M products would
//! take ~50 ms to browse: meeting 25 ms p99 there needs cached browse facets or sampling for
//! very broad queries, which this crate does not do yet.

pub mod analysis;
mod collect;
mod columns;
mod index;

use duken_core::Lang;

pub use index::{APPLY_HEAP_BYTES, KNOWN_WORD_DOCS, REBUILD_HEAP_BYTES, SCHEMA_VERSION, SearchIndex};

/// A change to apply to the index.
#[derive(Clone, Debug, PartialEq)]
#[expect(clippy::large_enum_variant, reason = "changes are built one at a time and moved into the writer")]
pub enum Change {
    /// Insert the product or replace every document of it.
    Upsert(ProductDoc),
    /// Remove the product (no-op when absent).
    Delete { product_id: i64 },
}

/// A product as the application hands it to the index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductDoc {
    pub product_id: i64,
    pub category_id: i64,
    /// Ids from the root down to `category_id`; a category facet/filter on any ancestor matches.
    pub category_path: Vec<i64>,
    /// kk/ru/en names of the category and its ancestors: searchable text, and the source of
    /// category suggestions. When its length is a multiple of `category_path.len()` the names
    /// are taken as groups per level, root first (e.g. kk, ru, en for each level); otherwise
    /// every name suggests `category_id`.
    pub category_names: Vec<String>,
    pub brand: String,
    pub model: String,
    pub title_kk: String,
    pub title_ru: String,
    pub title_en: String,
    pub description_kk: String,
    pub description_ru: String,
    pub description_en: String,
    /// (attribute code, value as text): facet values, also searchable.
    pub attributes: Vec<(String, String)>,
    pub created_at_unix: i64,
    pub offers: Vec<OfferDoc>,
}

/// One seller's offer of a product in a city.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfferDoc {
    pub seller_id: i64,
    /// KATO code of the city. Offers with an empty city or a negative price are ignored.
    pub city_kato: String,
    pub price_tiyn: i64,
    pub available: bool,
}

/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Best match first; newest first when the text is empty.
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

/// A buyer's search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Raw user text; never an error (see [`analysis`]).
    pub text: String,
    /// The buyer's city: only products with a priced offer here; prices are this city's.
    pub city_kato: String,
    /// Boosts the title in this language.
    pub lang: Lang,
    /// This category or any descendant.
    pub category_id: Option<i64>,
    /// Any of these brands (exact, case-insensitive).
    pub brands: Vec<String>,
    /// Any of these sellers offering the product in the city.
    pub sellers: Vec<i64>,
    /// Per attribute code any of the values; different codes AND together.
    pub attributes: Vec<(String, Vec<String>)>,
    /// On the product's lowest price in the city, inclusive.
    pub price_min_tiyn: Option<i64>,
    pub price_max_tiyn: Option<i64>,
    /// At least one available offer in the city.
    pub available_only: bool,
    pub sort: Sort,
    /// Paging; `offset` is capped at [`MAX_OFFSET`], `limit` clamped to 1..=100.
    pub offset: usize,
    pub limit: usize,
}

impl SearchQuery {
    /// A query for `text` in `city_kato` with the first 20 hits by relevance.
    pub fn new(text: impl Into<String>, city_kato: impl Into<String>) -> Self {
        SearchQuery { text: text.into(), city_kato: city_kato.into(), limit: 20, ..SearchQuery::default() }
    }
}

/// Deepest result a query can page to: deeper pages would need a heap that large per query.
pub const MAX_OFFSET: usize = 10_000;

/// One product found.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub product_id: i64,
    /// The product's lowest price in the query's city.
    pub min_price_tiyn: i64,
    /// At least one available offer in the city.
    pub available: bool,
    /// Offers in the city.
    pub offer_count: u32,
    /// Relevance score (0 for browsing without text).
    pub score: f32,
}

/// Counts per facet value over the text + city match, each group with the other filters applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facets {
    /// Category id → count, for leaf categories and all their ancestors; by count, then id.
    pub categories: Vec<(i64, u64)>,
    /// Top 30 brands by count (display spelling).
    pub brands: Vec<(String, u64)>,
    /// Top 30 sellers by count.
    pub sellers: Vec<(i64, u64)>,
    /// Per attribute code (sorted), its top 20 values by count; only for a query with a category
    /// or an attribute filter (attribute codes belong to categories).
    pub attributes: Vec<(String, Vec<(String, u64)>)>,
    /// Lowest and highest price among the matches in the city.
    pub price_min_tiyn: Option<i64>,
    pub price_max_tiyn: Option<i64>,
    /// Matches with an available offer in the city.
    pub available_count: u64,
}

/// A page of results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    /// Matching products after filters.
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The words were OR-ed because requiring all of them found nothing.
    pub relaxed: bool,
}

/// What a suggestion completes to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SuggestionKind {
    Product { product_id: i64 },
    Brand,
    Category { category_id: i64 },
}

/// A completion for the search box.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
}

/// Index failures. Bad user input is never one of them.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index writer lock poisoned")]
    Poisoned,
}
