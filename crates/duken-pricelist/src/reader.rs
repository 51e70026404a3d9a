//! The streaming reader: quick-xml events over a newline-counting `BufRead`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{self, BufRead, Read};

use duken_core::Money;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::escape::EscapeError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::{
    Availability, CityPrice, Directory, FileError, Header, Limits, MAX_KEPT_PROBLEMS, Offer, Problem, Reason, Summary,
};

const NAMESPACE: &str = "kaspiShopping";
const ROOT: &str = "kaspi_catalog";
const MAX_SKU_CHARS: usize = 64;
const MAX_MODEL_CHARS: usize = 1024;
const MAX_PRICE_TENGE: u64 = 1_000_000_000;
const MAX_PRE_ORDER_DAYS: u16 = 60;
const DETAIL_CHARS: usize = 100;

/// A `BufRead` that counts the newlines of every byte quick-xml consumes, and refuses to hand
/// out more than `event_cap` bytes for one event, so that no single event can grow the buffer
/// without bound (a 1 GB text node is an error after a few KB, not after 1 GB of memory).
struct Counting<R> {
    inner: R,
    newlines: u64,
    event_bytes: usize,
    event_cap: usize,
    over_cap: bool,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.event_bytes > self.event_cap {
            self.over_cap = true;
            return Err(io::Error::other("event too long"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        // The bytes being consumed are the start of the inner buffer, which the previous
        // `fill_buf` returned: asking again does no I/O.
        if let Ok(available) = self.inner.fill_buf() {
            self.newlines += count_newlines(&available[..amt.min(available.len())]);
        }
        self.event_bytes += amt;
        self.inner.consume(amt);
    }
}

/// Counts in byte lanes (a `usize` count vectorises poorly).
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.chunks(255).map(|chunk| u64::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')))).sum()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing read yet.
    Prolog,
    /// Inside `<offers>`.
    Offers,
    /// After the document's end (or an error).
    Done,
}

/// The XML layer: events with line numbers, depth and entity checks, and error mapping.
struct Xml<R> {
    reader: Reader<Counting<R>>,
    buf: Vec<u8>,
    /// The current event's content (a start tag without `<` and `>`, or text).
    content: String,
    name_len: usize,
    /// Where the event being read starts.
    event_line: u64,
    depth: usize,
    limits: Limits,
}

#[derive(Clone, Copy)]
enum Kind {
    Start,
    Empty,
    End,
    Text,
    Eof,
}

/// What [`Xml::next`] returns; comments, processing instructions and the declaration are
/// consumed (and checked) inside.
enum Ev<'b> {
    Start(BytesStart<'b>),
    Empty(BytesStart<'b>),
    End,
    Text(Cow<'b, str>),
    Eof,
}

impl<R: BufRead> Xml<R> {
    fn line(&self) -> u64 {
        self.reader.get_ref().newlines + 1
    }

    /// Checks the first bytes: a UTF-16 BOM is a bad encoding, anything but markup (after a
    /// UTF-8 BOM and whitespace) is not XML: a PNG or a JSON document fails here, before any
    /// text decoding.
    fn sniff(&mut self) -> Result<(), FileError> {
        let inner = &mut self.reader.get_mut().inner;
        let head = inner.fill_buf().map_err(|e| FileError::Io(e.to_string()))?;
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            return Err(FileError::BadEncoding { line: 1 });
        }
        let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Ok(()),
            // Whitespace beyond the first buffer: let the parser decide.
            None if !head.is_empty() => Ok(()),
            _ => Err(FileError::NotXml { line: 1 }),
        }
    }

    /// The next event, returned with the line where it starts.
    fn next(&mut self) -> Result<(u64, Ev<'_>), FileError> {
        let (line, kind) = loop {
            if let Some(found) = self.read_one()? {
                break found;
            }
        };
        let ev = match kind {
            Kind::Start => Ev::Start(BytesStart::from_content(self.content.as_str(), self.name_len)),
            Kind::Empty => Ev::Empty(BytesStart::from_content(self.content.as_str(), self.name_len)),
            Kind::End => Ev::End,
            Kind::Text => Ev::Text(Cow::Borrowed(self.content.as_str())),
            Kind::Eof => Ev::Eof,
        };
        Ok((line, ev))
    }

    /// Reads one event and copies what [`Xml::next`] needs into `content` (the event itself
    /// borrows `buf`, which a loop cannot hand out); `None` for events that are only checked.
    fn read_one(&mut self) -> Result<Option<(u64, Kind)>, FileError> {
        let line = self.line();
        self.event_line = line;
        self.buf.clear();
        self.reader.get_mut().event_bytes = 0;
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(e) => return Err(self.map_error(e)),
        };
        self.content.clear();
        let kind = match event {
            Event::Start(s) => {
                self.depth += 1;
                if self.depth > self.limits.max_depth {
                    return Err(FileError::TooDeep { line });
                }
                check_attributes(&s, line, self.limits.max_text_len)?;
                self.content.push_str(&s);
                self.name_len = s.name().0.len();
                Kind::Start
            }
            Event::Empty(s) => {
                if self.depth + 1 > self.limits.max_depth {
                    return Err(FileError::TooDeep { line });
                }
                check_attributes(&s, line, self.limits.max_text_len)?;
                self.content.push_str(&s);
                self.name_len = s.name().0.len();
                Kind::Empty
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                Kind::End
            }
            Event::Text(t) => {
                self.content.push_str(&t);
                Kind::Text
            }
            Event::CData(c) => {
                self.content.push_str(&c);
                Kind::Text
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch,
                    Ok(None) => match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        name => return Err(FileError::UnknownEntity { line, name: detail(name) }),
                    },
                    Err(_) => return Err(FileError::NotXml { line }),
                };
                self.content.push(ch);
                Kind::Text
            }
            Event::DocType(_) => return Err(FileError::Doctype { line }),
            Event::Decl(d) => {
                if let Some(encoding) = d.encoding() {
                    let encoding = encoding.map_err(|_| FileError::NotXml { line })?;
                    if !["utf-8", "utf8", "us-ascii", "ascii"].iter().any(|e| encoding.eq_ignore_ascii_case(e)) {
                        return Err(FileError::BadEncoding { line });
                    }
                }
                return Ok(None);
            }
            Event::Comment(_) | Event::PI(_) => return Ok(None),
            Event::Eof => {
                if self.depth > 0 {
                    return Err(FileError::Truncated { line });
                }
                Kind::Eof
            }
        };
        Ok(Some((line, kind)))
    }

    fn map_error(&self, e: XmlError) -> FileError {
        let line = self.line();
        match e {
            XmlError::Io(e) => {
                if self.reader.get_ref().over_cap {
                    // A DOCTYPE too long to read whole is still a DOCTYPE.
                    let head = self.buf.strip_prefix(b"<").unwrap_or(&self.buf);
                    if head.len() >= 8 && head[0] == b'!' && head[1..8].eq_ignore_ascii_case(b"DOCTYPE") {
                        return FileError::Doctype { line: self.event_line };
                    }
                    FileError::TextTooLong { line }
                } else {
                    FileError::Io(e.to_string())
                }
            }
            XmlError::Syntax(SyntaxError::InvalidBangMarkup) => FileError::NotXml { line },
            XmlError::Syntax(_) | XmlError::IllFormed(IllFormedError::MissingEndTag(_)) => {
                FileError::Truncated { line }
            }
            XmlError::Encoding(_) => FileError::BadEncoding { line },
            XmlError::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
                FileError::UnknownEntity { line, name: detail(&name) }
            }
            _ => FileError::NotXml { line },
        }
    }

    /// Reads the events of the element just opened, up to and including its end.
    fn skip(&mut self) -> Result<(), FileError> {
        let target = self.depth - 1;
        loop {
            let (_, ev) = self.next()?;
            if matches!(ev, Ev::End) && self.depth == target {
                return Ok(());
            }
        }
    }

    /// The text of the element just opened, up to and including its end; nested elements are
    /// skipped.
    fn text(&mut self, out: &mut String) -> Result<(), FileError> {
        out.clear();
        let max = self.limits.max_text_len;
        loop {
            let (line, ev) = self.next()?;
            match ev {
                Ev::Text(t) => {
                    if out.len() + t.len() > max {
                        return Err(FileError::TextTooLong { line });
                    }
                    out.push_str(&t);
                }
                Ev::Start(_) => self.skip()?,
                Ev::Empty(_) => {}
                Ev::End => return Ok(()),
                Ev::Eof => return Err(FileError::Truncated { line }),
            }
        }
    }
}

