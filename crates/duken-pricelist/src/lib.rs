//! Kaspi XML price lists (the seller feed), read as a stream.
//!
//! [`PriceListReader`] reads a `<kaspi_catalog>` document from any [`std::io::BufRead`] in
//! constant memory: one offer at a time, with reused buffers, no DOM. Every offer is checked
//! (SKU, model, prices, availabilities; stores and cities through the caller's [`Directory`]),
//! and a bad offer yields all its [`Problem`]s with the line of its `<offer` tag while reading
//! goes on. Whatever makes the whole file unusable is a [`FileError`].
//!
//! **Architecture Invariant:** this crate knows nothing about the database, the network or the
//! file system. In particular no `<!DOCTYPE>` is ever accepted and no entity other than the five
//! predefined ones and character references is ever expanded: billion laughs and external
//! entities (XXE) are rejected before anything is expanded, and the reader has no way to open a
//! file or a URL anyway.
//!
//! Choices where the format says nothing:
//! - `max_text_len` counts bytes (UTF-8) of an element's text or an attribute's value.
//! - Line numbers count `\n` only (LF and CRLF files; a file with bare CR line ends is one line).
//! - Only UTF-8 is read (a UTF-8 BOM is skipped); a declaration naming another encoding, a
//!   UTF-16 BOM or invalid UTF-8 is [`FileError::BadEncoding`].
//! - A SKU seen in an earlier offer, good or bad, makes a later one a [`Reason::DuplicateSku`].
//! - `<model>`, `<brand>` and prices are trimmed of surrounding whitespace; the SKU is taken as is.
//!
//! ```
//! use duken_pricelist::{FnDirectory, Limits, Reason, read_all};
//!
//! let xml = r#"<kaspi_catalog date="d" xmlns="kaspiShopping">
//!   <company>Shop</company><merchantid>42</merchantid>
//!   <offers>
//!     <offer sku="A"><model>Phone</model><price>1000</price>
//!       <availabilities><availability available="yes" storeId="PP1"/></availabilities></offer>
//!     <offer sku="B"><model>Case</model><price>-5</price>
//!       <availabilities><availability available="yes" storeId="PP9"/></availabilities></offer>
//!   </offers>
//! </kaspi_catalog>"#;
//! let stores_and_cities = FnDirectory(|store: &str| store == "PP1", |city: &str| city == "750000000");
//! let mut skus = Vec::new();
//! let summary = read_all(xml.as_bytes(), Limits::default(), &stores_and_cities, |offer, _| skus.push(offer.sku))
//!     .expect("a well-formed price list");
//! assert_eq!(skus, ["A"]);
//! let reasons: Vec<_> = summary.problems.iter().map(|p| (p.line, p.reason.code())).collect();
//! assert_eq!(reasons, [(6, "unknown_store"), (6, "non_positive_price")]);
//! assert_eq!(summary.problems[0].reason, Reason::UnknownStore);
//! ```

mod reader;
mod writer;

use duken_core::Money;

pub use reader::{PriceListReader, read_all};
pub use writer::write_pricelist;

/// Bounds that keep memory and time small whatever the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// More offers (good or bad) than this rejects the file.
    pub max_offers: usize,
    /// Longest element text or attribute value, in bytes.
    pub max_text_len: usize,
    /// Deepest element nesting (the root is depth 1).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_offers: 2_000_000, max_text_len: 4096, max_depth: 16 }
    }
}

/// What comes before `<offers>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The root's `date` attribute, as written.
    pub date: Option<String>,
    pub company: String,
    pub merchant_id: String,
}

/// A valid offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// 1-based line of the `<offer` tag.
    pub line: u64,
    pub sku: String,
    pub model: String,
    pub brand: Option<String>,
    pub availabilities: Vec<Availability>,
    /// Per-city prices; they win over `price` in their cities.
    pub city_prices: Vec<CityPrice>,
    /// The price in every city of the seller's stores not listed in `city_prices`.
    pub price: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Availability {
    pub store_id: String,
    pub available: bool,
    pub stock_count: Option<u32>,
    pub pre_order_days: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityPrice {
    /// Kaspi's city id (KATO for most cities, legacy codes for some).
    pub city_id: String,
    pub price: Money,
}

/// An offer's prices, as the shop applies them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prices<'a> {
    /// One price in every city where the seller has stores.
    Single(Money),
    /// Only the listed cities.
    PerCity(&'a [CityPrice]),
    /// The listed cities at their prices, every other city of the seller at `default`.
    PerCityWithDefault { cities: &'a [CityPrice], default: Money },
}

impl Offer {
    pub fn prices(&self) -> Prices<'_> {
        match (self.city_prices.is_empty(), self.price) {
            (true, Some(price)) => Prices::Single(price),
            (false, Some(default)) => Prices::PerCityWithDefault { cities: &self.city_prices, default },
            (_, None) => Prices::PerCity(&self.city_prices),
        }
    }
}

/// One thing wrong with one offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the offer's `<offer` tag.
    pub line: u64,
    pub sku: Option<String>,
    pub reason: Reason,
    /// The offending value, truncated to 100 characters (empty when the value is missing).
    pub detail: String,
}

/// Why an offer is bad. [`Reason::code`] is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    MissingSku,
    BadSku,
    DuplicateSku,
    MissingModel,
    ModelTooLong,
    NoPrice,
    /// Not a number, or a fraction of a tenge.
    BadPrice,
    NonPositivePrice,
    /// More than 10⁹ tenge.
    PriceTooHigh,
    BadAvailable,
    BadStockCount,
    BadPreOrder,
    UnknownStore,
    UnknownCity,
    NoAvailability,
    DuplicateStore,
    DuplicateCity,
}

