//! The one-pass collector: filters, top hits and facets over the text + city candidates.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{BytesColumn, Column};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::{Hit, Sort};

pub(crate) const F_PID: &str = "pid";
pub(crate) const F_PRICE: &str = "price";
pub(crate) const F_AVAIL: &str = "avail";
pub(crate) const F_OFFERS: &str = "offers";
pub(crate) const F_CREATED: &str = "created";
pub(crate) const F_CATS: &str = "cats";
pub(crate) const F_SELLERS: &str = "sellers";
pub(crate) const F_BRAND: &str = "brand";
pub(crate) const F_ATTRS: &str = "attrs";

/// Separator inside composite string values (`lowercase\u{1}Display`, `code\u{1}value`).
pub(crate) const SEP: char = '\u{1}';

const G_CAT: u32 = 0;
const G_BRAND: u32 = 1;
const G_SELLER: u32 = 2;
const G_PRICE: u32 = 3;
const G_AVAIL: u32 = 4;
const G_ATTR0: u32 = 5;
/// Attribute codes beyond this many in one query are ignored (the mask is a u64).
pub(crate) const MAX_ATTR_GROUPS: usize = 48;
/// Category and seller ids below this are counted in a dense array, others in a map.
const DENSE_LIMIT: i64 = 1 << 16;

/// The filters of a query, normalised.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filters {
    pub category: Option<i64>,
    /// Lowercased, trimmed brand names.
    pub brands: Vec<String>,
    /// Sorted, deduplicated.
    pub sellers: Vec<i64>,
    /// Per code (deduplicated, at most [`MAX_ATTR_GROUPS`]) the accepted values.
    pub attrs: Vec<(String, Vec<String>)>,
    pub price_min: Option<u64>,
    pub price_max: Option<u64>,
    pub available_only: bool,
}

/// Everything one search gathers.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    pub total: u64,
    pub hits: Vec<Hit>,
    /// Sort keys of `hits`, for merging segments.
    pub hit_keys: Vec<(u64, u64, DocAddress)>,
    pub categories: HashMap<i64, u64>,
    pub sellers: HashMap<i64, u64>,
    pub brands: HashMap<String, u64>,
    /// Keyed by `code\u{1}value`.
    pub attrs: HashMap<String, u64>,
    pub price_min: Option<u64>,
    pub price_max: Option<u64>,
    pub available_count: u64,
}