/// Every attribute, of every element (ignored ones too), is well-formed, unique, has only known
/// entities and is not too long.
fn check_attributes(s: &BytesStart<'_>, line: u64, max: usize) -> Result<(), FileError> {
    if s.attributes_raw().trim_ascii().is_empty() {
        return Ok(());
    }
    for attr in s.attributes() {
        attr_value(attr, line, max)?;
    }
    Ok(())
}

fn attr_value<'a>(
    attr: Result<quick_xml::events::attributes::Attribute<'a>, quick_xml::events::attributes::AttrError>,
    line: u64,
    max: usize,
) -> Result<(&'a str, Cow<'a, str>), FileError> {
    let attr = attr.map_err(|_| FileError::NotXml { line })?;
    let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| match e {
        XmlError::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            FileError::UnknownEntity { line, name: detail(&name) }
        }
        _ => FileError::NotXml { line },
    })?;
    if value.len() > max {
        return Err(FileError::TextTooLong { line });
    }
    Ok((attr.key.local_name().into_inner(), value))
}

/// Calls `f(name, value)` for each attribute (already checked by [`check_attributes`]).
fn for_attributes(
    s: &BytesStart<'_>,
    line: u64,
    max: usize,
    mut f: impl FnMut(&str, Cow<'_, str>),
) -> Result<(), FileError> {
    for attr in s.attributes().with_checks(false) {
        let (name, value) = attr_value(attr, line, max)?;
        f(name, value);
    }
    Ok(())
}

fn name_of<'a>(s: &'a BytesStart<'_>) -> &'a str {
    s.local_name().into_inner()
}

/// Newlines before the first non-whitespace character: the line of junk text, not of the
/// whitespace before it.
fn leading_newlines(text: &str) -> u64 {
    let junk = text.trim_ascii_start();
    text[..text.len() - junk.len()].bytes().filter(|&b| b == b'\n').count() as u64
}

fn detail(value: &str) -> String {
    value.chars().take(DETAIL_CHARS).collect()
}

/// An offer as read: values are parsed while reading (no copy of their text unless they are
/// bad); what needs the directory or the whole offer is checked in [`check`].
#[derive(Default)]
struct Draft {
    line: u64,
    sku: Option<String>,
    model: Option<String>,
    brand: Option<String>,
    /// `<price>`: `Some(None)` when present but bad (the problem is in `value_problems`).
    price: Option<Option<Money>>,
    /// Store ids are checked later; bad values give a placeholder here and a problem below.
    availabilities: Vec<Availability>,
    /// City ids are checked later; a bad price gives a placeholder here and a problem below.
    city_prices: Vec<CityPrice>,
    /// Bad values, in document order, with the offending text.
    value_problems: Vec<(Reason, String)>,
}

/// Reads a Kaspi price list offer by offer. See the crate documentation.
pub struct PriceListReader<R: BufRead> {
    xml: Xml<R>,
    state: State,
    header: Option<Header>,
    failed: Option<FileError>,
    skus: HashSet<String>,
    offers: usize,
    text: String,
}

impl<R: BufRead> PriceListReader<R> {
    pub fn new(reader: R, limits: Limits) -> Self {
        let counting = Counting {
            inner: reader,
            newlines: 0,
            event_bytes: 0,
            // Room for a tag with several attributes at the longest allowed value.
            event_cap: limits.max_text_len.saturating_mul(4).saturating_add(4096),
            over_cap: false,
        };
        let mut reader = Reader::from_reader(counting);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.allow_dangling_amp = false;
        config.trim_text(false);
        PriceListReader {
            xml: Xml {
                reader,
                buf: Vec::with_capacity(1024),
                content: String::with_capacity(1024),
                name_len: 0,
                event_line: 1,
                depth: 0,
                limits,
            },
            state: State::Prolog,
            header: None,
            failed: None,
            skus: HashSet::new(),
            offers: 0,
            text: String::new(),
        }
    }

    /// Reads up to and including `<merchantid>` and `<company>` (either order), which come
    /// before `<offers>`. Calling it again returns the same header.
    pub fn header(&mut self) -> Result<Header, FileError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if let Some(header) = &self.header {
            return Ok(header.clone());
        }
        let result = self.read_header();
        match &result {
            Ok(header) => self.header = Some(header.clone()),
            Err(error) => self.fail(error.clone()),
        }
        result
    }

    /// The next offer, checked (stores and cities with `dir`, SKUs against the whole file so
    /// far); `Ok(None)` at the clean end of the document. A bad offer is `Ok(Some(Err(_)))`
    /// with all its problems, and the next call goes on with the next offer.
    pub fn next_offer(&mut self, dir: &dyn Directory) -> Result<Option<Result<Offer, Vec<Problem>>>, FileError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.header.is_none() {
            self.header()?;
        }
        if self.state == State::Done {
            return Ok(None);
        }
        match self.read_offer() {
            Ok(Some(draft)) => Ok(Some(check(draft, dir, &mut self.skus))),
            Ok(None) => {
                self.state = State::Done;
                Ok(None)
            }
            Err(error) => {
                self.fail(error.clone());
                Err(error)
            }
        }
    }

    fn fail(&mut self, error: FileError) {
        self.failed = Some(error);
        self.state = State::Done;
    }

    fn read_header(&mut self) -> Result<Header, FileError> {
        debug_assert_eq!(self.state, State::Prolog);
        self.xml.sniff()?;
        let max = self.xml.limits.max_text_len;
        // The root.
        let (date, empty_root) = loop {
            let (line, ev) = self.xml.next()?;
            let (root, empty) = match ev {
                Ev::Start(s) => (s, false),
                Ev::Empty(s) => (s, true),
                Ev::Text(t) if t.trim_ascii().is_empty() => continue,
                Ev::Text(t) => return Err(FileError::NotXml { line: line + leading_newlines(&t) }),
                Ev::End => return Err(FileError::NotXml { line }),
                Ev::Eof => return Err(FileError::Truncated { line }),
            };
            if name_of(&root) != ROOT {
                return Err(FileError::WrongRoot {
                    line,
                    found: detail(&String::from_utf8_lossy(root.name().0.as_bytes())),
                });
            }
            let (mut date, mut xmlns) = (None, None);
            for attr in root.attributes() {
                let attr = attr.map_err(|_| FileError::NotXml { line })?;
                let key = attr.key.0;
                if key == "date" || key == "xmlns" {
                    let (_, value) = attr_value(Ok(attr), line, max)?;
                    if key == "date" {
                        date = Some(value.into_owned());
                    } else {
                        xmlns = Some(value.into_owned());
                    }
                }
            }
            if xmlns.as_deref() != Some(NAMESPACE) {
                return Err(FileError::WrongNamespace { line, found: detail(xmlns.as_deref().unwrap_or("")) });
            }
            break (date, empty);
        };
        let (mut company, mut merchant_id) = (None::<String>, None::<String>);
        let checked = |company: Option<String>, merchant_id: Option<String>| {
            let company = company.filter(|c| !c.is_empty()).ok_or(FileError::MissingCompany)?;
            let merchant_id = merchant_id.filter(|m| !m.is_empty()).ok_or(FileError::MissingMerchantId)?;
            Ok::<_, FileError>(Header { date: date.clone(), company, merchant_id })
        };
        if empty_root {
            checked(company, merchant_id)?;
            return Err(FileError::NoOffers);
        }
        loop {
            let (_, ev) = self.xml.next()?;
            enum Next {
                Company,
                MerchantId,
                Offers { empty: bool },
                Skip,
                Nothing,
                RootEnd,
            }
            let next = match ev {
                Ev::Start(s) => match name_of(&s) {
                    "company" => Next::Company,
                    "merchantid" => Next::MerchantId,
                    "offers" => Next::Offers { empty: false },
                    _ => Next::Skip,
                },
                Ev::Empty(s) => match name_of(&s) {
                    "company" => {
                        company = Some(String::new());
                        Next::Nothing
                    }
                    "merchantid" => {
                        merchant_id = Some(String::new());
                        Next::Nothing
                    }
                    "offers" => Next::Offers { empty: true },
                    _ => Next::Nothing,
                },
                Ev::Text(_) => Next::Nothing,
                Ev::End => Next::RootEnd,
                Ev::Eof => unreachable!("Xml::next reports an end of file inside the root as Truncated"),
            };
            match next {
                Next::Company => {
                    self.xml.text(&mut self.text)?;
                    company = Some(self.text.trim().to_owned());
                }
                Next::MerchantId => {
                    self.xml.text(&mut self.text)?;
                    merchant_id = Some(self.text.trim().to_owned());
                }
                Next::Offers { empty } => {
                    let header = checked(company, merchant_id)?;
                    if empty {
                        return Err(FileError::NoOffers);
                    }
                    self.state = State::Offers;
                    return Ok(header);
                }
                Next::Skip => self.xml.skip()?,
                Next::Nothing => {}
                Next::RootEnd => {
                    checked(company, merchant_id)?;
                    return Err(FileError::NoOffers);
                }
            }
        }
    }

    /// The next `<offer>`, or `None` after the end of the document.
    fn read_offer(&mut self) -> Result<Option<Draft>, FileError> {
        let max = self.xml.limits.max_text_len;
        loop {
            let (line, ev) = self.xml.next()?;
            let (start, empty) = match ev {
                Ev::Start(s) => (s, false),
                Ev::Empty(s) => (s, true),
                Ev::Text(_) => continue,
                Ev::End => {
                    // `</offers>`.
                    if self.offers == 0 {
                        return Err(FileError::NoOffers);
                    }
                    if self.after_offers()? {
                        continue;
                    }
                    return Ok(None);
                }
                Ev::Eof => unreachable!("Xml::next reports an end of file inside the root as Truncated"),
            };
            if name_of(&start) != "offer" {
                if !empty {
                    self.xml.skip()?;
                }
                continue;
            }
            let mut draft = Draft { line, ..Draft::default() };
            for_attributes(&start, line, max, |name, value| {
                if name == "sku" {
                    draft.sku = Some(value.into_owned());
                }
            })?;
            self.offers += 1;
            if self.offers > self.xml.limits.max_offers {
                return Err(FileError::TooManyOffers { limit: self.xml.limits.max_offers });
            }
            if !empty {
                self.read_offer_body(&mut draft)?;
            }
            return Ok(Some(draft));
        }
    }

    /// After `</offers>`: skips to `</kaspi_catalog>` and checks nothing but whitespace,
    /// comments and processing instructions follow. `true` if another `<offers>` comes first.
    fn after_offers(&mut self) -> Result<bool, FileError> {
        loop {
            let (line, ev) = self.xml.next()?;
            match ev {
                Ev::Start(s) if name_of(&s) == "offers" => return Ok(true),
                Ev::Start(_) => self.xml.skip()?,
                Ev::Empty(_) | Ev::Text(_) => {}
                Ev::End => break,
                Ev::Eof => return Err(FileError::Truncated { line }),
            }
        }
        loop {
            let (line, ev) = self.xml.next()?;
            match ev {
                Ev::Text(t) if t.trim_ascii().is_empty() => {}
                Ev::Text(t) => return Err(FileError::NotXml { line: line + leading_newlines(&t) }),
                Ev::Eof => return Ok(false),
                _ => return Err(FileError::NotXml { line }),
            }
        }
    }

    fn read_offer_body(&mut self, draft: &mut Draft) -> Result<(), FileError> {
        #[derive(Clone, Copy)]
        enum Child {
            Model,
            Brand,
            Price,
            Availabilities,
            CityPrices,
            Other,
        }
        loop {
            let (_, ev) = self.xml.next()?;
            let (child, empty) = match ev {
                Ev::Start(s) => (classify(&s), false),
                Ev::Empty(s) => (classify(&s), true),
                Ev::Text(_) => continue,
                Ev::End => return Ok(()),
                Ev::Eof => unreachable!("Xml::next reports an end of file inside the root as Truncated"),
            };
            fn classify(s: &BytesStart<'_>) -> Child {
                match name_of(s) {
                    "model" => Child::Model,
                    "brand" => Child::Brand,
                    "price" => Child::Price,
                    "availabilities" => Child::Availabilities,
                    "cityprices" => Child::CityPrices,
                    _ => Child::Other,
                }
            }
            match (child, empty) {
                (Child::Model, true) => draft.model = Some(String::new()),
                (Child::Brand, true) => draft.brand = None,
                (Child::Price, true) => draft.price = Some(price_or_problem("", &mut draft.value_problems)),
                (Child::Availabilities | Child::CityPrices | Child::Other, true) => {}
                (Child::Model, false) => {
                    self.xml.text(&mut self.text)?;
                    draft.model = Some(self.text.trim().to_owned());
                }
                (Child::Brand, false) => {
                    self.xml.text(&mut self.text)?;
                    let brand = self.text.trim();
                    draft.brand = (!brand.is_empty()).then(|| brand.to_owned());
                }
                (Child::Price, false) => {
                    self.xml.text(&mut self.text)?;
                    draft.price = Some(price_or_problem(&self.text, &mut draft.value_problems));
                }
                (Child::Availabilities, false) => self.read_availabilities(draft)?,
                (Child::CityPrices, false) => self.read_city_prices(draft)?,
                (Child::Other, false) => self.xml.skip()?,
            }
        }
    }

    fn read_availabilities(&mut self, draft: &mut Draft) -> Result<(), FileError> {
        let max = self.xml.limits.max_text_len;
        loop {
            let (line, ev) = self.xml.next()?;
            let (s, empty) = match ev {
                Ev::Start(s) => (s, false),
                Ev::Empty(s) => (s, true),
                Ev::Text(_) => continue,
                Ev::End => return Ok(()),
                Ev::Eof => unreachable!("Xml::next reports an end of file inside the root as Truncated"),
            };
            if name_of(&s) == "availability" {
                let mut a =
                    Availability { store_id: String::new(), available: false, stock_count: None, pre_order_days: 0 };
                let mut available = None;
                let problems = &mut draft.value_problems;
                for_attributes(&s, line, max, |name, value| match name {
                    "storeId" => a.store_id = value.trim().to_owned(),
                    "available" => available = Some(parse_available(&value).ok_or_else(|| detail(&value))),
                    "stockCount" => match value.trim() {
                        "" => a.stock_count = None,
                        text => match parse_unsigned(text).and_then(|n| u32::try_from(n).ok()) {
                            Some(n) => a.stock_count = Some(n),
                            None => problems.push((Reason::BadStockCount, detail(&value))),
                        },
                    },
                    "preOrder" => match value.trim() {
                        "" => a.pre_order_days = 0,
                        text => match parse_unsigned(text).and_then(|n| u16::try_from(n).ok()) {
                            Some(n) if n <= MAX_PRE_ORDER_DAYS => a.pre_order_days = n,
                            _ => problems.push((Reason::BadPreOrder, detail(&value))),
                        },
                    },
                    _ => {}
                })?;
                match available {
                    Some(Ok(available)) => a.available = available,
                    Some(Err(value)) => problems.push((Reason::BadAvailable, value)),
                    None => problems.push((Reason::BadAvailable, String::new())),
                }
                draft.availabilities.push(a);
            }
            if !empty {
                self.xml.skip()?;
            }
        }
    }

    fn read_city_prices(&mut self, draft: &mut Draft) -> Result<(), FileError> {
        let max = self.xml.limits.max_text_len;
        loop {
            let (line, ev) = self.xml.next()?;
            let (s, empty) = match ev {
                Ev::Start(s) => (s, false),
                Ev::Empty(s) => (s, true),
                Ev::Text(_) => continue,
                Ev::End => return Ok(()),
                Ev::Eof => unreachable!("Xml::next reports an end of file inside the root as Truncated"),
            };
            if name_of(&s) != "cityprice" {
                if !empty {
                    self.xml.skip()?;
                }
                continue;
            }
            let mut city_id = String::new();
            for_attributes(&s, line, max, |name, value| {
                if name == "cityId" {
                    city_id = value.trim().to_owned();
                }
            })?;
            let price = if empty {
                price_or_problem("", &mut draft.value_problems)
            } else {
                self.xml.text(&mut self.text)?;
                price_or_problem(&self.text, &mut draft.value_problems)
            };
            draft.city_prices.push(CityPrice { city_id, price: price.unwrap_or(Money::ZERO) });
        }
    }
}

