//! The tantivy index: schema, writing, queries.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

use duken_core::Lang;
use tantivy::collector::Count;
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{
    Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use crate::analysis::{self, DukenTokenizer, WordForms};
use crate::collect::{
    F_ATTRS, F_AVAIL, F_BRAND, F_CATS, F_CREATED, F_OFFERS, F_PID, F_PRICE, F_SELLERS, Filters, MAX_ATTR_GROUPS, SEP,
    SearchCollector,
};
use crate::columns::ColumnCache;
use crate::{
    Change, Facets, MAX_OFFSET, ProductDoc, SearchError, SearchQuery, SearchResults, Sort, Suggestion, SuggestionKind,
};

/// Bump when the schema or the analysis changes: an index on disk with another version is wiped.
pub const SCHEMA_VERSION: &str = "duken-search-2";
/// Writer heap for [`SearchIndex::apply`] (one indexing thread).
pub const APPLY_HEAP_BYTES: usize = 32_000_000;
/// Writer heap for [`SearchIndex::rebuild`], split over two indexing threads.
pub const REBUILD_HEAP_BYTES: usize = 192_000_000;
const VERSION_FILE: &str = "duken-search.version";
/// The words a prefix stands for, per field (see `SearchIndex::prefix_terms`).
pub const MAX_PREFIX_TERMS: usize = 16;
/// Terms of the dictionary read per segment to choose them.
const PREFIX_SCAN_TERMS: usize = 512;
/// A word whose exact forms are in at least this many documents is known: it is searched as
/// typed, without typo-tolerant forms.
pub const KNOWN_WORD_DOCS: u64 = 10;
const TOKENIZER: &str = "duken";

/// Threads one query is searched on, one segment each: as many as the machine has cores, up
/// to four. A rebuilt index is merged into this many segments of about equal size, so that a
/// query matching a hundred thousand products (every match is scored and counted in the
/// facets) is answered by all cores at once. Concurrent queries gain nothing from it (the
/// cores are busy anyway); it shortens one query, it does not raise throughput.
fn search_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4)
}

/// The fast field the index is sorted by (the city's KATO code as a number): a city's documents
/// are one run of doc ids in every segment, so a query skips other cities' postings by whole
/// blocks instead of decoding, scoring and discarding them.
const F_CITY_ORDER: &str = "city_order";

fn settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField { field: F_CITY_ORDER.to_owned(), order: Order::Asc }),
        ..IndexSettings::default()
    }
}

/// KATO codes are digits; anything else sorts after them, together.
fn city_order(city: &str) -> u64 {
    city.parse().unwrap_or(u64::MAX)
}

#[derive(Clone, Copy)]
struct Fields {
    pid: Field,
    primary: Field,
    city: Field,
    city_order: Field,
    price: Field,
    avail: Field,
    offers: Field,
    created: Field,
    cats: Field,
    sellers: Field,
    brand: Field,
    attrs: Field,
    t_kk: Field,
    t_ru: Field,
    t_en: Field,
    bm: Field,
    body: Field,
    st_kk: Field,
    st_ru: Field,
    st_en: Field,
    s_brand: Field,
    s_cat: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(TOKENIZER).set_index_option(IndexRecordOption::WithFreqs),
    );
    let raw_basic = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        pid: b.add_i64_field(F_PID, INDEXED | FAST),
        primary: b.add_u64_field("primary", INDEXED),
        city: b.add_text_field("city", STRING),
        city_order: b.add_u64_field(F_CITY_ORDER, FAST),
        price: b.add_u64_field(F_PRICE, FAST),
        avail: b.add_u64_field(F_AVAIL, FAST),
        offers: b.add_u64_field(F_OFFERS, FAST),
        created: b.add_i64_field(F_CREATED, FAST),
        cats: b.add_i64_field(F_CATS, FAST),
        sellers: b.add_i64_field(F_SELLERS, FAST),
        brand: b.add_text_field(F_BRAND, TextOptions::default().set_fast("raw")),
        attrs: b.add_text_field(F_ATTRS, TextOptions::default().set_fast("raw")),
        t_kk: b.add_text_field("t_kk", text.clone()),
        t_ru: b.add_text_field("t_ru", text.clone()),
        t_en: b.add_text_field("t_en", text.clone()),
        bm: b.add_text_field("bm", text.clone()),
        body: b.add_text_field("body", text),
        st_kk: b.add_text_field("st_kk", STORED),
        st_ru: b.add_text_field("st_ru", STORED),
        st_en: b.add_text_field("st_en", STORED),
        s_brand: b.add_text_field("s_brand", raw_basic.clone()),
        s_cat: b.add_text_field("s_cat", raw_basic),
    };
    (b.build(), fields)
}

