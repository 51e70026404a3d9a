//! Text analysis shared by indexing and querying.
//!
//! A text is split into words (letters and digits; a run of letters next to a run of digits is
//! two words, so `128GB` is `128` + `gb` and matches `128 ГБ`). Every word is lowercased and
//! **folded** to one Latin "skeleton" key, so that Kazakh in Cyrillic, Cyrillic without the
//! special letters, the 2017/2018/2021 Latin alphabets and informal Latin spellings, and Russian
//! typed in Latin letters all meet:
//!
//! * Cyrillic is transliterated: қ к→k, ғ г→g, ң н→n, ө о→o, ұ ү у→u, ә а→a, і и ы й→i, һ х→h,
//!   ш→s, щ→sc, ч ц→c, ж→j, ю→iu, я→ia, ё э е→e, ъ ь dropped;
//! * Latin letters with marks lose them (ä→a, ö→o, ü ū→u, ı→i, ş→s, ç→c, ğ→g, ñ→n), q→k, y→i,
//!   x→ks, apostrophes vanish (`o'`→o, `u'`→u, `a'`→a);
//! * informal digraphs collapse: sh→s, ch→c, zh→j, gh→g, kh→h, ng→n, ae→a.
//!
//! Some different words collide (s/sh, n/ng): recall matters more than precision here, BM25 and
//! the boosts sort the results.
//!
//! On top of the key a word gets two stems, all indexed at the same position and queried the
//! same way: the Russian snowball stem (for words in Russian Cyrillic, folded afterwards) and the
//! key with Kazakh suffixes stripped (plural, possessive and case endings, stacked up to three,
//! never leaving fewer than 3 letters; works on the folded key so Latin-typed Kazakh is stripped
//! too). Latin words also keep their plain lowercase form (`light`), so that a typo such as
//! `samsnug` is one transposition away from `samsung` even though the key of `samsung` is
//! `samsun`.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

/// Words longer than this (in chars) are dropped: no product word is that long, garbage is.
pub const MAX_WORD_CHARS: usize = 64;
/// A query uses at most this many words; the rest of the text is ignored.
pub const MAX_QUERY_WORDS: usize = 16;
/// Kazakh stripping never leaves a stem shorter than this (in letters).
const MIN_STEM_CHARS: usize = 3;

static RUSSIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Russian));

/// One word of a text with everything search needs to match it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordForms {
    /// The folded key (see the module documentation).
    pub key: String,
    /// The lowercase word as typed, for Latin words whose key differs from it (typo matching).
    pub light: Option<String>,
    /// Every distinct token indexed/queried for the word: the key, the folded Russian stem, the
    /// Kazakh-stripped key and the light form.
    pub tokens: Vec<String>,
}

/// Calls `f` with every word of `text`, lowercased, split at letter/digit boundaries, words
/// longer than [`MAX_WORD_CHARS`] dropped. Stops when `f` returns `false`.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str) -> bool) {
    let mut word = String::new();
    let mut chars = 0usize;
    let mut too_long = false;
    let mut flush = |word: &mut String, chars: &mut usize, too_long: &mut bool| -> bool {
        let keep = !word.is_empty() && !*too_long;
        let go_on = if keep { split_letters_digits(word, &mut f) } else { true };
        word.clear();
        *chars = 0;
        *too_long = false;
        go_on
    };
    let mut prev_letter = false;
    for c in text.chars() {
        let in_word = c.is_alphanumeric() || (prev_letter && (is_apostrophe(c) || is_combining_mark(c)));
        if in_word {
            chars += 1;
            if chars > MAX_WORD_CHARS {
                too_long = true;
            } else if !too_long {
                for l in c.to_lowercase() {
                    word.push(l);
                }
            }
            prev_letter = c.is_alphabetic() || is_apostrophe(c) || is_combining_mark(c);
        } else {
            prev_letter = false;
            if (!word.is_empty() || too_long) && !flush(&mut word, &mut chars, &mut too_long) {
                return;
            }
        }
    }
    if !word.is_empty() {
        flush(&mut word, &mut chars, &mut too_long);
    }
}