/// Checks a draft; every problem is reported, in this order: SKU, model, stores, cities, bad
/// values (in document order), missing availabilities and prices.
fn check(draft: Draft, dir: &dyn Directory, skus: &mut HashSet<String>) -> Result<Offer, Vec<Problem>> {
    let mut problems: Vec<(Reason, String)> = Vec::new();

    let sku = match &draft.sku {
        None => {
            problems.push((Reason::MissingSku, String::new()));
            String::new()
        }
        Some(sku) => {
            let chars = sku.chars().count();
            if chars == 0 || chars > MAX_SKU_CHARS || sku.chars().any(char::is_control) {
                problems.push((Reason::BadSku, detail(sku)));
            } else if !skus.insert(sku.clone()) {
                problems.push((Reason::DuplicateSku, detail(sku)));
            }
            sku.clone()
        }
    };

    let model = draft.model.unwrap_or_default();
    if model.is_empty() {
        problems.push((Reason::MissingModel, String::new()));
    } else if model.len() > MAX_MODEL_CHARS && model.chars().count() > MAX_MODEL_CHARS {
        problems.push((Reason::ModelTooLong, detail(&model)));
    }

    for (i, a) in draft.availabilities.iter().enumerate() {
        if a.store_id.is_empty() || !dir.has_store(&a.store_id) {
            problems.push((Reason::UnknownStore, detail(&a.store_id)));
        } else if draft.availabilities[..i].iter().any(|b| b.store_id == a.store_id) {
            problems.push((Reason::DuplicateStore, detail(&a.store_id)));
        }
    }
    for (i, c) in draft.city_prices.iter().enumerate() {
        if c.city_id.is_empty() || !dir.has_city(&c.city_id) {
            problems.push((Reason::UnknownCity, detail(&c.city_id)));
        } else if draft.city_prices[..i].iter().any(|d| d.city_id == c.city_id) {
            problems.push((Reason::DuplicateCity, detail(&c.city_id)));
        }
    }
    problems.extend(draft.value_problems);
    if draft.availabilities.is_empty() {
        problems.push((Reason::NoAvailability, String::new()));
    }
    if draft.price.is_none() && draft.city_prices.is_empty() {
        problems.push((Reason::NoPrice, String::new()));
    }

    if problems.is_empty() {
        let price = draft.price.flatten();
        let (availabilities, city_prices, brand) = (draft.availabilities, draft.city_prices, draft.brand);
        Ok(Offer { line: draft.line, sku, model, brand, availabilities, city_prices, price })
    } else {
        let sku = draft.sku.as_deref().map(detail);
        Err(problems
            .into_iter()
            .map(|(reason, detail)| Problem { line: draft.line, sku: sku.clone(), reason, detail })
            .collect())
    }
}