/// The product search index. `Send + Sync`: share it in an `Arc`.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    columns: ColumnCache,
}

impl SearchIndex {
    /// Opens the index in `dir` (memory-mapped), creating it when absent. An index written with
    /// another [`SCHEMA_VERSION`], or one that cannot be opened, is wiped and recreated empty:
    /// the caller checks [`SearchIndex::is_empty`] and reindexes.
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let version_path = dir.join(VERSION_FILE);
        let on_disk = std::fs::read_to_string(&version_path).ok();
        let (schema, fields) = schema();
        let opened = if on_disk.as_deref() == Some(SCHEMA_VERSION) { Index::open_in_dir(dir).ok() } else { None };
        let index = match opened {
            Some(index) if index.schema() == schema && *index.settings() == settings() => index,
            _ => {
                // Never wipe a directory that is not a search index (a wrong path in the config).
                let ours = dir.join("meta.json").exists() || version_path.exists();
                if !ours && std::fs::read_dir(dir)?.next().is_some() {
                    return Err(SearchError::Io(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("{} is neither empty nor a search index", dir.display()),
                    )));
                }
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                let index = Index::builder().schema(schema).settings(settings()).create_in_dir(dir)?;
                std::fs::write(&version_path, SCHEMA_VERSION)?;
                index
            }
        };
        Self::from_index(index, fields)
    }

    /// An index in memory, for tests.
    pub fn in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::from_index(Index::builder().schema(schema).settings(settings()).create_in_ram()?, fields)
    }

    fn from_index(mut index: Index, fields: Fields) -> Result<Self, SearchError> {
        index.tokenizers().register(TOKENIZER, DukenTokenizer::default());
        if search_threads() > 1 {
            index.set_multithread_executor(search_threads())?;
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer_with_num_threads(1, APPLY_HEAP_BYTES)?;
        let index =
            SearchIndex { index, reader, writer: Mutex::new(Some(writer)), fields, columns: ColumnCache::default() };
        index.warm()?;
        Ok(index)
    }

    /// Copies the columns of new segments now, so that no query waits for it.
    fn warm(&self) -> Result<(), SearchError> {
        self.columns.for_searcher(&self.reader.searcher())?;
        Ok(())
    }

    /// True when no product is searchable (fresh or wiped index).
    pub fn is_empty(&self) -> bool {
        self.doc_count() == 0
    }

    /// Products with at least one priced offer in the index.
    pub fn doc_count(&self) -> u64 {
        let query = TermQuery::new(Term::from_field_u64(self.fields.primary, 1), IndexRecordOption::Basic);
        self.reader.searcher().search(&query, &Count).map_or(0, |n| n as u64)
    }

    /// Upserts or deletes products, commits and makes the change visible before returning.
    pub fn apply(&self, changes: Vec<Change>) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let writer = match guard.as_mut() {
            Some(w) => w,
            None => guard.insert(self.index.writer_with_num_threads(1, APPLY_HEAP_BYTES)?),
        };
        let result = (|| -> Result<(), SearchError> {
            for change in changes {
                match change {
                    Change::Upsert(product) => {
                        writer.delete_term(Term::from_field_i64(self.fields.pid, product.product_id));
                        for doc in self.documents(&product) {
                            writer.add_document(doc)?;
                        }
                    }
                    Change::Delete { product_id } => {
                        writer.delete_term(Term::from_field_i64(self.fields.pid, product_id));
                    }
                }
            }
            writer.commit()?;
            Ok(())
        })();
        if result.is_err() {
            // Leave nothing half-applied for the next call to commit.
            let _ = writer.rollback();
        }
        result?;
        self.reader.reload()?;
        self.warm()
    }

    /// Deletes everything and indexes `products` (streamed) with a large writer heap, committing
    /// once at the end. Returns the number of products read. Products without a priced offer are
    /// not searchable and are not counted by [`SearchIndex::doc_count`].
    pub fn rebuild(&self, products: impl Iterator<Item = ProductDoc>) -> Result<u64, SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        // Only one writer may exist: drop the small one first.
        if let Some(old) = guard.take() {
            old.wait_merging_threads()?;
        }
        let result = (|| -> Result<u64, SearchError> {
            let mut writer: IndexWriter = self.index.writer_with_num_threads(2, REBUILD_HEAP_BYTES)?;
            // The merges below are the only ones: a background merge the default policy starts
            // after the commit would hold segments they name, and fail them.
            writer.set_merge_policy(Box::new(NoMergePolicy));
            writer.delete_all_documents()?;
            let mut count = 0u64;
            for product in products {
                for doc in self.documents(&product) {
                    writer.add_document(doc)?;
                }
                count += 1;
            }
            writer.commit()?;
            // Queries pay per segment (scorers, fuzzy automata over each term dictionary) and
            // are searched one segment per thread: a rebuilt index is merged, once, before it
            // serves, into one segment per search thread, of about equal size.
            let metas = self.index.searchable_segment_metas()?;
            let groups = balanced_groups(metas.iter().map(|m| (m.id(), m.num_docs())), search_threads());
            let merges: Vec<_> = groups.iter().filter(|g| g.len() > 1).map(|g| writer.merge(g)).collect();
            for merge in merges {
                merge.wait()?;
            }
            writer.wait_merging_threads()?;
            Ok(count)
        })();
        let writer = guard.insert(self.index.writer_with_num_threads(1, APPLY_HEAP_BYTES)?);
        self.reader.reload()?;
        // The files of the segments merged away and of the index before the rebuild: the
        // reader has moved on from them.
        writer.garbage_collect_files().wait()?;
        self.warm()?;
        result
    }

    /// The tantivy documents of a product: one per city with a priced offer.
    fn documents(&self, p: &ProductDoc) -> Vec<TantivyDocument> {
        struct CityAgg {
            min_all: u64,
            min_available: Option<u64>,
            offers: u64,
            sellers: BTreeSet<i64>,
        }
        let f = &self.fields;
        let mut cities: BTreeMap<&str, CityAgg> = BTreeMap::new();
        for o in &p.offers {
            let city = o.city_kato.trim();
            let Ok(price) = u64::try_from(o.price_tiyn) else { continue };
            if city.is_empty() {
                continue;
            }
            let agg = cities.entry(city).or_insert(CityAgg {
                min_all: u64::MAX,
                min_available: None,
                offers: 0,
                sellers: BTreeSet::new(),
            });
            agg.min_all = agg.min_all.min(price);
            if o.available {
                agg.min_available = Some(agg.min_available.map_or(price, |m| m.min(price)));
            }
            agg.offers += 1;
            agg.sellers.insert(o.seller_id);
        }
        if cities.is_empty() {
            return Vec::new();
        }

        // Everything but the city part is the same for every city: build it once.
        let mut base = TantivyDocument::default();
        base.add_i64(f.pid, p.product_id);
        base.add_i64(f.created, p.created_at_unix);
        let cats: BTreeSet<i64> = p.category_path.iter().copied().chain([p.category_id]).collect();
        for c in &cats {
            base.add_i64(f.cats, *c);
        }
        let brand = p.brand.trim();
        let brand_key = brand.to_lowercase();
        if !brand.is_empty() {
            base.add_text(f.brand, format!("{brand_key}{SEP}{brand}"));
        }
        let mut attr_values = String::new();
        for (code, value) in &p.attributes {
            let (code, value) = (code.trim(), value.trim());
            if code.is_empty() || value.is_empty() || code.contains(SEP) {
                continue;
            }
            base.add_text(f.attrs, format!("{code}{SEP}{value}"));
            attr_values.push_str(value);
            attr_values.push(' ');
        }
        base.add_text(f.t_kk, &p.title_kk);
        base.add_text(f.t_ru, &p.title_ru);
        base.add_text(f.t_en, &p.title_en);
        base.add_text(f.bm, format!("{} {}", p.brand, p.model));
        let body = [
            p.description_kk.as_str(),
            &p.description_ru,
            &p.description_en,
            &p.category_names.join(" "),
            &attr_values,
        ]
        .join(" \n ");
        base.add_text(f.body, body);
        base.add_text(f.st_kk, &p.title_kk);
        base.add_text(f.st_ru, &p.title_ru);
        base.add_text(f.st_en, &p.title_en);

        // Suggestion terms (without the city prefix): one per word start of each name.
        let mut brand_terms = Vec::new();
        if !brand.is_empty() {
            for key in word_starts(brand) {
                brand_terms.push(format!("{key}{SEP}{brand}"));
            }
        }
        let mut cat_terms = BTreeSet::new();
        let per_level = if !p.category_path.is_empty() && p.category_names.len().is_multiple_of(p.category_path.len()) {
            Some(p.category_names.len() / p.category_path.len())
        } else {
            None
        };
        for (i, name) in p.category_names.iter().enumerate() {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let id = match per_level {
                Some(n) if n > 0 => p.category_path[i / n],
                _ => p.category_id,
            };
            for key in word_starts(name) {
                cat_terms.insert(format!("{key}{SEP}{id}{SEP}{name}"));
            }
        }

        let mut docs = Vec::with_capacity(cities.len());
        for (i, (city, agg)) in cities.into_iter().enumerate() {
            let mut doc = base.clone();
            if i == 0 {
                doc.add_u64(f.primary, 1);
            }
            doc.add_text(f.city, city);
            doc.add_u64(f.city_order, city_order(city));
            doc.add_u64(f.price, agg.min_available.unwrap_or(agg.min_all));
            doc.add_u64(f.avail, u64::from(agg.min_available.is_some()));
            doc.add_u64(f.offers, agg.offers);
            for s in &agg.sellers {
                doc.add_i64(f.sellers, *s);
            }
            for t in &brand_terms {
                doc.add_text(f.s_brand, format!("{city}{SEP}{t}"));
            }
            for t in &cat_terms {
                doc.add_text(f.s_cat, format!("{city}{SEP}{t}"));
            }
            docs.push(doc);
        }
        docs
    }

    /// Searches; never fails on any user input.
    ///
    /// Every word matches its exact forms; a word the index does not know (see
    /// [`KNOWN_WORD_DOCS`]) also matches typo-tolerant forms, and the last word also the words it
    /// begins (both ranked below exact matches). Words are AND-ed, and OR-ed when that finds
    /// nothing.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let words = analysis::query_words(&q.text);
        if words.is_empty() && !q.text.trim().is_empty() {
            // Text without a word search can use (emoji, punctuation, a "word" of 10 kB): nothing
            // matches it. Without text the query browses every product; with such text, showing
            // every product would answer a question nobody asked.
            return Ok(SearchResults::default());
        }
        let city = q.city_kato.trim();
        let limit = q.limit.clamp(1, 100);
        let offset = q.offset.min(MAX_OFFSET);
        let filters = filters(q);
        let searcher = self.reader.searcher();
        let scored = !words.is_empty() && q.sort == Sort::Relevance;
        let columns = self.columns.for_searcher(&searcher)?;
        let collector = SearchCollector { filters, sort: q.sort, scored, offset, limit, facets: true, columns };
        let city_query = self.city_query(city);
        let mut relaxed = false;
        let gathered = if words.is_empty() {
            searcher.search(&*city_query, &collector)?
        } else {
            // Typo-tolerant forms (automata over the whole term dictionary, then a union of every
            // term they accept: the expensive part) only for words the index does not know: a
            // word found in many products is taken as typed. The last word may be cut short
            // (typing): its prefix forms always count.
            let expand: Vec<bool> = words.iter().map(|w| !self.is_known(&searcher, w)).collect();
            let text = self.text_query(&searcher, &words, q.lang, Occur::Must, TextScope::All, &expand);
            let query = BooleanQuery::new(vec![(Occur::Must, city_query.box_clone()), (Occur::Must, text)]);
            let found = searcher.search(&query, &collector)?;
            if found.total == 0 && words.len() > 1 {
                let text = self.text_query(&searcher, &words, q.lang, Occur::Should, TextScope::All, &expand);
                let query = BooleanQuery::new(vec![(Occur::Must, city_query), (Occur::Must, text)]);
                relaxed = true;
                searcher.search(&query, &collector)?
            } else {
                found
            }
        };
        let mut attributes: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
        for (key, n) in gathered.attrs {
            if let Some((code, value)) = key.split_once(SEP) {
                attributes.entry(code.to_owned()).or_default().push((value.to_owned(), n));
            }
        }
        let facets = Facets {
            categories: top(gathered.categories.into_iter().collect(), usize::MAX),
            brands: top(
                gathered
                    .brands
                    .into_iter()
                    .map(|(k, n)| (k.split_once(SEP).map_or(k.clone(), |(_, d)| d.to_owned()), n))
                    .collect(),
                30,
            ),
            sellers: top(gathered.sellers.into_iter().collect(), 30),
            attributes: attributes.into_iter().map(|(code, values)| (code, top(values, 20))).collect(),
            price_min_tiyn: gathered.price_min.map(|p| i64::try_from(p).unwrap_or(i64::MAX)),
            price_max_tiyn: gathered.price_max.map(|p| i64::try_from(p).unwrap_or(i64::MAX)),
            available_count: gathered.available_count,
        };
        Ok(SearchResults { total: gathered.total, hits: gathered.hits, facets, relaxed })
    }

    /// The indexed words of `field` that begin with `prefix` (other than `exact`, queried anyway):
    /// at most [`MAX_PREFIX_TERMS`], the most frequent first, among the first
    /// [`PREFIX_SCAN_TERMS`] in order. Like a search engine's `max_expansions`: a short prefix
    /// would otherwise pull in thousands of rare words and their postings.
    fn prefix_terms(&self, searcher: &tantivy::Searcher, field: Field, prefix: &str, exact: &[String]) -> Vec<Term> {
        terms_by_frequency(searcher, field, prefix, PREFIX_SCAN_TERMS)
            .unwrap_or_default()
            .into_iter()
            .filter(|(bytes, _)| !exact.iter().any(|e| e.as_bytes() == bytes.as_slice()))
            .take(MAX_PREFIX_TERMS)
            .filter_map(|(bytes, _)| String::from_utf8(bytes).ok())
            .map(|text| Term::from_field_text(field, &text))
            .collect()
    }

    /// True when the word's exact forms occur in at least [`KNOWN_WORD_DOCS`] documents of the
    /// searchable fields (term dictionary lookups only).
    fn is_known(&self, searcher: &tantivy::Searcher, word: &WordForms) -> bool {
        let f = &self.fields;
        let mut docs = 0u64;
        for field in [f.t_kk, f.t_ru, f.t_en, f.bm, f.body] {
            for token in &word.tokens {
                docs += searcher.doc_freq(&Term::from_field_text(field, token)).unwrap_or(0);
                if docs >= KNOWN_WORD_DOCS {
                    return true;
                }
            }
        }
        false
    }

    fn city_query(&self, city: &str) -> Box<dyn Query> {
        let term = Term::from_field_text(self.fields.city, city);
        Box::new(ConstScoreQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::Basic)), 0.0))
    }

    /// The text part of a query: one clause per word, combined with `occur`.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        words: &[WordForms],
        lang: Lang,
        occur: Occur,
        scope: TextScope,
        expand: &[bool],
    ) -> Box<dyn Query> {
        let f = &self.fields;
        let (lang_title, other_titles) = match lang {
            Lang::Kk => (f.t_kk, [f.t_ru, f.t_en]),
            Lang::Ru => (f.t_ru, [f.t_kk, f.t_en]),
            Lang::En => (f.t_en, [f.t_kk, f.t_ru]),
        };
        let mut exact_fields = vec![(lang_title, 3.0f32), (other_titles[0], 2.0), (other_titles[1], 2.0)];
        if scope == TextScope::All {
            exact_fields.push((f.bm, 2.0));
            exact_fields.push((f.body, 0.7));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let last = i + 1 == words.len();
            let mut word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in &exact_fields {
                for t in &w.tokens {
                    let term = Term::from_field_text(*field, t);
                    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                    word.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), *boost))));
                }
            }
            // Fuzzy and prefix only on the short fields, and only for the first words: they are
            // the expensive part of a query.
            let fuzzy_fields = &exact_fields[..exact_fields.len().min(4)];
            let expand = expand.get(i).copied().unwrap_or(false);
            if expand && i < 8 {
                for text in std::iter::once(&w.key).chain(w.light.as_ref()) {
                    let letters = text.chars().count();
                    let distance = match letters {
                        0..=4 => 0,
                        5..=8 => 1,
                        _ => 2,
                    };
                    if distance > 0 {
                        for (field, boost) in fuzzy_fields {
                            let q = FuzzyTermQuery::new(Term::from_field_text(*field, text), distance, true);
                            word.push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(q), 0.4 * boost))));
                        }
                    }
                }
            }
            let digits = w.key.chars().all(|c| c.is_numeric());
            let (prefix_fields, prefix_boost) = if digits {
                // "iphone 1" while typing "iphone 15": digits complete too, in titles only.
                (&exact_fields[..3], 0.5)
            } else {
                (fuzzy_fields, 0.6)
            };
            if last && !w.key.is_empty() && (digits || w.key.chars().count() >= 2) {
                for (field, boost) in prefix_fields {
                    for term in self.prefix_terms(searcher, *field, &w.key, &w.tokens) {
                        let q = TermQuery::new(term, IndexRecordOption::Basic);
                        word.push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(q), prefix_boost * boost))));
                    }
                }
            }
            clauses.push((occur, Box::new(BooleanQuery::new(word))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Completions for the search box: brands and categories whose name (any word of it) starts
    /// with the folded prefix, and product titles (shown in `lang`, falling back to the others)
    /// matching the text with its last word as a prefix. Only things offered in `city_kato`.
    pub fn suggest(
        &self,
        prefix: &str,
        city_kato: &str,
        lang: Lang,
        limit: usize,
    ) -> Result<Vec<Suggestion>, SearchError> {
        let limit = limit.min(100);
        let folded = analysis::folded_phrase(prefix);
        if limit == 0 || folded.is_empty() {
            return Ok(Vec::new());
        }
        let city = city_kato.trim();
        let searcher = self.reader.searcher();
        let brands = self.term_suggestions(&searcher, self.fields.s_brand, city, &folded, limit)?;
        let cats = self.term_suggestions(&searcher, self.fields.s_cat, city, &folded, limit)?;

        let words = analysis::query_words(prefix);
        let mut products = Vec::new();
        if !words.is_empty() {
            // Typing: every word may be cut short or mistyped.
            let text =
                self.text_query(&searcher, &words, lang, Occur::Must, TextScope::Titles, &vec![true; words.len()]);
            let query = BooleanQuery::new(vec![(Occur::Must, self.city_query(city)), (Occur::Must, text)]);
            let collector = SearchCollector {
                filters: Filters::default(),
                sort: Sort::Relevance,
                scored: true,
                offset: 0,
                limit: limit * 2,
                facets: false,
                columns: self.columns.for_searcher(&searcher)?,
            };
            let gathered = searcher.search(&query, &collector)?;
            let (first, rest) = match lang {
                Lang::Kk => (self.fields.st_kk, [self.fields.st_ru, self.fields.st_en]),
                Lang::Ru => (self.fields.st_ru, [self.fields.st_kk, self.fields.st_en]),
                Lang::En => (self.fields.st_en, [self.fields.st_ru, self.fields.st_kk]),
            };
            for (hit, (_, _, address)) in gathered.hits.iter().zip(&gathered.hit_keys) {
                let doc: TantivyDocument = searcher.doc(*address)?;
                let title = [first, rest[0], rest[1]]
                    .iter()
                    .filter_map(|field| doc.get_first(*field).and_then(|v| v.as_str()))
                    .map(str::trim)
                    .find(|t| !t.is_empty());
                if let Some(title) = title {
                    products.push(Suggestion {
                        text: title.to_owned(),
                        kind: SuggestionKind::Product { product_id: hit.product_id },
                    });
                }
            }
        }

        // Brands and categories first (at most a quarter each), then products, then the rest.
        let quota = limit.div_ceil(4);
        let mut out: Vec<Suggestion> = Vec::with_capacity(limit);
        let mut seen: HashSet<(String, SuggestionKind)> = HashSet::new();
        let mut push = |s: Suggestion, out: &mut Vec<Suggestion>| {
            let key = (s.text.to_lowercase(), s.kind.clone());
            if out.len() < limit && seen.insert(key) {
                out.push(s);
            }
        };
        let (brands_first, brands_rest) = brands.split_at(brands.len().min(quota));
        let (cats_first, cats_rest) = cats.split_at(cats.len().min(quota));
        for s in brands_first.iter().chain(cats_first).chain(&products).chain(brands_rest).chain(cats_rest) {
            push(s.clone(), &mut out);
        }
        Ok(out)
    }

    /// Brand or category suggestions: a prefix scan of the `city\u{1}key…` terms, most frequent
    /// first, each checked to still have a live document.
    fn term_suggestions(
        &self,
        searcher: &tantivy::Searcher,
        field: Field,
        city: &str,
        folded: &str,
        limit: usize,
    ) -> Result<Vec<Suggestion>, SearchError> {
        let ranked = terms_by_frequency(searcher, field, &format!("{city}{SEP}{folded}"), 10_000)?;
        let mut out: Vec<Suggestion> = Vec::new();
        let mut seen = HashSet::new();
        for (term, _) in ranked.into_iter().take(limit * 4) {
            if out.len() >= limit {
                break;
            }
            let Ok(text) = std::str::from_utf8(&term) else { continue };
            let live = searcher
                .search(&TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic), &Count)?;
            if live == 0 {
                continue;
            }
            // city, key, [category id,] display name
            let mut parts = text.split(SEP).skip(2);
            let suggestion = if field == self.fields.s_cat {
                let Some(id) = parts.next().and_then(|id| id.parse::<i64>().ok()) else { continue };
                let Some(name) = parts.next() else { continue };
                Suggestion { text: name.to_owned(), kind: SuggestionKind::Category { category_id: id } }
            } else {
                let Some(name) = parts.next() else { continue };
                Suggestion { text: name.to_owned(), kind: SuggestionKind::Brand }
            };
            if seen.insert(suggestion.clone()) {
                out.push(suggestion);
            }
        }
        Ok(out)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TextScope {
    All,
    Titles,
}

/// The terms of `field` beginning with `prefix` (at most `scan` per segment, in order), with
/// their document counts over all segments, the most frequent first.
fn terms_by_frequency(
    searcher: &tantivy::Searcher,
    field: Field,
    prefix: &str,
    scan: usize,
) -> tantivy::Result<Vec<(Vec<u8>, u64)>> {
    let mut upper = prefix.as_bytes().to_vec();
    upper.push(0xFF); // never in UTF-8: bounds every extension of the prefix
    let mut found: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().range().ge(prefix.as_bytes()).lt(&upper).into_stream()?;
        let mut scanned = 0;
        while scanned < scan && stream.advance() {
            scanned += 1;
            *found.entry(stream.key().to_vec()).or_insert(0) += u64::from(stream.value().doc_freq);
        }
    }
    let mut ranked: Vec<(Vec<u8>, u64)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(ranked)
}

/// The folded keys starting at each word of `name`: «Samsung Galaxy» → `samsun galaksi`,
/// `galaksi`.
fn word_starts(name: &str) -> Vec<String> {
    let phrase = analysis::folded_phrase(name);
    let mut out = Vec::new();
    let mut rest = phrase.as_str();
    while !rest.is_empty() {
        out.push(rest.to_owned());
        match rest.split_once(' ') {
            Some((_, tail)) => rest = tail,
            None => break,
        }
    }
    out.truncate(8);
    out
}

fn filters(q: &SearchQuery) -> Filters {
    let mut brands: Vec<String> =
        q.brands.iter().map(|b| b.trim().to_lowercase()).filter(|b| !b.is_empty() && !b.contains(SEP)).collect();
    brands.sort();
    brands.dedup();
    let mut sellers = q.sellers.clone();
    sellers.sort_unstable();
    sellers.dedup();
    let mut attrs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (code, values) in &q.attributes {
        let code = code.trim();
        if code.is_empty() || code.contains(SEP) {
            continue;
        }
        let set = attrs.entry(code.to_owned()).or_default();
        set.extend(values.iter().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()));
    }
    let attrs: Vec<(String, Vec<String>)> = attrs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(c, v)| (c, v.into_iter().collect()))
        .take(MAX_ATTR_GROUPS)
        .collect();
    Filters {
        category: q.category_id,
        brands,
        sellers,
        attrs,
        price_min: q.price_min_tiyn.map(|p| u64::try_from(p).unwrap_or(0)),
        price_max: q.price_max_tiyn.map(|p| u64::try_from(p).unwrap_or(0)),
        available_only: q.available_only,
    }
}