pub(crate) struct SearchCollector {
    pub filters: Filters,
    pub sort: Sort,
    /// Rank by score (text present and relevance order).
    pub scored: bool,
    pub offset: usize,
    pub limit: usize,
    /// Compute facets (suggestions only need hits).
    pub facets: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Entry {
    primary: u64,
    secondary: u64,
    product_id: i64,
    score: Score,
    segment: SegmentOrdinal,
    doc: DocId,
}

impl Eq for Entry {}

impl Ord for Entry {
    /// Greater is better: higher keys, then the lower product id.
    fn cmp(&self, other: &Self) -> Ordering {
        self.primary
            .cmp(&other.primary)
            .then(self.secondary.cmp(&other.secondary))
            .then(other.product_id.cmp(&self.product_id))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

enum Counter {
    Dense(Vec<u32>),
    Sparse(HashMap<i64, u64>),
}

impl Counter {
    fn for_column(column: Option<&Column<i64>>) -> Counter {
        match column {
            Some(c) if c.min_value() >= 0 && c.max_value() < DENSE_LIMIT => {
                Counter::Dense(vec![0; usize::try_from(c.max_value()).unwrap_or(0) + 1])
            }
            _ => Counter::Sparse(HashMap::new()),
        }
    }

    fn add(&mut self, id: i64) {
        match self {
            Counter::Dense(v) => {
                if let Some(slot) = usize::try_from(id).ok().and_then(|i| v.get_mut(i)) {
                    *slot += 1;
                }
            }
            Counter::Sparse(m) => *m.entry(id).or_insert(0) += 1,
        }
    }

    fn drain_into(self, out: &mut HashMap<i64, u64>) {
        match self {
            Counter::Dense(v) => {
                for (id, n) in v.into_iter().enumerate() {
                    if n > 0 {
                        *out.entry(id as i64).or_insert(0) += u64::from(n);
                    }
                }
            }
            Counter::Sparse(m) => {
                for (id, n) in m {
                    *out.entry(id).or_insert(0) += n;
                }
            }
        }
    }
}

pub(crate) struct SegmentSearch {
    segment: SegmentOrdinal,
    sort: Sort,
    scored: bool,
    facets: bool,
    top_k: usize,
    heap: BinaryHeap<Reverse<Entry>>,
    pid: Column<i64>,
    price: Column<u64>,
    avail: Column<u64>,
    offers: Column<u64>,
    created: Column<i64>,
    cats: Option<Column<i64>>,
    sellers: Option<Column<i64>>,
    brand: Option<BytesColumn>,
    attrs: Option<BytesColumn>,
    // Filters resolved for this segment.
    category: Option<i64>,
    seller_filter: Vec<i64>,
    /// `None`: no brand filter; `Some(ranges)`: accepted brand ords.
    brand_filter: Option<Vec<Range<u64>>>,
    /// Per attribute code: accepted ords (sorted) and the ord range of all values of the code.
    attr_filters: Vec<(Vec<u64>, Range<u64>)>,
    price_min: Option<u64>,
    price_max: Option<u64>,
    available_only: bool,
    // Counts.
    total: u64,
    cat_counts: Counter,
    seller_counts: Counter,
    brand_counts: Vec<u32>,
    attr_counts: Vec<u32>,
    seen_price: Option<(u64, u64)>,
    available_count: u64,
}

fn ord_range(column: &BytesColumn, prefix: &str) -> tantivy::Result<Range<u64>> {
    use std::ops::Bound;
    let mut upper = prefix.as_bytes().to_vec();
    // Prefixes end with SEP (0x01); bumping the last byte gives the exclusive upper bound.
    if let Some(last) = upper.last_mut() {
        *last += 1;
    }
    let (lo, hi) =
        column.dictionary().term_bounds_to_ord(Bound::Included(prefix.as_bytes()), Bound::Excluded(&upper[..]))?;
    let start = match lo {
        Bound::Included(o) => o,
        Bound::Excluded(o) => o + 1,
        Bound::Unbounded => 0,
    };
    let end = match hi {
        Bound::Included(o) => o + 1,
        Bound::Excluded(o) => o,
        Bound::Unbounded => column.num_terms() as u64,
    };
    Ok(start..end.max(start).min(column.num_terms() as u64))
}

impl Collector for SearchCollector {
    type Fruit = Gathered;
    type Child = SegmentSearch;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentSearch> {
        let ff = reader.fast_fields();
        let cats = ff.column_opt::<i64>(F_CATS)?;
        let sellers = ff.column_opt::<i64>(F_SELLERS)?;
        let brand = ff.str(F_BRAND)?.map(BytesColumn::from);
        let attrs = ff.str(F_ATTRS)?.map(BytesColumn::from);
        let f = &self.filters;
        let brand_filter = if f.brands.is_empty() {
            None
        } else {
            let mut ranges = Vec::new();
            if let Some(column) = &brand {
                for b in &f.brands {
                    let r = ord_range(column, &format!("{b}{SEP}"))?;
                    if !r.is_empty() {
                        ranges.push(r);
                    }
                }
            }
            Some(ranges)
        };
        let mut attr_filters = Vec::new();
        for (code, values) in &f.attrs {
            let mut accepted = Vec::new();
            let mut range = 0..0;
            if let Some(column) = &attrs {
                range = ord_range(column, &format!("{code}{SEP}"))?;
                for v in values {
                    if let Some(o) = column.dictionary().term_ord(format!("{code}{SEP}{v}"))? {
                        accepted.push(o);
                    }
                }
            }
            accepted.sort_unstable();
            attr_filters.push((accepted, range));
        }
        let facets = self.facets;
        Ok(SegmentSearch {
            segment,
            sort: self.sort,
            scored: self.scored,
            facets,
            top_k: self.offset + self.limit,
            heap: BinaryHeap::with_capacity(self.offset + self.limit + 1),
            pid: ff.i64(F_PID)?,
            price: ff.u64(F_PRICE)?,
            avail: ff.u64(F_AVAIL)?,
            offers: ff.u64(F_OFFERS)?,
            created: ff.i64(F_CREATED)?,
            cat_counts: if facets { Counter::for_column(cats.as_ref()) } else { Counter::Sparse(HashMap::new()) },
            seller_counts: if facets { Counter::for_column(sellers.as_ref()) } else { Counter::Sparse(HashMap::new()) },
            brand_counts: if facets { vec![0; brand.as_ref().map_or(0, |b| b.num_terms())] } else { Vec::new() },
            attr_counts: if facets { vec![0; attrs.as_ref().map_or(0, |b| b.num_terms())] } else { Vec::new() },
            cats,
            sellers,
            brand,
            attrs,
            category: f.category,
            seller_filter: f.sellers.clone(),
            brand_filter,
            attr_filters,
            price_min: f.price_min,
            price_max: f.price_max,
            available_only: f.available_only,
            total: 0,
            seen_price: None,
            available_count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Gathered>) -> tantivy::Result<Gathered> {
        let mut out = Gathered::default();
        let mut hits: Vec<(Entry, Hit)> = Vec::new();
        for fruit in fruits {
            out.total += fruit.total;
            for (id, n) in fruit.categories {
                *out.categories.entry(id).or_insert(0) += n;
            }
            for (id, n) in fruit.sellers {
                *out.sellers.entry(id).or_insert(0) += n;
            }
            for (b, n) in fruit.brands {
                *out.brands.entry(b).or_insert(0) += n;
            }
            for (a, n) in fruit.attrs {
                *out.attrs.entry(a).or_insert(0) += n;
            }
            out.price_min = min_opt(out.price_min, fruit.price_min);
            out.price_max = max_opt(out.price_max, fruit.price_max);
            out.available_count += fruit.available_count;
            for (hit, (primary, secondary, address)) in fruit.hits.into_iter().zip(fruit.hit_keys) {
                let entry = Entry {
                    primary,
                    secondary,
                    product_id: hit.product_id,
                    score: hit.score,
                    segment: address.segment_ord,
                    doc: address.doc_id,
                };
                hits.push((entry, hit));
            }
        }
        hits.sort_by_key(|(entry, _)| Reverse(*entry));
        for (entry, hit) in hits.into_iter().skip(self.offset).take(self.limit) {
            out.hit_keys.push((entry.primary, entry.secondary, DocAddress::new(entry.segment, entry.doc)));
            out.hits.push(hit);
        }
        Ok(out)
    }
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    }
}

fn max_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) | (None, x) => x,
    }
}

fn score_key(score: Score) -> u64 {
    u64::from(score.max(0.0).to_bits())
}

impl SegmentSearch {
    fn keys(&self, doc: DocId, score: Score) -> (u64, u64) {
        let created = self.created.first(doc).unwrap_or(0);
        let created_key = (created as u64) ^ (1 << 63);
        match self.sort {
            Sort::Relevance if self.scored => (score_key(score), created_key),
            Sort::Relevance | Sort::Newest => (created_key, 0),
            Sort::PriceAsc => (u64::MAX - self.price.first(doc).unwrap_or(u64::MAX), created_key),
            Sort::PriceDesc => (self.price.first(doc).unwrap_or(0), created_key),
        }
    }