/// `a55` → `a`, `55`; `128gb` → `128`, `gb`; apostrophes and combining marks stay with letters.
fn split_letters_digits(word: &str, f: &mut impl FnMut(&str) -> bool) -> bool {
    let mut start = 0;
    let mut prev_digit: Option<bool> = None;
    for (i, c) in word.char_indices() {
        let digit = c.is_numeric();
        if let Some(p) = prev_digit
            && p != digit
            && !is_apostrophe(c)
            && !is_combining_mark(c)
        {
            if !emit_part(&word[start..i], f) {
                return false;
            }
            start = i;
        }
        if !is_apostrophe(c) && !is_combining_mark(c) {
            prev_digit = Some(digit);
        }
    }
    emit_part(&word[start..], f)
}

fn emit_part(part: &str, f: &mut impl FnMut(&str) -> bool) -> bool {
    let trimmed = part.trim_matches(is_apostrophe);
    if trimmed.is_empty() { true } else { f(trimmed) }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘' | 'ʻ' | '´')
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The folded key of one lowercase word (see the module documentation).
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut prev: Option<char> = None;
    for c in word.chars() {
        // A combining diaeresis/macron/dot after a base letter changes nothing in the key.
        if is_combining_mark(c) || is_apostrophe(c) {
            continue;
        }
        let mapped: &str = match c {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "j",
            'з' => "z",
            'и' | 'й' | 'і' | 'ы' => "i",
            'к' | 'қ' => "k",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' | 'ў' => "u",
            'ф' => "f",
            'х' | 'һ' => "h",
            'ц' | 'ч' => "c",
            'ш' => "s",
            'щ' => "sc",
            'ъ' | 'ь' => "",
            'ю' => "iu",
            'я' => "ia",
            'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' | 'ā' => "a",
            'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ø' | 'ō' => "o",
            'ü' | 'ū' | 'ú' | 'ù' | 'û' => "u",
            'ı' | 'í' | 'ì' | 'î' | 'ï' | 'ī' | 'y' | 'ý' | 'ÿ' => "i",
            'é' | 'è' | 'ê' | 'ë' | 'ē' => "e",
            'ş' | 'ś' | 'š' => "s",
            'ç' | 'č' | 'ć' => "c",
            'ğ' => "g",
            'ñ' | 'ń' => "n",
            'ž' => "j",
            'q' => "k",
            'x' => "ks",
            _ => {
                push_digraph(&mut out, &mut prev, c);
                continue;
            }
        };
        for m in mapped.chars() {
            push_digraph(&mut out, &mut prev, m);
        }
    }
    out
}

/// Appends `c`, collapsing the informal digraphs with the letter before it.
fn push_digraph(out: &mut String, prev: &mut Option<char>, c: char) {
    let replaced = match (*prev, c) {
        (Some('s'), 'h') => Some('s'),
        (Some('c'), 'h') => Some('c'),
        (Some('z'), 'h') => Some('j'),
        (Some('g'), 'h') => Some('g'),
        (Some('k'), 'h') => Some('h'),
        (Some('n'), 'g') => Some('n'),
        (Some('a'), 'e') => Some('a'),
        _ => None,
    };
    match replaced {
        Some(r) => {
            out.pop();
            out.push(r);
            *prev = Some(r);
        }
        None => {
            out.push(c);
            *prev = Some(c);
        }
    }
}

/// Kazakh endings in folded form, longest first. Built from the Cyrillic endings with [`fold`],
/// so the list reads like a grammar: plural, genitive, dative, locative, ablative, instrumental,
/// accusative, possessive.
static KAZAKH_SUFFIXES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let cyrillic = [
        "лар",
        "лер",
        "дар",
        "дер",
        "тар",
        "тер", // plural
        "ның",
        "нің",
        "дың",
        "дің",
        "тың",
        "тің", // genitive
        "ға",
        "ге",
        "қа",
        "ке",
        "на",
        "не", // dative
        "да",
        "де",
        "та",
        "те", // locative (-нда/-нде would eat the н of a stem: телефонда)
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен", // ablative
        "мен",
        "бен",
        "пен",
        "менен", // instrumental
        "ды",
        "ді",
        "ты",
        "ті",
        "ны",
        "ні", // accusative
        "ым",
        "ім",
        "ың",
        "ің",
        "ы",
        "і",
        "сы",
        "сі",
        "мыз",
        "міз",
        "ңыз",
        "ңіз",
        "ыңыз",
        "іңіз", // possessive
    ];
    let mut folded: Vec<String> = cyrillic.iter().map(|s| fold(s)).collect();
    folded.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    folded.dedup();
    folded
});