impl Reason {
    pub const ALL: [Reason; 17] = [
        Reason::MissingSku,
        Reason::BadSku,
        Reason::DuplicateSku,
        Reason::MissingModel,
        Reason::ModelTooLong,
        Reason::NoPrice,
        Reason::BadPrice,
        Reason::NonPositivePrice,
        Reason::PriceTooHigh,
        Reason::BadAvailable,
        Reason::BadStockCount,
        Reason::BadPreOrder,
        Reason::UnknownStore,
        Reason::UnknownCity,
        Reason::NoAvailability,
        Reason::DuplicateStore,
        Reason::DuplicateCity,
    ];

    /// Stable snake_case code, e.g. `"unknown_store"`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::MissingSku => "missing_sku",
            Reason::BadSku => "bad_sku",
            Reason::DuplicateSku => "duplicate_sku",
            Reason::MissingModel => "missing_model",
            Reason::ModelTooLong => "model_too_long",
            Reason::NoPrice => "no_price",
            Reason::BadPrice => "bad_price",
            Reason::NonPositivePrice => "non_positive_price",
            Reason::PriceTooHigh => "price_too_high",
            Reason::BadAvailable => "bad_available",
            Reason::BadStockCount => "bad_stock_count",
            Reason::BadPreOrder => "bad_pre_order",
            Reason::UnknownStore => "unknown_store",
            Reason::UnknownCity => "unknown_city",
            Reason::NoAvailability => "no_availability",
            Reason::DuplicateStore => "duplicate_store",
            Reason::DuplicateCity => "duplicate_city",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The whole file is rejected. [`FileError::code`] is stable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("line {line}: not a well-formed XML document")]
    NotXml { line: u64 },
    #[error("line {line}: the document ends too early")]
    Truncated { line: u64 },
    #[error("line {line}: the root element is <{found}>, not <kaspi_catalog>")]
    WrongRoot { line: u64, found: String },
    #[error("line {line}: the default namespace is {found:?}, not \"kaspiShopping\"")]
    WrongNamespace { line: u64, found: String },
    #[error("line {line}: a <!DOCTYPE> is not allowed")]
    Doctype { line: u64 },
    /// `&name;` other than `&lt; &gt; &amp; &apos; &quot;` and character references.
    #[error("line {line}: unknown entity &{name};")]
    UnknownEntity { line: u64, name: String },
    #[error("<merchantid> is missing or empty")]
    MissingMerchantId,
    #[error("<company> is missing or empty")]
    MissingCompany,
    #[error("more than {limit} offers")]
    TooManyOffers { limit: usize },
    #[error("line {line}: elements nested too deep")]
    TooDeep { line: u64 },
    #[error("line {line}: text or attribute value too long")]
    TextTooLong { line: u64 },
    #[error("the price list has no offers")]
    NoOffers,
    #[error("read error: {0}")]
    Io(String),
    #[error("line {line}: not UTF-8")]
    BadEncoding { line: u64 },
}

impl FileError {
    /// Stable snake_case code, e.g. `"wrong_namespace"`.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::NotXml { .. } => "not_xml",
            FileError::Truncated { .. } => "truncated",
            FileError::WrongRoot { .. } => "wrong_root",
            FileError::WrongNamespace { .. } => "wrong_namespace",
            FileError::Doctype { .. } => "doctype",
            FileError::UnknownEntity { .. } => "unknown_entity",
            FileError::MissingMerchantId => "missing_merchant_id",
            FileError::MissingCompany => "missing_company",
            FileError::TooManyOffers { .. } => "too_many_offers",
            FileError::TooDeep { .. } => "too_deep",
            FileError::TextTooLong { .. } => "text_too_long",
            FileError::NoOffers => "no_offers",
            FileError::Io(_) => "io",
            FileError::BadEncoding { .. } => "bad_encoding",
        }
    }

    /// The line, when known.
    pub fn line(&self) -> Option<u64> {
        match self {
            FileError::NotXml { line }
            | FileError::Truncated { line }
            | FileError::WrongRoot { line, .. }
            | FileError::WrongNamespace { line, .. }
            | FileError::Doctype { line }
            | FileError::UnknownEntity { line, .. }
            | FileError::TooDeep { line }
            | FileError::TextTooLong { line }
            | FileError::BadEncoding { line } => Some(*line),
            _ => None,
        }
    }
}

/// The caller's stores and cities: the reader asks, it never stores them.
pub trait Directory {
    fn has_store(&self, store_id: &str) -> bool;
    fn has_city(&self, city_id: &str) -> bool;
}

/// A [`Directory`] from two closures: `FnDirectory(|store| …, |city| …)`.
pub struct FnDirectory<S, C>(pub S, pub C);

impl<S: Fn(&str) -> bool, C: Fn(&str) -> bool> Directory for FnDirectory<S, C> {
    fn has_store(&self, store_id: &str) -> bool {
        (self.0)(store_id)
    }
    fn has_city(&self, city_id: &str) -> bool {
        (self.1)(city_id)
    }
}

/// What [`read_all`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub header: Header,
    /// Good offers (each given to `on_offer`).
    pub offers: u64,
    /// The first [`MAX_KEPT_PROBLEMS`] problems.
    pub problems: Vec<Problem>,
    /// All problems, kept or not.
    pub problem_count: u64,
}

/// How many problems [`read_all`] keeps.
pub const MAX_KEPT_PROBLEMS: usize = 10_000;