    /// Bit set of the filter groups the document fails.
    fn failures(&self, doc: DocId, price: u64, available: bool) -> u64 {
        let mut mask = 0u64;
        if let Some(category) = self.category {
            let ok = self.cats.as_ref().is_some_and(|c| c.values_for_doc(doc).any(|v| v == category));
            if !ok {
                mask |= 1 << G_CAT;
            }
        }
        if let Some(ranges) = &self.brand_filter {
            let ok =
                self.brand.as_ref().is_some_and(|b| b.term_ords(doc).any(|o| ranges.iter().any(|r| r.contains(&o))));
            if !ok {
                mask |= 1 << G_BRAND;
            }
        }
        if !self.seller_filter.is_empty() {
            let ok = self
                .sellers
                .as_ref()
                .is_some_and(|c| c.values_for_doc(doc).any(|v| self.seller_filter.binary_search(&v).is_ok()));
            if !ok {
                mask |= 1 << G_SELLER;
            }
        }
        if self.price_min.is_some_and(|m| price < m) || self.price_max.is_some_and(|m| price > m) {
            mask |= 1 << G_PRICE;
        }
        if self.available_only && !available {
            mask |= 1 << G_AVAIL;
        }
        for (i, (accepted, _)) in self.attr_filters.iter().enumerate() {
            let ok = self.attrs.as_ref().is_some_and(|a| a.term_ords(doc).any(|o| accepted.binary_search(&o).is_ok()));
            if !ok {
                mask |= 1 << (G_ATTR0 + i as u32);
            }
        }
        mask
    }