/// Strips up to three stacked Kazakh endings from a folded key, never below 3 letters.
/// Keys with digits are left alone.
pub fn strip_kazakh(key: &str) -> String {
    if key.chars().any(|c| c.is_numeric()) {
        return key.to_owned();
    }
    let mut stem = key;
    for _ in 0..3 {
        let letters = stem.chars().count();
        let next = KAZAKH_SUFFIXES.iter().find_map(|suffix| {
            let rest = stem.strip_suffix(suffix.as_str())?;
            (letters - suffix.chars().count() >= MIN_STEM_CHARS).then_some(rest)
        });
        match next {
            Some(rest) => stem = rest,
            None => break,
        }
    }
    stem.to_owned()
}

/// True when the word is written in Russian Cyrillic (no Kazakh-only letters, at least one
/// Cyrillic letter): the Russian stemmer applies.
fn is_russian(word: &str) -> bool {
    let mut cyrillic = false;
    for c in word.chars() {
        match c {
            'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і' => return false,
            'а'..='я' | 'ё' => cyrillic = true,
            _ => {}
        }
    }
    cyrillic
}

fn is_latin(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_alphabetic()) && !word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The forms of one lowercase word (as produced by [`for_each_word`]).
pub fn word_forms(word: &str) -> WordForms {
    let key = fold(word);
    let mut tokens = Vec::with_capacity(4);
    let push = |t: String, tokens: &mut Vec<String>| {
        if !t.is_empty() && !tokens.contains(&t) {
            tokens.push(t);
        }
    };
    push(key.clone(), &mut tokens);
    if is_russian(word) {
        let normalized = word.replace('ё', "е");
        push(fold(&RUSSIAN.stem(&normalized)), &mut tokens);
    }
    push(strip_kazakh(&key), &mut tokens);
    let light = if is_latin(word) {
        let light: String = word.chars().filter(|c| !is_apostrophe(*c) && !is_combining_mark(*c)).collect();
        (light != key && !light.is_empty()).then_some(light)
    } else {
        None
    };
    if let Some(light) = &light {
        push(light.clone(), &mut tokens);
    }
    WordForms { key, light, tokens }
}

/// The words of a user query, capped to [`MAX_QUERY_WORDS`]. Never fails: anything that is not a
/// letter or digit separates words.
pub fn query_words(text: &str) -> Vec<WordForms> {
    let mut words = Vec::new();
    for_each_word(text, |w| {
        let forms = word_forms(w);
        if !forms.key.is_empty() {
            words.push(forms);
        }
        words.len() < MAX_QUERY_WORDS
    });
    words
}

/// All index tokens of a text, in order (several per word).
pub fn index_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_word(text, |w| {
        tokens.extend(word_forms(w).tokens);
        true
    });
    tokens
}

/// The folded keys of a text's words joined by single spaces: the form suggestion terms use.
pub fn folded_phrase(text: &str) -> String {
    let mut out = String::new();
    for_each_word(text, |w| {
        let key = fold(w);
        if !key.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&key);
        }
        true
    });
    out
}

/// The tantivy tokenizer running this analysis. Every word's forms share one position.
#[derive(Clone, Default)]
pub struct DukenTokenizer {
    token: tantivy::tokenizer::Token,
}

/// Stream over pre-computed tokens.
pub struct DukenTokenStream<'a> {
    tokens: std::vec::IntoIter<(usize, String)>,
    token: &'a mut tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for DukenTokenizer {
    type TokenStream<'a> = DukenTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DukenTokenStream<'a> {
        let mut tokens = Vec::new();
        let mut position = 0usize;
        for_each_word(text, |w| {
            for t in word_forms(w).tokens {
                tokens.push((position, t));
            }
            position += 1;
            true
        });
        self.token.reset();
        DukenTokenStream { tokens: tokens.into_iter(), token: &mut self.token }
    }
}

