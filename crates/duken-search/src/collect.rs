//! The one-pass collector: filters, top hits and facets over the text + city candidates.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{BytesColumn, Column};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::columns::{NO_BRAND, SegmentColumns};
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
    /// The in-memory columns of the searcher's segments, by segment ordinal.
    pub columns: Vec<Arc<SegmentColumns>>,
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

pub(crate) struct SegmentSearch {
    segment: SegmentOrdinal,
    sort: Sort,
    scored: bool,
    facets: bool,
    /// Count attribute values (only within a category or with attribute filters: codes differ
    /// between categories, and counting every attribute of every match is the costliest facet).
    attr_facets: bool,
    top_k: usize,
    heap: BinaryHeap<Reverse<Entry>>,
    cols: Arc<SegmentColumns>,
    pid: Column<i64>,
    offers: Column<u64>,
    created: Column<i64>,
    brand: Option<BytesColumn>,
    attrs: Option<BytesColumn>,
    // Filters resolved for this segment: `None` is no filter, else what passes, by index.
    /// By category path index.
    path_ok: Option<Vec<bool>>,
    /// By seller ordinal.
    seller_ok: Option<Vec<bool>>,
    /// By brand ordinal.
    brand_ok: Option<Vec<bool>>,
    /// Per attribute code: accepted ords (sorted) and the ord range of all values of the code.
    attr_filters: Vec<(Vec<u64>, Range<u64>)>,
    price_min: Option<u64>,
    price_max: Option<u64>,
    available_only: bool,
    // Counts.
    total: u64,
    path_counts: Vec<u32>,
    seller_counts: Vec<u32>,
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
        let cols = self
            .columns
            .get(segment as usize)
            .cloned()
            .ok_or_else(|| tantivy::TantivyError::InternalError(format!("no column copy for segment {segment}")))?;
        let brand = ff.str(F_BRAND)?.map(BytesColumn::from);
        let attrs = ff.str(F_ATTRS)?.map(BytesColumn::from);
        let f = &self.filters;
        let brand_terms = brand.as_ref().map_or(0, |b| b.num_terms());
        let brand_ok = if f.brands.is_empty() {
            None
        } else {
            let mut ok = vec![false; brand_terms];
            if let Some(column) = &brand {
                for b in &f.brands {
                    for o in ord_range(column, &format!("{b}{SEP}"))? {
                        if let Some(slot) = ok.get_mut(o as usize) {
                            *slot = true;
                        }
                    }
                }
            }
            Some(ok)
        };
        let path_ok = f.category.map(|c| cols.paths.iter().map(|p| p.contains(&c)).collect());
        let seller_ok = if f.sellers.is_empty() {
            None
        } else {
            Some(cols.seller_ids.iter().map(|id| f.sellers.binary_search(id).is_ok()).collect())
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
        let attr_facets = facets && (f.category.is_some() || !f.attrs.is_empty());
        let counts = |n: usize| if facets { vec![0; n] } else { Vec::new() };
        Ok(SegmentSearch {
            segment,
            sort: self.sort,
            scored: self.scored,
            facets,
            attr_facets,
            top_k: self.offset + self.limit,
            heap: BinaryHeap::with_capacity(self.offset + self.limit + 1),
            pid: ff.i64(F_PID)?,
            offers: ff.u64(F_OFFERS)?,
            created: ff.i64(F_CREATED)?,
            path_counts: counts(cols.paths.len()),
            seller_counts: counts(cols.seller_ids.len()),
            brand_counts: counts(brand_terms),
            attr_counts: if attr_facets { vec![0; attrs.as_ref().map_or(0, |b| b.num_terms())] } else { Vec::new() },
            cols,
            brand,
            attrs,
            path_ok,
            seller_ok,
            brand_ok,
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
    fn created_key(&self, doc: DocId) -> u64 {
        let created = self.created.first(doc).unwrap_or(0);
        (created as u64) ^ (1 << 63)
    }

    /// The primary sort key, and whether the secondary one is the creation time (else 0).
    fn primary_key(&self, doc: DocId, score: Score) -> (u64, bool) {
        match self.sort {
            Sort::Relevance if self.scored => (score_key(score), true),
            Sort::Relevance | Sort::Newest => (self.created_key(doc), false),
            Sort::PriceAsc => (u64::MAX - self.price(doc), true),
            Sort::PriceDesc => (self.price(doc), true),
        }
    }

    fn price(&self, doc: DocId) -> u64 {
        self.cols.price.get(doc as usize).copied().unwrap_or(0)
    }

    /// Bit set of the filter groups the document fails.
    fn failures(&self, doc: DocId, price: u64, available: bool) -> u64 {
        let d = doc as usize;
        let mut mask = 0u64;
        if let Some(ok) = &self.path_ok
            && !self.cols.path.get(d).is_some_and(|p| ok.get(*p as usize).copied().unwrap_or(false))
        {
            mask |= 1 << G_CAT;
        }
        if let Some(ok) = &self.brand_ok
            && !self.cols.brand.get(d).is_some_and(|b| ok.get(*b as usize).copied().unwrap_or(false))
        {
            mask |= 1 << G_BRAND;
        }
        if let Some(ok) = &self.seller_ok
            && !self.cols.sellers(doc).iter().any(|s| ok.get(*s as usize).copied().unwrap_or(false))
        {
            mask |= 1 << G_SELLER;
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
        let (primary, by_created) = self.primary_key(doc, score);
        let full = self.heap.len() >= self.top_k;
        // Most candidates of a broad query lose on the primary key alone: the creation time
        // (another column read) only when it can decide.
        if full
            && let Some(Reverse(worst)) = self.heap.peek()
            && primary < worst.primary
        {
            return;
        }
        let secondary = if by_created { self.created_key(doc) } else { 0 };
        if full
            && let Some(Reverse(worst)) = self.heap.peek()
            && (primary, secondary) < (worst.primary, worst.secondary)
        {
            return;
        }
        let product_id = self.pid.first(doc).unwrap_or(0);
        let entry = Entry { primary, secondary, product_id, score, segment: self.segment, doc };
        if !full {
            self.heap.push(Reverse(entry));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry > worst.0
        {
            *worst = Reverse(entry);
        }
    }

    fn count_facets(&mut self, doc: DocId, only_group: Option<u32>, price: u64, available: bool) {
        let all = only_group.is_none();
        let d = doc as usize;
        if (all || only_group == Some(G_CAT))
            && let Some(slot) = self.cols.path.get(d).and_then(|p| self.path_counts.get_mut(*p as usize))
        {
            *slot += 1;
        }
        if all || only_group == Some(G_SELLER) {
            let cols = &self.cols;
            for s in cols.sellers(doc) {
                if let Some(slot) = self.seller_counts.get_mut(*s as usize) {
                    *slot += 1;
                }
            }
        }
        if (all || only_group == Some(G_BRAND))
            && let Some(&b) = self.cols.brand.get(d)
            && b != NO_BRAND
            && let Some(slot) = self.brand_counts.get_mut(b as usize)
        {
            *slot += 1;
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
        if !self.attr_facets {
            return;
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
        let price = self.price(doc);
        let available = self.cols.available.get(doc as usize).copied().unwrap_or(false);
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

    fn harvest(mut self) -> Gathered {
        let mut out = Gathered { total: self.total, available_count: self.available_count, ..Gathered::default() };
        if let Some((lo, hi)) = self.seen_price {
            out.price_min = Some(lo);
            out.price_max = Some(hi);
        }
        for (path, n) in self.cols.paths.iter().zip(&self.path_counts) {
            if *n > 0 {
                for id in path {
                    *out.categories.entry(*id).or_insert(0) += u64::from(*n);
                }
            }
        }
        for (id, n) in self.cols.seller_ids.iter().zip(&self.seller_counts) {
            if *n > 0 {
                *out.sellers.entry(*id).or_insert(0) += u64::from(*n);
            }
        }
        if let Some(b) = &self.brand {
            out.brands = ords_to_strings(b, &self.brand_counts);
        }
        if let Some(a) = &self.attrs {
            out.attrs = ords_to_strings(a, &self.attr_counts);
        }
        let mut entries: Vec<Entry> = std::mem::take(&mut self.heap).into_iter().map(|Reverse(e)| e).collect();
        entries.sort_by(|a, b| b.cmp(a));
        out.hits = entries
            .iter()
            .map(|e| Hit {
                product_id: e.product_id,
                min_price_tiyn: i64::try_from(self.price(e.doc)).unwrap_or(i64::MAX),
                available: self.cols.available.get(e.doc as usize).copied().unwrap_or(false),
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
