//! In-memory copies of the fast columns every candidate document reads.
//!
//! A broad query ("телефон" in Almaty) visits tens of thousands of documents, and for each one
//! the collector needs its price, availability, category path, sellers and brand. Read through
//! tantivy's columns that is a dynamically dispatched, bit-unpacking call per value (and two
//! more per multi-valued field): measured on 1 M products, about half of a query's time. Here
//! each segment's values are copied once into plain arrays (about 25 bytes per document), kept
//! as long as the segment lives, and shared by every query. Segments never change after they
//! are written (deletes live beside them), so a copy keyed by segment id stays true.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::BytesColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader};

use crate::collect::{F_AVAIL, F_BRAND, F_CATS, F_PRICE, F_SELLERS};

/// Brand ordinal of a document without a brand.
pub(crate) const NO_BRAND: u32 = u32::MAX;

/// One segment's copied columns, indexed by doc id.
pub(crate) struct SegmentColumns {
    /// The product's lowest price in the document's city (tiyn).
    pub price: Vec<u64>,
    pub available: Vec<bool>,
    /// Index into `paths`: documents share a handful of category paths.
    pub path: Vec<u32>,
    /// Every distinct category path (the ids of a category and its ancestors).
    pub paths: Vec<Vec<i64>>,
    /// The document's sellers are `seller_ords[seller_start[doc]..seller_start[doc + 1]]`.
    pub seller_start: Vec<u32>,
    pub seller_ords: Vec<u32>,
    /// Seller id of each ordinal.
    pub seller_ids: Vec<i64>,
    /// Ordinal in the segment's brand dictionary, or [`NO_BRAND`].
    pub brand: Vec<u32>,
}

impl SegmentColumns {
    fn read(reader: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let ff = reader.fast_fields();
        let price = ff.u64(F_PRICE)?;
        let avail = ff.u64(F_AVAIL)?;
        let cats = ff.column_opt::<i64>(F_CATS)?;
        let sellers = ff.column_opt::<i64>(F_SELLERS)?;
        let brand = ff.str(F_BRAND)?.map(BytesColumn::from);
        let docs = reader.max_doc();
        let n = docs as usize;
        let mut out = SegmentColumns {
            price: Vec::with_capacity(n),
            available: Vec::with_capacity(n),
            path: Vec::with_capacity(n),
            paths: Vec::new(),
            seller_start: Vec::with_capacity(n + 1),
            seller_ords: Vec::with_capacity(n),
            seller_ids: Vec::new(),
            brand: Vec::with_capacity(n),
        };
        let mut path_index: HashMap<Vec<i64>, u32> = HashMap::new();
        let mut seller_index: HashMap<i64, u32> = HashMap::new();
        let mut path = Vec::new();
        for doc in 0..docs {
            out.price.push(price.first(doc).unwrap_or(0));
            out.available.push(avail.first(doc).unwrap_or(0) != 0);
            path.clear();
            if let Some(c) = &cats {
                path.extend(c.values_for_doc(doc));
            }
            let next = u32::try_from(out.paths.len()).unwrap_or(u32::MAX);
            let index = *path_index.entry(path.clone()).or_insert_with(|| {
                out.paths.push(path.clone());
                next
            });
            out.path.push(index);
            out.seller_start.push(u32::try_from(out.seller_ords.len()).unwrap_or(u32::MAX));
            if let Some(s) = &sellers {
                for id in s.values_for_doc(doc) {
                    let next = u32::try_from(out.seller_ids.len()).unwrap_or(u32::MAX);
                    let ord = *seller_index.entry(id).or_insert_with(|| {
                        out.seller_ids.push(id);
                        next
                    });
                    out.seller_ords.push(ord);
                }
            }
            let ord = brand.as_ref().and_then(|b| b.term_ords(doc).next());
            out.brand.push(ord.and_then(|o| u32::try_from(o).ok()).unwrap_or(NO_BRAND));
        }
        out.seller_start.push(u32::try_from(out.seller_ords.len()).unwrap_or(u32::MAX));
        Ok(out)
    }

    /// The seller ordinals of `doc`.
    pub fn sellers(&self, doc: DocId) -> &[u32] {
        let d = doc as usize;
        match (self.seller_start.get(d), self.seller_start.get(d + 1)) {
            (Some(&a), Some(&b)) => self.seller_ords.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The copies of the segments the index currently has.
#[derive(Default)]
pub(crate) struct ColumnCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl ColumnCache {
    /// The copies for every segment of `searcher`, in segment order, reading the missing ones;
    /// copies of segments the searcher no longer has are dropped.
    pub fn for_searcher(&self, searcher: &tantivy::Searcher) -> tantivy::Result<Vec<Arc<SegmentColumns>>> {
        let readers = searcher.segment_readers();
        let mut out = Vec::with_capacity(readers.len());
        let mut map = self.segments.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for reader in readers {
            let id = reader.segment_id();
            let columns = match map.get(&id) {
                Some(c) => c.clone(),
                None => {
                    let c = Arc::new(SegmentColumns::read(reader)?);
                    map.insert(id, c.clone());
                    c
                }
            };
            out.push(columns);
        }
        if map.len() > readers.len() {
            map.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
        }
        Ok(out)
    }
}