    fn push_hit(&mut self, doc: DocId, score: Score) {
        if self.top_k == 0 {
            return;
        }
        let (primary, secondary) = self.keys(doc, score);
        if self.heap.len() >= self.top_k
            && let Some(Reverse(worst)) = self.heap.peek()
            && (primary, secondary) < (worst.primary, worst.secondary)
        {
            return;
        }
        let product_id = self.pid.first(doc).unwrap_or(0);
        let entry = Entry { primary, secondary, product_id, score, segment: self.segment, doc };
        if self.heap.len() < self.top_k {
            self.heap.push(Reverse(entry));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry > worst.0
        {
            *worst = Reverse(entry);
        }
    }

    fn count_facets(&mut self, doc: DocId, only_group: Option<u32>, price: u64, available: bool) {
        let all = only_group.is_none();
        if (all || only_group == Some(G_CAT))
            && let Some(c) = &self.cats
        {
            for v in c.values_for_doc(doc) {
                self.cat_counts.add(v);
            }
        }
        if (all || only_group == Some(G_SELLER))
            && let Some(c) = &self.sellers
        {
            for v in c.values_for_doc(doc) {
                self.seller_counts.add(v);
            }
        }
        if (all || only_group == Some(G_BRAND))
            && let Some(b) = &self.brand
        {
            for o in b.term_ords(doc) {
                if let Some(slot) = self.brand_counts.get_mut(o as usize) {
                    *slot += 1;
                }
            }
        }
        if all || only_group == Some(G_PRICE) {
            self.seen_price = Some(match self.seen_price {
                Some((lo, hi)) => (lo.min(price), hi.max(price)),
                None => (price, price),
            });
        }
        if (all || only_group == Some(G_AVAIL)) && available {
            self.available_count += 1;
        }
        match only_group {
            None => {
                if let Some(a) = &self.attrs {
                    for o in a.term_ords(doc) {
                        if let Some(slot) = self.attr_counts.get_mut(o as usize) {
                            *slot += 1;
                        }
                    }
                }
            }
            Some(g) if g >= G_ATTR0 => {
                let range = self.attr_filters[(g - G_ATTR0) as usize].1.clone();
                if let Some(a) = &self.attrs {
                    for o in a.term_ords(doc) {
                        if range.contains(&o)
                            && let Some(slot) = self.attr_counts.get_mut(o as usize)
                        {
                            *slot += 1;
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
}

impl SegmentCollector for SegmentSearch {
    type Fruit = Gathered;

    fn collect(&mut self, doc: DocId, score: Score) {
        let price = self.price.first(doc).unwrap_or(0);
        let available = self.avail.first(doc).unwrap_or(0) != 0;
        let mask = self.failures(doc, price, available);
        if mask == 0 {
            self.total += 1;
            self.push_hit(doc, score);
            if self.facets {
                self.count_facets(doc, None, price, available);
            }
        } else if self.facets && mask.count_ones() == 1 {
            self.count_facets(doc, Some(mask.trailing_zeros()), price, available);
        }
    }

    fn harvest(self) -> Gathered {
        let mut out = Gathered { total: self.total, available_count: self.available_count, ..Gathered::default() };
        if let Some((lo, hi)) = self.seen_price {
            out.price_min = Some(lo);
            out.price_max = Some(hi);
        }
        self.cat_counts.drain_into(&mut out.categories);
        self.seller_counts.drain_into(&mut out.sellers);
        if let Some(b) = &self.brand {
            out.brands = ords_to_strings(b, &self.brand_counts);
        }
        if let Some(a) = &self.attrs {
            out.attrs = ords_to_strings(a, &self.attr_counts);
        }
        let mut entries: Vec<Entry> = self.heap.into_iter().map(|Reverse(e)| e).collect();
        entries.sort_by(|a, b| b.cmp(a));
        out.hits = entries
            .iter()
            .map(|e| Hit {
                product_id: e.product_id,
                min_price_tiyn: i64::try_from(self.price.first(e.doc).unwrap_or(0)).unwrap_or(i64::MAX),
                available: self.avail.first(e.doc).unwrap_or(0) != 0,
                offer_count: u32::try_from(self.offers.first(e.doc).unwrap_or(0)).unwrap_or(u32::MAX),
                score: e.score,
            })
            .collect();
        out.hit_keys = entries.iter().map(|e| (e.primary, e.secondary, DocAddress::new(e.segment, e.doc))).collect();
        out
    }
}

fn ords_to_strings(column: &BytesColumn, counts: &[u32]) -> HashMap<String, u64> {
    let ords: Vec<u64> = counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(o, _)| o as u64).collect();
    let mut out = HashMap::with_capacity(ords.len());
    let mut i = 0;
    let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
        if let (Ok(s), Some(o)) = (std::str::from_utf8(bytes), ords.get(i)) {
            out.insert(s.to_owned(), u64::from(counts[*o as usize]));
        }
        i += 1;
    });
    out
}