impl tantivy::tokenizer::TokenStream for DukenTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some((position, text)) => {
                self.token.position = position;
                self.token.text = text;
                self.token.offset_from = 0;
                self.token.offset_to = 0;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| {
            out.push(w.to_owned());
            true
        });
        out
    }

    fn key(text: &str) -> String {
        let w = words(text);
        assert_eq!(w.len(), 1, "{text:?} is one word: {w:?}");
        fold(&w[0])
    }

    fn kk(text: &str) -> String {
        strip_kazakh(&key(text))
    }

    fn shares_token(a: &str, b: &str) -> bool {
        let a = query_words(a);
        let b = query_words(b);
        a.len() == 1 && b.len() == 1 && a[0].tokens.iter().any(|t| b[0].tokens.contains(t))
    }

    #[test]
    fn splits_on_punctuation_and_letter_digit_boundaries() {
        assert_eq!(words("iPhone 15, 128GB!"), ["iphone", "15", "128", "gb"]);
        assert_eq!(words("Galaxy A55"), ["galaxy", "a", "55"]);
        assert_eq!(words("128 ГБ"), ["128", "гб"]);
        assert_eq!(
            words("\"NOT\" (a OR b) AND c* ~2 ^3 [x TO y] {z}"),
            ["not", "a", "or", "b", "and", "c", "2", "3", "x", "to", "y", "z"]
        );
        assert_eq!(words("  ...  "), Vec::<String>::new());
        assert_eq!(words("😀 смартфон🔥samsung"), ["смартфон", "samsung"]);
        assert_eq!(words("o'zbek u'l 'quoted'"), ["o'zbek", "u'l", "quoted"]);
    }

    #[test]
    fn drops_overlong_words() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(words(&format!("x {long} y")), ["x", "y"]);
        let exact = "b".repeat(MAX_WORD_CHARS);
        assert_eq!(words(&exact), std::slice::from_ref(&exact));
    }

    #[test]
    fn caps_query_words() {
        let text = (0..100).map(|i| format!("w{i}x")).collect::<Vec<_>>().join(" ");
        assert_eq!(query_words(&text).len(), MAX_QUERY_WORDS);
        let garbage: String = std::iter::repeat_n("«»\"'()[]{}:^~*+-", 700).collect();
        assert!(query_words(&garbage).is_empty());
    }

    #[test]
    fn kazakh_spellings_of_a_vacuum_cleaner_fold_to_one_key() {
        let k = key("шаңсорғыш");
        assert_eq!(k, "sansorgis");
        for spelling in ["shansorgysh", "şañsorğış", "шансоргыш", "ШАҢСОРҒЫШ", "shangsorgysh", "sansorgis", "ŞAÑSORĞIŞ"]
        {
            assert_eq!(key(spelling), k, "{spelling}");
        }
    }

    #[test]
    fn kazakh_spellings_of_winter_fold_to_one_key() {
        let k = key("қысқы");
        assert_eq!(k, "kiski");
        for spelling in ["кыскы", "qysqy", "qısqı", "kyskY", "KYSKY", "Қысқы"] {
            assert_eq!(key(spelling), k, "{spelling}");
        }
    }

    #[test]
    fn every_informal_digraph_folds_to_the_letter() {
        // ш: sh/ş/s
        assert_eq!(key("ш"), key("sh"));
        assert_eq!(key("ш"), key("ş"));
        assert_eq!(key("ш"), key("s"));
        // ч: ch
        assert_eq!(key("чай"), key("chai"));
        assert_eq!(key("чай"), key("çay"));
        // ж: zh/j
        assert_eq!(key("жол"), key("zhol"));
        assert_eq!(key("жол"), key("jol"));
        // қ: q/k
        assert_eq!(key("қала"), key("qala"));
        assert_eq!(key("қала"), key("kala"));
        // ғ: gh/g/ğ
        assert_eq!(key("ғалым"), key("ghalym"));
        assert_eq!(key("ғалым"), key("galym"));
        assert_eq!(key("ғалым"), key("ğalım"));
        // ң: ng/ñ/n
        assert_eq!(key("таң"), key("tang"));
        assert_eq!(key("таң"), key("tañ"));
        assert_eq!(key("таң"), key("tan"));
        // ө: o'/ö/o
        assert_eq!(key("өнер"), key("o'ner"));
        assert_eq!(key("өнер"), key("öner"));
        assert_eq!(key("өнер"), key("oner"));
        // ұ ү: u'/ü/ū/u
        assert_eq!(key("ұл"), key("u'l"));
        assert_eq!(key("ұл"), key("ūl"));
        assert_eq!(key("үй"), key("üi"));
        assert_eq!(key("үй"), key("uy"));
        // ә: a'/ä/ae/a
        assert_eq!(key("әке"), key("a'ke"));
        assert_eq!(key("әке"), key("äke"));
        assert_eq!(key("әке"), key("aeke"));
        assert_eq!(key("әке"), key("ake"));
        // і ы: i/y/ı, and Turkish dotted capital İ (lowercases to i + combining dot)
        assert_eq!(key("біз"), key("biz"));
        assert_eq!(key("біз"), key("BİZ"));
        assert_eq!(key("ыстық"), key("ystyq"));
        assert_eq!(key("ыстық"), key("ıstıq"));
        // һ/х: h
        assert_eq!(key("һ"), key("h"));
        assert_eq!(key("хат"), key("hat"));
    }

    #[test]
    fn cyrillic_without_kazakh_letters_folds_like_with_them() {
        for (full, plain) in
            [("қ", "к"), ("ғ", "г"), ("ң", "н"), ("ө", "о"), ("ұ", "у"), ("ү", "у"), ("ә", "а"), ("і", "и"), ("һ", "х")]
        {
            assert_eq!(key(full), key(plain), "{full} {plain}");
        }
    }

    #[test]
    fn russian_typed_in_latin_folds_like_cyrillic() {
        assert_eq!(key("телефон"), key("telefon"));
        assert_eq!(key("ноутбук"), key("noutbuk"));
        assert_eq!(key("смартфон"), key("smartfon"));
        assert_eq!(key("чехол"), key("chehol"));
        assert_eq!(key("щётка"), key("shchetka"));
        assert_eq!(key("журнал"), key("zhurnal"));
        assert_eq!(key("ютуб"), key("yutub"));
        assert_eq!(key("самсунг"), key("samsung"));
    }

    #[test]
    fn different_words_stay_different() {
        assert_ne!(key("телефон"), key("ноутбук"));
        assert_ne!(key("куртка"), key("шаңсорғыш"));
        assert_ne!(key("128"), key("256"));
    }

    #[test]
    fn kazakh_endings_are_stripped_stacked() {
        assert_eq!(kk("телефон"), "telefon");
        assert_eq!(kk("телефондар"), "telefon");
        assert_eq!(kk("telefondar"), "telefon");
        assert_eq!(kk("телефонның"), "telefon");
        assert_eq!(kk("телефондардың"), "telefon");
        assert_eq!(kk("телефондарды"), "telefon");
        assert_eq!(kk("телефондарға"), "telefon");
        assert_eq!(kk("телефонмен"), "telefon");
        assert_eq!(kk("телефондан"), "telefon");
        assert_eq!(kk("телефонда"), "telefon");
        assert_eq!(kk("телефоннан"), "telefon");
        assert_eq!(kk("смартфондар"), "smartfon");
        assert_eq!(kk("smartfondar"), "smartfon");
        assert_eq!(kk("үйлерде"), kk("үйлер"));
        assert_eq!(kk("қалаларда"), "kala");
        assert_eq!(kk("qalalarda"), "kala");
        assert_eq!(kk("балалардың"), "bala");
        assert_eq!(kk("кітаптар"), "kitap");
        assert_eq!(kk("кітаптың"), "kitap");
        assert_eq!(kk("кітапқа"), "kitap");
        assert_eq!(kk("кітаптан"), "kitap");
        assert_eq!(kk("мектепте"), "mektep");
        assert_eq!(kk("мектептен"), "mektep");
        assert_eq!(kk("қаламмен"), "kalam");
        assert_eq!(kk("күртке"), kk("куртка"));
    }

    #[test]
    fn stripping_never_leaves_fewer_than_three_letters() {
        // «ұлдар» would be «ұл» + «дар»: two letters are too few, the word stays.
        assert_eq!(kk("ұлдар"), "uldar");
        assert_eq!(kk("үйлер"), "uiler");
        assert_eq!(kk("ала"), "ala");
        assert_eq!(strip_kazakh("ab"), "ab");
        assert_eq!(strip_kazakh(""), "");
        for word in ["да", "дар", "лардың", "ның"] {
            let k = key(word);
            let stripped = strip_kazakh(&k);
            assert!(stripped == k || stripped.chars().count() >= 3, "{word}: {stripped}");
        }
        assert_eq!(strip_kazakh("128gb"), "128gb");
    }

    #[test]
    fn russian_words_are_stemmed_and_folded() {
        let forms = query_words("телефоны");
        assert!(forms[0].tokens.contains(&"telefon".to_owned()), "{forms:?}");
        let forms = query_words("куртки");
        assert!(forms[0].tokens.contains(&"kurtk".to_owned()), "{forms:?}");
        assert!(shares_token("куртки", "куртка"));
        assert!(shares_token("смартфона", "смартфон"));
        assert!(shares_token("ноутбуков", "noutbuk"));
        // No Russian stemming on Kazakh words.
        assert!(!query_words("күртке")[0].tokens.iter().any(|t| t == "kurtk"));
    }

    #[test]
    fn acceptance_spellings_share_a_token_with_the_indexed_word() {
        for q in ["телефон", "telefon", "телефондар", "telefondar", "телефоны", "телефонның", "TELEFON"]
        {
            assert!(shares_token(q, "телефон"), "{q}");
        }
        for q in ["смартфондар", "smartfon", "смартфоны"] {
            assert!(shares_token(q, "Смартфон"), "{q}");
        }
        for q in ["қысқы", "кыскы", "qysqy", "qısqı", "kyskY"] {
            assert!(shares_token(q, "Қысқы"), "{q}");
        }
        for q in ["куртка", "куртки", "kurtka"] {
            assert!(shares_token(q, "куртка"), "{q}");
        }
        for q in ["күртке", "kurtke", "куртке"] {
            assert!(shares_token(q, "күртке"), "{q}");
        }
        for q in ["шаңсорғыш", "shansorgysh", "şañsorğış", "шансоргыш"] {
            assert!(shares_token(q, "Шаңсорғыш"), "{q}");
        }
        assert!(!shares_token("телефон", "куртка"));
        assert!(!shares_token("шаңсорғыш", "телефон"));
    }

    #[test]
    fn latin_words_keep_their_plain_form_for_typos() {
        let forms = &query_words("Samsung")[0];
        assert_eq!(forms.key, "samsun");
        assert_eq!(forms.light.as_deref(), Some("samsung"));
        assert!(forms.tokens.contains(&"samsung".to_owned()));
        assert_eq!(query_words("dyson")[0].light, Some("dyson".to_owned()));
        assert_eq!(query_words("телефон")[0].light, None);
    }

    #[test]
    fn folded_phrase_joins_keys() {
        assert_eq!(folded_phrase("Мобильные  Телефоны!"), "mobilnie telefoni");
        assert_eq!(folded_phrase("Samsung"), "samsun");
        assert_eq!(folded_phrase(""), "");
    }

    #[test]
    fn tokenizer_puts_forms_of_a_word_at_one_position() {
        use tantivy::tokenizer::{TokenStream, Tokenizer};
        let mut tokenizer = DukenTokenizer::default();
        let mut stream = tokenizer.token_stream("Телефондар Samsung");
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((t.position, t.text.clone()));
        }
        assert!(seen.contains(&(0, "telefondar".to_owned())));
        assert!(seen.contains(&(0, "telefon".to_owned())));
        assert!(seen.contains(&(1, "samsun".to_owned())));
        assert!(seen.contains(&(1, "samsung".to_owned())));
        assert!(seen.iter().all(|(p, _)| *p <= 1));
    }
}