/// Splits sized items into at most `n` groups of about equal total size (largest first, each
/// into the smallest group so far).
fn balanced_groups<T>(items: impl Iterator<Item = (T, u32)>, n: usize) -> Vec<Vec<T>> {
    let mut items: Vec<(T, u32)> = items.collect();
    items.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    let mut groups: Vec<(u64, Vec<T>)> = (0..n.max(1)).map(|_| (0, Vec::new())).collect();
    for (item, size) in items {
        if let Some(smallest) = groups.iter_mut().min_by_key(|(total, _)| *total) {
            smallest.0 += u64::from(size);
            smallest.1.push(item);
        }
    }
    groups.into_iter().map(|(_, g)| g).filter(|g| !g.is_empty()).collect()
}

/// Sorted by count descending, then key ascending; at most `n`.
fn top<K: Ord>(mut items: Vec<(K, u64)>, n: usize) -> Vec<(K, u64)> {
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    items.truncate(n);
    items
}

#[cfg(test)]
mod tests {
    use super::balanced_groups;

    #[test]
    fn segments_are_merged_into_groups_of_about_equal_size() {
        let sizes = [(1, 900), (2, 500), (3, 400), (4, 100), (5, 100)];
        let groups = balanced_groups(sizes.into_iter(), 2);
        let totals: Vec<u32> =
            groups.iter().map(|g| g.iter().map(|id| sizes.iter().find(|(i, _)| i == id).unwrap().1).sum()).collect();
        assert_eq!(totals, [1000, 1000]);
        // Fewer items than groups: no empty group; one group when one thread searches.
        assert_eq!(balanced_groups([(7, 10)].into_iter(), 4), [vec![7]]);
        assert_eq!(balanced_groups(sizes.into_iter(), 1).concat().len(), 5);
        assert!(balanced_groups(std::iter::empty::<(u8, u32)>(), 2).is_empty());
    }
}