/// `yes`/`no`/`true`/`false`, any case, surrounding whitespace allowed.
fn parse_available(value: &str) -> Option<bool> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("yes") || value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("no") || value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The price, or `None` and a problem with the trimmed text.
fn price_or_problem(text: &str, problems: &mut Vec<(Reason, String)>) -> Option<Money> {
    match parse_price(text) {
        Ok(price) => Some(price),
        Err(reason) => {
            problems.push((reason, detail(text.trim())));
            None
        }
    }
}

/// Digits only (no sign), without overflow.
fn parse_unsigned(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whole tenge, trimmed; `349990.00` is accepted (a fraction of zeros only).
pub(crate) fn parse_price(text: &str) -> Result<Money, Reason> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Reason::BadPrice);
    }
    if let Some(fraction) = fraction
        && (fraction.is_empty() || !fraction.bytes().all(|b| b == b'0'))
    {
        return Err(Reason::BadPrice);
    }
    let digits = whole.trim_start_matches('0');
    let is_zero = digits.is_empty();
    if negative || is_zero {
        return Err(Reason::NonPositivePrice);
    }
    let tenge: u64 = if digits.len() > 12 { u64::MAX } else { digits.parse().map_err(|_| Reason::BadPrice)? };
    if tenge > MAX_PRICE_TENGE {
        return Err(Reason::PriceTooHigh);
    }
    Money::from_tenge(tenge as i64).ok_or(Reason::PriceTooHigh)
}

/// Reads a whole price list: `on_offer` gets every good offer with the number of problems
/// found before it (an importer applies offers only while that is 0); problems are kept up
/// to [`MAX_KEPT_PROBLEMS`] and all counted.
pub fn read_all<R: BufRead>(
    reader: R,
    limits: Limits,
    dir: &dyn Directory,
    mut on_offer: impl FnMut(Offer, u64),
) -> Result<Summary, FileError> {
    let mut reader = PriceListReader::new(reader, limits);
    let header = reader.header()?;
    let mut summary = Summary { header, offers: 0, problems: Vec::new(), problem_count: 0 };
    while let Some(offer) = reader.next_offer(dir)? {
        match offer {
            Ok(offer) => {
                summary.offers += 1;
                on_offer(offer, summary.problem_count);
            }
            Err(problems) => {
                summary.problem_count += problems.len() as u64;
                let room = MAX_KEPT_PROBLEMS.saturating_sub(summary.problems.len());
                summary.problems.extend(problems.into_iter().take(room));
            }
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        let t = |tenge| Ok(Money::from_tenge(tenge).unwrap());
        assert_eq!(parse_price("349990"), t(349_990));
        assert_eq!(parse_price(" 349990\n"), t(349_990));
        assert_eq!(parse_price("349990.00"), t(349_990));
        assert_eq!(parse_price("349990.0"), t(349_990));
        assert_eq!(parse_price("+5"), t(5));
        assert_eq!(parse_price("007"), t(7));
        assert_eq!(parse_price("1000000000"), t(1_000_000_000));
        assert_eq!(parse_price("349990.50"), Err(Reason::BadPrice));
        assert_eq!(parse_price("349990."), Err(Reason::BadPrice));
        assert_eq!(parse_price(".5"), Err(Reason::BadPrice));
        assert_eq!(parse_price("1e5"), Err(Reason::BadPrice));
        assert_eq!(parse_price("12 000"), Err(Reason::BadPrice));
        assert_eq!(parse_price(""), Err(Reason::BadPrice));
        assert_eq!(parse_price("-"), Err(Reason::BadPrice));
        assert_eq!(parse_price("abc"), Err(Reason::BadPrice));
        assert_eq!(parse_price("0"), Err(Reason::NonPositivePrice));
        assert_eq!(parse_price("0.00"), Err(Reason::NonPositivePrice));
        assert_eq!(parse_price("-5"), Err(Reason::NonPositivePrice));
        assert_eq!(parse_price("-0"), Err(Reason::NonPositivePrice));
        assert_eq!(parse_price("1000000001"), Err(Reason::PriceTooHigh));
        assert_eq!(parse_price("99999999999999999999999999"), Err(Reason::PriceTooHigh));
    }

    proptest::proptest! {
        #[test]
        fn newlines_are_counted_exactly(bytes in proptest::collection::vec(proptest::sample::select(vec![b'\n', b'\r', b'a']), 0..2000)) {
            let naive = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            proptest::prop_assert_eq!(count_newlines(&bytes), naive);
        }
    }

    #[test]
    fn codes_are_distinct_snake_case() {
        let codes: HashSet<_> = Reason::ALL.iter().map(Reason::code).collect();
        assert_eq!(codes.len(), Reason::ALL.len());
        assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }
}
