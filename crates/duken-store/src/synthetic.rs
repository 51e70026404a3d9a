//! A synthetic catalog for benchmarks and load tests, and synthetic Kaspi XML price lists
//! for the import benchmark.
//!
//! Everything is derived from one seed with a small deterministic generator (SplitMix64):
//! the same number of products and the same seed give the same categories, sellers,
//! products, offers, prices and stock (database ids and timestamps aside, which are
//! relative to the time of the load). Every product draws from its own stream, seeded by
//! the seed and its number, so the data do not depend on how they are split into batches.
//!
//! Loading writes categories (codes `syn-<n>`) with typed attribute schemas, sellers
//! (`syn-seller-<n>`) and their stores in a first transaction, then products (`syn-p-<n>`)
//! with their offers, prices per city and stock per store, one transaction per
//! [`PRODUCTS_PER_TX`] products with multi-row statements, so memory stays bounded whatever
//! the size. Nothing is written to `catalog_changes`: the caller rebuilds the search index.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::hash::Hash;

use chrono::{DateTime, Duration, Utc};
use duken_core::Localized;
use duken_core::attributes::AttributeKind;
use sqlx::QueryBuilder;

use crate::attributes::{AttributeValue, NewAttribute};
use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// Products written per transaction.
pub const PRODUCTS_PER_TX: usize = 5_000;
/// Rows per multi-row statement, by the number of columns: binds stay under 16 000.
const PRODUCT_ROWS: usize = 1_000;
const OFFER_ROWS: usize = 2_000;
const SMALL_ROWS: usize = 5_000;

/// What [`Store::seed_synthetic`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyntheticReport {
    pub categories: u64,
    pub sellers: u64,
    pub stores: u64,
    pub products: u64,
    pub offers: u64,
    /// Rows of `offer_prices` (one per offer and city).
    pub prices: u64,
}

// ---------------------------------------------------------------------------------------
// The generator

/// SplitMix64: tiny, fast, and good enough for test data.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for item `n` of a `domain` (products, sellers, …).
    fn stream(seed: u64, domain: u64, n: u64) -> Rng {
        let mut r = Rng::new(seed ^ domain.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let base = r.next_u64();
        let mut r = Rng::new(base ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: no modulo bias worth the name for test data.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.below(usize::try_from(hi - lo + 1).unwrap_or(1))).unwrap_or(0)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = u32::try_from(self.below(total as usize)).unwrap_or(0);
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const DOMAIN_PRODUCT: u64 = 1;
const DOMAIN_SELLER: u64 = 2;
const DOMAIN_XML: u64 = 3;

// ---------------------------------------------------------------------------------------
// The data the generator draws from

/// Kazakh, Russian, English.
type L = [&'static str; 3];

enum Spec {
    /// Value codes with their names.
    Enum(&'static [(&'static str, L)]),
    /// Plausible values (plain decimals) in a unit.
    Number {
        unit: L,
        values: &'static [&'static str],
    },
    Boolean,
}

struct Attr {
    code: &'static str,
    name: L,
    spec: Spec,
}

#[derive(Clone, Copy)]
enum Style {
    /// `A55 Pro`, `X200`.
    Tech,
    /// `Urban 2417`.
    Fashion,
    /// Named products (fragrances): the name is the model.
    Named(&'static [&'static str]),
    /// Books: the title is the model, quoted in product titles.
    Book(&'static [&'static str]),
}

struct Leaf {
    name: L,
    /// The noun of product titles: Kazakh possessive (`смартфоны`), Russian (`Смартфон`),
    /// English (`smartphone`).
    noun: L,
    brands: &'static [&'static str],
    /// Base prices in tenge, drawn log-uniformly.
    price: (i64, i64),
    style: Style,
    attrs: &'static [Attr],
}

struct Top {
    name: L,
    leaves: &'static [Leaf],
}

const YES_NO: [L; 2] = [["жоқ", "нет", "no"], ["иә", "да", "yes"]];

const COLORS: &[(&str, L)] = &[
    ("black", ["қара", "чёрный", "black"]),
    ("white", ["ақ", "белый", "white"]),
    ("silver", ["күміс түсті", "серебристый", "silver"]),
    ("blue", ["көк", "синий", "blue"]),
    ("red", ["қызыл", "красный", "red"]),
    ("green", ["жасыл", "зелёный", "green"]),
    ("gray", ["сұр", "серый", "grey"]),
    ("gold", ["алтын түсті", "золотой", "gold"]),
];
const COLOR: Attr = Attr { code: "color", name: ["Түсі", "Цвет", "Colour"], spec: Spec::Enum(COLORS) };

const MEMORY: Attr = Attr {
    code: "memory",
    name: ["Жад көлемі", "Встроенная память", "Storage"],
    spec: Spec::Enum(&[
        ("64gb", ["64 ГБ", "64 ГБ", "64 GB"]),
        ("128gb", ["128 ГБ", "128 ГБ", "128 GB"]),
        ("256gb", ["256 ГБ", "256 ГБ", "256 GB"]),
        ("512gb", ["512 ГБ", "512 ГБ", "512 GB"]),
        ("1tb", ["1 ТБ", "1 ТБ", "1 TB"]),
    ]),
};
const RAM: Attr = Attr {
    code: "ram",
    name: ["Жедел жад", "Оперативная память", "RAM"],
    spec: Spec::Enum(&[
        ("8gb", ["8 ГБ", "8 ГБ", "8 GB"]),
        ("16gb", ["16 ГБ", "16 ГБ", "16 GB"]),
        ("32gb", ["32 ГБ", "32 ГБ", "32 GB"]),
        ("64gb", ["64 ГБ", "64 ГБ", "64 GB"]),
    ]),
};
const INCH: L = ["дюйм", "дюйм", "inch"];
const WATT: L = ["Вт", "Вт", "W"];
const KG: L = ["кг", "кг", "kg"];
const LITRE: L = ["л", "л", "l"];
const GB: L = ["ГБ", "ГБ", "GB"];
const MM: L = ["мм", "мм", "mm"];

const fn diagonal(values: &'static [&'static str]) -> Attr {
    Attr {
        code: "diagonal",
        name: ["Экран диагоналі", "Диагональ экрана", "Screen size"],
        spec: Spec::Number { unit: INCH, values },
    }
}
const fn power(values: &'static [&'static str]) -> Attr {
    Attr { code: "power", name: ["Қуаты", "Мощность", "Power"], spec: Spec::Number { unit: WATT, values } }
}
const fn volume(values: &'static [&'static str]) -> Attr {
    Attr {
        code: "volume", name: ["Көлемі", "Объём", "Capacity"], spec: Spec::Number { unit: LITRE, values }
    }
}
const fn weight(values: &'static [&'static str]) -> Attr {
    Attr { code: "weight", name: ["Салмағы", "Вес", "Weight"], spec: Spec::Number { unit: KG, values } }
}
const fn boolean(code: &'static str, name: L) -> Attr {
    Attr { code, name, spec: Spec::Boolean }
}
const fn enumeration(code: &'static str, name: L, values: &'static [(&'static str, L)]) -> Attr {
    Attr { code, name, spec: Spec::Enum(values) }
}
const fn number(code: &'static str, name: L, unit: L, values: &'static [&'static str]) -> Attr {
    Attr { code, name, spec: Spec::Number { unit, values } }
}

const WIFI: Attr = boolean("wifi", ["Wi-Fi", "Wi-Fi", "Wi-Fi"]);
const WATERPROOF: Attr = boolean("waterproof", ["Су өткізбейді", "Водонепроницаемость", "Waterproof"]);
const ENERGY: Attr = enumeration(
    "energy_class",
    ["Энергия тиімділігі класы", "Класс энергопотребления", "Energy class"],
    &[
        ("a3p", ["A+++", "A+++", "A+++"]),
        ("a2p", ["A++", "A++", "A++"]),
        ("a1p", ["A+", "A+", "A+"]),
        ("a", ["A", "A", "A"]),
    ],
);
const CONNECTION: Attr = enumeration(
    "connection",
    ["Қосылу түрі", "Подключение", "Connection"],
    &[
        ("wired", ["сымды", "проводная", "wired"]),
        ("wireless", ["сымсыз", "беспроводная", "wireless"]),
        ("bluetooth", ["Bluetooth", "Bluetooth", "Bluetooth"]),
        ("usb_c", ["USB-C", "USB-C", "USB-C"]),
    ],
);
const SCREEN_RES: Attr = enumeration(
    "resolution",
    ["Ажыратымдылығы", "Разрешение", "Resolution"],
    &[
        ("fhd", ["Full HD", "Full HD", "Full HD"]),
        ("qhd", ["2K QHD", "2K QHD", "2K QHD"]),
        ("uhd", ["4K UHD", "4K UHD", "4K UHD"]),
        ("uwqhd", ["UWQHD", "UWQHD", "UWQHD"]),
    ],
);
const TV_RES: Attr = enumeration(
    "resolution",
    ["Ажыратымдылығы", "Разрешение", "Resolution"],
    &[
        ("hd", ["HD", "HD", "HD"]),
        ("fhd", ["Full HD", "Full HD", "Full HD"]),
        ("uhd", ["4K UHD", "4K UHD", "4K UHD"]),
        ("8k", ["8K", "8K", "8K"]),
    ],
);
const CLOTHING_SIZE: Attr = enumeration(
    "size",
    ["Өлшемі", "Размер", "Size"],
    &[
        ("xs", ["XS", "XS", "XS"]),
        ("s", ["S", "S", "S"]),
        ("m", ["M", "M", "M"]),
        ("l", ["L", "L", "L"]),
        ("xl", ["XL", "XL", "XL"]),
        ("xxl", ["XXL", "XXL", "XXL"]),
    ],
);
const SHOE_SIZE: Attr = number(
    "shoe_size",
    ["Аяқ киім өлшемі", "Размер обуви", "Shoe size"],
    ["EU", "EU", "EU"],
    &["36", "37", "38", "39", "40", "41", "42", "43", "44", "45"],
);
const GENDER: Attr = enumeration(
    "gender",
    ["Кімге арналған", "Пол", "Gender"],
    &[
        ("men", ["ерлер", "мужские", "men's"]),
        ("women", ["әйелдер", "женские", "women's"]),
        ("unisex", ["унисекс", "унисекс", "unisex"]),
        ("kids", ["балалар", "детские", "kids'"]),
    ],
);
const SHOE_MATERIAL: Attr = enumeration(
    "material",
    ["Материалы", "Материал", "Material"],
    &[
        ("leather", ["былғары", "натуральная кожа", "leather"]),
        ("suede", ["күдері", "замша", "suede"]),
        ("textile", ["тоқыма", "текстиль", "textile"]),
        ("nubuck", ["нубук", "нубук", "nubuck"]),
    ],
);
const AGE: Attr = enumeration(
    "age",
    ["Жасы", "Возраст", "Age"],
    &[
        ("0_3", ["0–3 жас", "0–3 года", "0–3 years"]),
        ("3_6", ["3–6 жас", "3–6 лет", "3–6 years"]),
        ("6_9", ["6–9 жас", "6–9 лет", "6–9 years"]),
        ("9_12", ["9–12 жас", "9–12 лет", "9–12 years"]),
        ("12_plus", ["12+ жас", "12+ лет", "12+ years"]),
    ],
);
const COVER: Attr = enumeration(
    "cover",
    ["Мұқабасы", "Переплёт", "Binding"],
    &[
        ("hard", ["қатты мұқаба", "твёрдый переплёт", "hardcover"]),
        ("soft", ["жұмсақ мұқаба", "мягкая обложка", "paperback"]),
        ("integral", ["интегралды мұқаба", "интегральный переплёт", "integral binding"]),
        ("gift", ["сыйлық басылым", "подарочное издание", "gift edition"]),
    ],
);
const PAGES: Attr = number(
    "pages",
    ["Беттер саны", "Количество страниц", "Pages"],
    ["бет", "стр.", "pages"],
    &["128", "256", "320", "416", "512", "640"],
);
const BOOK_LANGUAGE: Attr = enumeration(
    "language",
    ["Тілі", "Язык", "Language"],
    &[
        ("kk", ["қазақ тілі", "казахский", "Kazakh"]),
        ("ru", ["орыс тілі", "русский", "Russian"]),
        ("en", ["ағылшын тілі", "английский", "English"]),
        ("tr", ["түрік тілі", "турецкий", "Turkish"]),
    ],
);
const BOOK_ATTRS: &[Attr] = &[COVER, PAGES, BOOK_LANGUAGE];

const TECH_BRANDS_HOME: &[&str] =
    &["Samsung", "LG", "Bosch", "Haier", "Beko", "Indesit", "Artel", "Electrolux", "Hotpoint", "Midea"];
const PUBLISHERS: &[&str] =
    &["Эксмо", "АСТ", "Азбука", "Фолиант", "Алматыкітап", "Мещеряков", "МИФ", "Иностранка", "Penguin", "Махаон"];

const TOPS: &[Top] = &[
    Top {
        name: ["Телефондар мен гаджеттер", "Телефоны и гаджеты", "Phones and gadgets"],
        leaves: &[
            Leaf {
                name: ["Смартфондар", "Смартфоны", "Smartphones"],
                noun: ["смартфоны", "Смартфон", "smartphone"],
                brands: &[
                    "Samsung", "Apple", "Xiaomi", "Honor", "Huawei", "Realme", "Tecno", "Infinix", "Poco", "OnePlus",
                ],
                price: (50_000, 900_000),
                style: Style::Tech,
                attrs: &[
                    MEMORY,
                    COLOR,
                    diagonal(&["6.1", "6.4", "6.5", "6.7", "6.8"]),
                    boolean("nfc", ["NFC", "NFC", "NFC"]),
                ],
            },
            Leaf {
                name: ["Смарт сағаттар", "Смарт-часы", "Smart watches"],
                noun: ["смарт сағаты", "Смарт-часы", "smart watch"],
                brands: &[
                    "Apple", "Samsung", "Xiaomi", "Huawei", "Amazfit", "Garmin", "Honor", "Haylou", "Mibro", "Realme",
                ],
                price: (15_000, 450_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "case_size",
                        ["Корпус өлшемі", "Размер корпуса", "Case size"],
                        MM,
                        &["40", "41", "42", "44", "45", "46", "47"],
                    ),
                    COLOR,
                    WATERPROOF,
                ],
            },
            Leaf {
                name: ["Планшеттер", "Планшеты", "Tablets"],
                noun: ["планшеті", "Планшет", "tablet"],
                brands: &[
                    "Apple",
                    "Samsung",
                    "Xiaomi",
                    "Lenovo",
                    "Huawei",
                    "Honor",
                    "Realme",
                    "Teclast",
                    "Blackview",
                    "Doogee",
                ],
                price: (60_000, 800_000),
                style: Style::Tech,
                attrs: &[
                    MEMORY,
                    diagonal(&["8.7", "10.1", "10.9", "11", "12.4", "13"]),
                    COLOR,
                    boolean("lte", ["LTE", "LTE", "LTE"]),
                ],
            },
            Leaf {
                name: ["Құлаққаптар", "Наушники", "Headphones"],
                noun: ["құлаққабы", "Наушники", "headphones"],
                brands: &[
                    "Apple",
                    "Samsung",
                    "Sony",
                    "JBL",
                    "Xiaomi",
                    "Huawei",
                    "Sennheiser",
                    "Marshall",
                    "Beats",
                    "Edifier",
                ],
                price: (5_000, 350_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "headphone_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("tws", ["TWS", "TWS", "TWS"]),
                            ("in_ear", ["құлақішілік", "внутриканальные", "in-ear"]),
                            ("on_ear", ["жапсырмалы", "накладные", "on-ear"]),
                            ("over_ear", ["толық өлшемді", "полноразмерные", "over-ear"]),
                        ],
                    ),
                    COLOR,
                    boolean("anc", ["Шуды басу", "Шумоподавление", "Noise cancelling"]),
                ],
            },
            Leaf {
                name: ["Пауэрбанктер", "Внешние аккумуляторы", "Power banks"],
                noun: ["пауэрбанкі", "Внешний аккумулятор", "power bank"],
                brands: &[
                    "Xiaomi", "Anker", "Baseus", "Ugreen", "Samsung", "Hoco", "Borofone", "Romoss", "Remax", "Canyon",
                ],
                price: (4_000, 60_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "capacity",
                        ["Сыйымдылығы", "Ёмкость", "Capacity"],
                        ["мА·сағ", "мА·ч", "mAh"],
                        &["5000", "10000", "20000", "30000"],
                    ),
                    COLOR,
                    boolean("fast_charge", ["Жылдам зарядтау", "Быстрая зарядка", "Fast charging"]),
                ],
            },
        ],
    },
    Top {
        name: ["Компьютерлер", "Компьютеры", "Computers"],
        leaves: &[
            Leaf {
                name: ["Ноутбуктер", "Ноутбуки", "Laptops"],
                noun: ["ноутбугы", "Ноутбук", "laptop"],
                brands: &["Lenovo", "Asus", "HP", "Acer", "Apple", "Dell", "MSI", "Huawei", "Honor", "Xiaomi"],
                price: (150_000, 1_500_000),
                style: Style::Tech,
                attrs: &[
                    RAM,
                    diagonal(&["13.3", "14", "15.6", "16", "17.3"]),
                    number("ssd", ["SSD көлемі", "Объём SSD", "SSD size"], GB, &["256", "512", "1024", "2048"]),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Мониторлар", "Мониторы", "Monitors"],
                noun: ["мониторы", "Монитор", "monitor"],
                brands: &["Samsung", "LG", "Dell", "AOC", "Philips", "Asus", "Acer", "BenQ", "MSI", "Xiaomi"],
                price: (40_000, 600_000),
                style: Style::Tech,
                attrs: &[
                    diagonal(&["21.5", "23.8", "27", "31.5", "34"]),
                    SCREEN_RES,
                    number(
                        "refresh_rate",
                        ["Жаңарту жиілігі", "Частота обновления", "Refresh rate"],
                        ["Гц", "Гц", "Hz"],
                        &["60", "75", "100", "144", "165", "240"],
                    ),
                ],
            },
            Leaf {
                name: ["Пернетақталар", "Клавиатуры", "Keyboards"],
                noun: ["пернетақтасы", "Клавиатура", "keyboard"],
                brands: &[
                    "Logitech",
                    "Razer",
                    "HyperX",
                    "A4Tech",
                    "Defender",
                    "Redragon",
                    "SteelSeries",
                    "Genius",
                    "Microsoft",
                    "Asus",
                ],
                price: (3_000, 120_000),
                style: Style::Tech,
                attrs: &[CONNECTION, COLOR, boolean("mechanical", ["Механикалық", "Механическая", "Mechanical"])],
            },
            Leaf {
                name: ["Тінтуірлер", "Мыши", "Computer mice"],
                noun: ["тінтуірі", "Мышь", "mouse"],
                brands: &[
                    "Logitech",
                    "Razer",
                    "A4Tech",
                    "Defender",
                    "Xiaomi",
                    "HyperX",
                    "SteelSeries",
                    "Genius",
                    "Microsoft",
                    "Redragon",
                ],
                price: (2_000, 80_000),
                style: Style::Tech,
                attrs: &[
                    CONNECTION,
                    number(
                        "dpi",
                        ["Сезімталдығы", "Разрешение сенсора", "Sensor resolution"],
                        ["dpi", "dpi", "dpi"],
                        &["1600", "3200", "8000", "16000", "26000"],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Принтерлер", "Принтеры", "Printers"],
                noun: ["принтері", "Принтер", "printer"],
                brands: &[
                    "HP", "Canon", "Epson", "Brother", "Xerox", "Pantum", "Kyocera", "Ricoh", "Samsung", "Lexmark",
                ],
                price: (40_000, 700_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "print_technology",
                        ["Басып шығару технологиясы", "Технология печати", "Print technology"],
                        &[
                            ("laser", ["лазерлі", "лазерный", "laser"]),
                            ("inkjet", ["ағынды", "струйный", "inkjet"]),
                            ("led", ["LED", "светодиодный", "LED"]),
                            ("sublimation", ["сублимациялық", "сублимационный", "dye-sublimation"]),
                        ],
                    ),
                    boolean("color_print", ["Түрлі түсті басу", "Цветная печать", "Colour printing"]),
                    WIFI,
                ],
            },
        ],
    },
    Top {
        name: ["ТВ, аудио, бейне", "ТВ, аудио, видео", "TV, audio and video"],
        leaves: &[
            Leaf {
                name: ["Теледидарлар", "Телевизоры", "TVs"],
                noun: ["теледидары", "Телевизор", "TV"],
                brands: &["Samsung", "LG", "Sony", "Xiaomi", "TCL", "Hisense", "Philips", "Artel", "Haier", "Yasin"],
                price: (60_000, 2_500_000),
                style: Style::Tech,
                attrs: &[
                    diagonal(&["32", "43", "50", "55", "65", "75", "85"]),
                    TV_RES,
                    boolean("smart_tv", ["Smart TV", "Smart TV", "Smart TV"]),
                ],
            },
            Leaf {
                name: ["Саундбарлар", "Саундбары", "Soundbars"],
                noun: ["саундбары", "Саундбар", "soundbar"],
                brands: &["Samsung", "LG", "Sony", "JBL", "Xiaomi", "Philips", "Yamaha", "Bose", "Sven", "Hisense"],
                price: (30_000, 600_000),
                style: Style::Tech,
                attrs: &[
                    power(&["120", "200", "300", "400", "600"]),
                    COLOR,
                    boolean("subwoofer", ["Сабвуфер", "Сабвуфер", "Subwoofer"]),
                ],
            },
            Leaf {
                name: ["Портативті колонкалар", "Портативные колонки", "Portable speakers"],
                noun: ["портативті колонкасы", "Портативная колонка", "portable speaker"],
                brands: &[
                    "JBL",
                    "Sony",
                    "Marshall",
                    "Xiaomi",
                    "Tronsmart",
                    "Harman Kardon",
                    "Bose",
                    "Sven",
                    "Defender",
                    "Yandex",
                ],
                price: (8_000, 250_000),
                style: Style::Tech,
                attrs: &[power(&["5", "10", "20", "30", "40", "60"]), COLOR, WATERPROOF],
            },
            Leaf {
                name: ["Проекторлар", "Проекторы", "Projectors"],
                noun: ["проекторы", "Проектор", "projector"],
                brands: &["Epson", "BenQ", "Xiaomi", "Acer", "ViewSonic", "Optoma", "Wanbo", "XGIMI", "LG", "Hisense"],
                price: (40_000, 1_500_000),
                style: Style::Tech,
                attrs: &[
                    SCREEN_RES,
                    number(
                        "brightness",
                        ["Жарықтығы", "Яркость", "Brightness"],
                        ["лм", "лм", "lm"],
                        &["3000", "3500", "4000", "4500", "5000"],
                    ),
                    WIFI,
                ],
            },
            Leaf {
                name: ["Ойын консольдері", "Игровые приставки", "Game consoles"],
                noun: ["ойын консолі", "Игровая приставка", "game console"],
                brands: &[
                    "Sony",
                    "Microsoft",
                    "Nintendo",
                    "Valve",
                    "Anbernic",
                    "Retroid",
                    "Ayaneo",
                    "Asus",
                    "Lenovo",
                    "Sega",
                ],
                price: (40_000, 500_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "storage",
                        ["Жад көлемі", "Объём памяти", "Storage"],
                        GB,
                        &["64", "512", "825", "1024", "2048"],
                    ),
                    COLOR,
                ],
            },
        ],
    },
    Top {
        name: ["Тұрмыстық техника", "Бытовая техника", "Home appliances"],
        leaves: &[
            Leaf {
                name: ["Тоңазытқыштар", "Холодильники", "Refrigerators"],
                noun: ["тоңазытқышы", "Холодильник", "refrigerator"],
                brands: &[
                    "Samsung", "LG", "Bosch", "Haier", "Beko", "Atlant", "Indesit", "Artel", "Hotpoint", "Liebherr",
                ],
                price: (150_000, 1_500_000),
                style: Style::Tech,
                attrs: &[
                    volume(&["240", "300", "350", "420", "500", "600"]),
                    COLOR,
                    boolean("no_frost", ["No Frost", "No Frost", "No Frost"]),
                    ENERGY,
                ],
            },
            Leaf {
                name: ["Кір жуғыш машиналар", "Стиральные машины", "Washing machines"],
                noun: ["кір жуғыш машинасы", "Стиральная машина", "washing machine"],
                brands: TECH_BRANDS_HOME,
                price: (120_000, 800_000),
                style: Style::Tech,
                attrs: &[
                    number("load", ["Жүктемесі", "Загрузка", "Load"], KG, &["6", "7", "8", "9", "10", "12"]),
                    number(
                        "spin",
                        ["Сығу жылдамдығы", "Скорость отжима", "Spin speed"],
                        ["айн/мин", "об/мин", "rpm"],
                        &["1000", "1200", "1400", "1600"],
                    ),
                    boolean("dryer", ["Кептіру", "Сушка", "Dryer"]),
                    ENERGY,
                ],
            },
            Leaf {
                name: ["Шаңсорғыштар", "Пылесосы", "Vacuum cleaners"],
                noun: ["шаңсорғышы", "Пылесос", "vacuum cleaner"],
                brands: &[
                    "Dyson", "Samsung", "Xiaomi", "Philips", "Bosch", "LG", "Tefal", "Karcher", "Dreame", "Roborock",
                ],
                price: (25_000, 450_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "vacuum_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("bag", ["қапшықты", "мешковый", "bagged"]),
                            ("container", ["контейнерлі", "контейнерный", "bagless"]),
                            ("stick", ["тік", "вертикальный", "stick"]),
                            ("robot", ["робот", "робот", "robot"]),
                        ],
                    ),
                    power(&["350", "450", "1200", "1800", "2000", "2200"]),
                    boolean("wet_cleaning", ["Ылғалды жинау", "Влажная уборка", "Wet cleaning"]),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Ыдыс жуғыш машиналар", "Посудомоечные машины", "Dishwashers"],
                noun: ["ыдыс жуғыш машинасы", "Посудомоечная машина", "dishwasher"],
                brands: &[
                    "Bosch",
                    "Electrolux",
                    "Midea",
                    "Weissgauff",
                    "Hansa",
                    "Beko",
                    "Gorenje",
                    "Siemens",
                    "Haier",
                    "Candy",
                ],
                price: (120_000, 700_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "place_settings",
                        ["Сыйымдылығы", "Вместимость", "Place settings"],
                        ["жиынтық", "комплектов", "place settings"],
                        &["6", "9", "10", "12", "14"],
                    ),
                    boolean("built_in", ["Кіріктірілген", "Встраиваемая", "Built-in"]),
                    ENERGY,
                ],
            },
            Leaf {
                name: ["Кондиционерлер", "Кондиционеры", "Air conditioners"],
                noun: ["кондиционері", "Кондиционер", "air conditioner"],
                brands: &[
                    "LG",
                    "Samsung",
                    "Midea",
                    "Gree",
                    "Haier",
                    "Ballu",
                    "Artel",
                    "Electrolux",
                    "Daikin",
                    "Mitsubishi Electric",
                ],
                price: (120_000, 900_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "area",
                        ["Бөлме ауданы", "Площадь помещения", "Room area"],
                        ["м²", "м²", "m²"],
                        &["20", "25", "35", "50", "70"],
                    ),
                    boolean("inverter", ["Инверторлы", "Инверторный", "Inverter"]),
                    WIFI,
                ],
            },
        ],
    },
    Top {
        name: ["Асүй техникасы", "Техника для кухни", "Kitchen appliances"],
        leaves: &[
            Leaf {
                name: ["Микротолқынды пештер", "Микроволновые печи", "Microwave ovens"],
                noun: ["микротолқынды пеші", "Микроволновая печь", "microwave oven"],
                brands: &[
                    "Samsung",
                    "LG",
                    "Panasonic",
                    "Midea",
                    "Gorenje",
                    "Bosch",
                    "Hyundai",
                    "Artel",
                    "BBK",
                    "Sharp",
                ],
                price: (25_000, 200_000),
                style: Style::Tech,
                attrs: &[
                    volume(&["17", "20", "23", "25", "28", "32"]),
                    COLOR,
                    boolean("grill", ["Гриль", "Гриль", "Grill"]),
                ],
            },
            Leaf {
                name: ["Электр шәйнектері", "Электрочайники", "Electric kettles"],
                noun: ["электр шәйнегі", "Электрочайник", "electric kettle"],
                brands: &[
                    "Philips", "Tefal", "Bosch", "Xiaomi", "Redmond", "Polaris", "Scarlett", "Vitek", "Kitfort",
                    "Braun",
                ],
                price: (5_000, 80_000),
                style: Style::Tech,
                attrs: &[
                    volume(&["1", "1.5", "1.7", "2"]),
                    enumeration(
                        "material",
                        ["Корпус материалы", "Материал корпуса", "Body material"],
                        &[
                            ("plastic", ["пластик", "пластик", "plastic"]),
                            ("glass", ["шыны", "стекло", "glass"]),
                            ("steel", ["болат", "нержавеющая сталь", "stainless steel"]),
                            ("ceramic", ["керамика", "керамика", "ceramic"]),
                        ],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Блендерлер", "Блендеры", "Blenders"],
                noun: ["блендері", "Блендер", "blender"],
                brands: &[
                    "Philips", "Bosch", "Tefal", "Braun", "Kenwood", "Redmond", "Polaris", "Kitfort", "Moulinex",
                    "Xiaomi",
                ],
                price: (8_000, 150_000),
                style: Style::Tech,
                attrs: &[
                    power(&["350", "600", "800", "1000", "1200", "1500"]),
                    enumeration(
                        "blender_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("hand", ["батырмалы", "погружной", "hand"]),
                            ("stand", ["стационарлық", "стационарный", "countertop"]),
                            ("portable", ["портативті", "портативный", "portable"]),
                            ("vacuum", ["вакуумдық", "вакуумный", "vacuum"]),
                        ],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Кофе машиналары", "Кофемашины", "Coffee machines"],
                noun: ["кофе машинасы", "Кофемашина", "coffee machine"],
                brands: &[
                    "DeLonghi",
                    "Philips",
                    "Krups",
                    "Saeco",
                    "Nespresso",
                    "Bosch",
                    "Melitta",
                    "Jura",
                    "Polaris",
                    "Kitfort",
                ],
                price: (40_000, 1_200_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "coffee_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("auto", ["автоматты", "автоматическая", "automatic"]),
                            ("capsule", ["капсулалы", "капсульная", "capsule"]),
                            ("espresso", ["рожокты", "рожковая", "espresso"]),
                            ("drip", ["тамшылатқыш", "капельная", "drip"]),
                        ],
                    ),
                    number(
                        "pressure",
                        ["Қысымы", "Давление", "Pressure"],
                        ["бар", "бар", "bar"],
                        &["9", "15", "19", "20"],
                    ),
                    boolean("milk_frother", ["Капучинатор", "Капучинатор", "Milk frother"]),
                ],
            },
            Leaf {
                name: ["Мультипісіргіштер", "Мультиварки", "Multicookers"],
                noun: ["мультипісіргіші", "Мультиварка", "multicooker"],
                brands: &[
                    "Redmond", "Polaris", "Tefal", "Philips", "Moulinex", "Xiaomi", "Scarlett", "Vitek", "Kitfort",
                    "Bosch",
                ],
                price: (15_000, 150_000),
                style: Style::Tech,
                attrs: &[
                    volume(&["3", "4", "5", "6"]),
                    number(
                        "programs",
                        ["Бағдарламалар саны", "Количество программ", "Programs"],
                        ["бағдарлама", "программ", "programs"],
                        &["12", "16", "45", "50", "97"],
                    ),
                    boolean("pressure_cooker", ["Қысыммен пісіру", "Скороварка", "Pressure cooking"]),
                ],
            },
        ],
    },
    Top {
        name: ["Сұлулық және денсаулық", "Красота и здоровье", "Beauty and health"],
        leaves: &[
            Leaf {
                name: ["Шаш кептіргіштер", "Фены", "Hair dryers"],
                noun: ["шаш кептіргіші", "Фен", "hair dryer"],
                brands: &[
                    "Dyson",
                    "Philips",
                    "Braun",
                    "Rowenta",
                    "Remington",
                    "BaByliss",
                    "Xiaomi",
                    "Scarlett",
                    "Polaris",
                    "Panasonic",
                ],
                price: (6_000, 350_000),
                style: Style::Tech,
                attrs: &[
                    power(&["1200", "1600", "1800", "2000", "2200", "2400"]),
                    COLOR,
                    boolean("ionization", ["Иондау", "Ионизация", "Ionisation"]),
                ],
            },
            Leaf {
                name: ["Электр ұстаралар", "Электробритвы", "Electric shavers"],
                noun: ["электр ұстарасы", "Электробритва", "electric shaver"],
                brands: &[
                    "Philips",
                    "Braun",
                    "Panasonic",
                    "Xiaomi",
                    "Remington",
                    "Rowenta",
                    "Enchen",
                    "Polaris",
                    "Scarlett",
                    "Gillette",
                ],
                price: (10_000, 300_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "shaver_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("rotary", ["роторлы", "роторная", "rotary"]),
                            ("foil", ["торлы", "сеточная", "foil"]),
                            ("trimmer", ["триммер", "триммер", "trimmer"]),
                            ("hybrid", ["гибридті", "гибридная", "hybrid"]),
                        ],
                    ),
                    boolean("wet_shave", ["Ылғалды қырыну", "Влажное бритьё", "Wet shaving"]),
                ],
            },
            Leaf {
                name: ["Электр тіс щёткалары", "Электрические зубные щётки", "Electric toothbrushes"],
                noun: ["электр тіс щёткасы", "Электрическая зубная щётка", "electric toothbrush"],
                brands: &[
                    "Oral-B",
                    "Philips",
                    "Xiaomi",
                    "Revyline",
                    "CS Medica",
                    "Panasonic",
                    "Waterpik",
                    "Soocas",
                    "Oclean",
                    "Braun",
                ],
                price: (8_000, 120_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "brush_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("sonic", ["дыбыстық", "звуковая", "sonic"]),
                            ("rotary", ["айналмалы", "вращательная", "oscillating"]),
                            ("ultrasonic", ["ультрадыбыстық", "ультразвуковая", "ultrasonic"]),
                            ("kids", ["балаларға арналған", "детская", "kids"]),
                        ],
                    ),
                    number(
                        "modes",
                        ["Режимдер саны", "Количество режимов", "Modes"],
                        ["режим", "реж.", "modes"],
                        &["1", "2", "3", "4", "5"],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Парфюмерия", "Парфюмерия", "Perfume"],
                noun: ["парфюм суы", "Парфюмерная вода", "eau de parfum"],
                brands: &[
                    "Chanel",
                    "Dior",
                    "Lancôme",
                    "Hugo Boss",
                    "Versace",
                    "Armani",
                    "Yves Saint Laurent",
                    "Gucci",
                    "Calvin Klein",
                    "Montale",
                ],
                price: (15_000, 250_000),
                style: Style::Named(&[
                    "Bleu Intense",
                    "Noir Absolu",
                    "Rose Velvet",
                    "Oud Royal",
                    "Fresh Citrus",
                    "Amber Night",
                    "Vanilla Musk",
                    "Aqua Marine",
                    "Black Orchid",
                    "White Tea",
                    "Santal Sky",
                    "Cedar Wood",
                ]),
                attrs: &[
                    number(
                        "volume_ml",
                        ["Көлемі", "Объём", "Volume"],
                        ["мл", "мл", "ml"],
                        &["30", "50", "75", "100", "125"],
                    ),
                    enumeration(
                        "perfume_for",
                        ["Кімге арналған", "Для кого", "For"],
                        &[
                            ("men", ["ерлерге", "мужской", "for men"]),
                            ("women", ["әйелдерге", "женский", "for women"]),
                            ("unisex", ["унисекс", "унисекс", "unisex"]),
                            ("teen", ["жасөспірімдерге", "подростковый", "for teens"]),
                        ],
                    ),
                ],
            },
            Leaf {
                name: ["Еден таразылары", "Напольные весы", "Bathroom scales"],
                noun: ["еден таразысы", "Напольные весы", "bathroom scale"],
                brands: &[
                    "Xiaomi", "Tefal", "Scarlett", "Polaris", "Beurer", "Omron", "Tanita", "Redmond", "Vitek", "Huawei",
                ],
                price: (4_000, 60_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "max_load",
                        ["Ең жоғары жүктеме", "Максимальная нагрузка", "Maximum load"],
                        KG,
                        &["150", "180", "200"],
                    ),
                    boolean("smart", ["Смарт", "Умные", "Smart"]),
                    COLOR,
                ],
            },
        ],
    },
    Top {
        name: ["Киім", "Одежда", "Clothing"],
        leaves: &[
            Leaf {
                name: ["Күртелер", "Куртки", "Jackets"],
                noun: ["күртесі", "Куртка", "jacket"],
                brands: &[
                    "Adidas",
                    "Nike",
                    "Puma",
                    "The North Face",
                    "Columbia",
                    "Zara",
                    "Reebok",
                    "Under Armour",
                    "Uniqlo",
                    "Outventure",
                ],
                price: (15_000, 250_000),
                style: Style::Fashion,
                attrs: &[
                    CLOTHING_SIZE,
                    COLOR,
                    enumeration(
                        "season",
                        ["Маусым", "Сезон", "Season"],
                        &[
                            ("winter", ["қысқы", "зимняя", "winter"]),
                            ("demi", ["маусымаралық", "демисезонная", "mid-season"]),
                            ("summer", ["жазғы", "летняя", "summer"]),
                            ("all", ["барлық маусымға", "всесезонная", "all-season"]),
                        ],
                    ),
                    WATERPROOF,
                ],
            },
            Leaf {
                name: ["Футболкалар", "Футболки", "T-shirts"],
                noun: ["футболкасы", "Футболка", "T-shirt"],
                brands: &[
                    "Adidas",
                    "Nike",
                    "Puma",
                    "Zara",
                    "H&M",
                    "Uniqlo",
                    "Reebok",
                    "Tommy Hilfiger",
                    "Lacoste",
                    "Levi's",
                ],
                price: (3_000, 60_000),
                style: Style::Fashion,
                attrs: &[
                    CLOTHING_SIZE,
                    COLOR,
                    enumeration(
                        "fabric",
                        ["Матасы", "Ткань", "Fabric"],
                        &[
                            ("cotton", ["мақта", "хлопок", "cotton"]),
                            ("polyester", ["полиэстер", "полиэстер", "polyester"]),
                            ("linen", ["зығыр", "лён", "linen"]),
                            ("blend", ["аралас мата", "смесовая ткань", "blend"]),
                        ],
                    ),
                ],
            },
            Leaf {
                name: ["Джинсылар", "Джинсы", "Jeans"],
                noun: ["джинсысы", "Джинсы", "jeans"],
                brands: &[
                    "Levi's",
                    "Wrangler",
                    "Lee",
                    "Zara",
                    "Mavi",
                    "Colin's",
                    "Tommy Hilfiger",
                    "Calvin Klein",
                    "Diesel",
                    "Gloria Jeans",
                ],
                price: (8_000, 90_000),
                style: Style::Fashion,
                attrs: &[
                    number(
                        "waist",
                        ["Бел өлшемі", "Размер по талии", "Waist"],
                        ["W", "W", "W"],
                        &["28", "30", "32", "34", "36", "38"],
                    ),
                    enumeration(
                        "fit",
                        ["Пішімі", "Посадка", "Fit"],
                        &[
                            ("slim", ["тар", "зауженные", "slim"]),
                            ("regular", ["классикалық", "классические", "regular"]),
                            ("straight", ["тік", "прямые", "straight"]),
                            ("wide", ["кең", "широкие", "wide"]),
                        ],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Көйлектер", "Платья", "Dresses"],
                noun: ["көйлегі", "Платье", "dress"],
                brands: &[
                    "Zara",
                    "Mango",
                    "H&M",
                    "Love Republic",
                    "Befree",
                    "Gloria Jeans",
                    "Incity",
                    "Sela",
                    "Koton",
                    "LC Waikiki",
                ],
                price: (6_000, 120_000),
                style: Style::Fashion,
                attrs: &[
                    CLOTHING_SIZE,
                    COLOR,
                    enumeration(
                        "length",
                        ["Ұзындығы", "Длина", "Length"],
                        &[
                            ("mini", ["қысқа", "мини", "mini"]),
                            ("midi", ["миди", "миди", "midi"]),
                            ("maxi", ["макси", "макси", "maxi"]),
                            ("knee", ["тізеге дейін", "до колена", "knee-length"]),
                        ],
                    ),
                ],
            },
            Leaf {
                name: ["Свитерлер", "Свитеры", "Sweaters"],
                noun: ["свитері", "Свитер", "sweater"],
                brands: &[
                    "Zara",
                    "Uniqlo",
                    "H&M",
                    "Tommy Hilfiger",
                    "Lacoste",
                    "Koton",
                    "LC Waikiki",
                    "Mango",
                    "Colin's",
                    "Marks & Spencer",
                ],
                price: (6_000, 80_000),
                style: Style::Fashion,
                attrs: &[
                    CLOTHING_SIZE,
                    COLOR,
                    enumeration(
                        "fabric",
                        ["Матасы", "Ткань", "Fabric"],
                        &[
                            ("wool", ["жүн", "шерсть", "wool"]),
                            ("cotton", ["мақта", "хлопок", "cotton"]),
                            ("acrylic", ["акрил", "акрил", "acrylic"]),
                            ("cashmere", ["кашемир", "кашемир", "cashmere"]),
                        ],
                    ),
                ],
            },
        ],
    },
    Top {
        name: ["Аяқ киім", "Обувь", "Shoes"],
        leaves: &[
            Leaf {
                name: ["Кроссовкалар", "Кроссовки", "Sneakers"],
                noun: ["кроссовкалары", "Кроссовки", "sneakers"],
                brands: &[
                    "Nike",
                    "Adidas",
                    "Puma",
                    "New Balance",
                    "Asics",
                    "Reebok",
                    "Skechers",
                    "Fila",
                    "Vans",
                    "Converse",
                ],
                price: (15_000, 150_000),
                style: Style::Fashion,
                attrs: &[SHOE_SIZE, GENDER, COLOR],
            },
            Leaf {
                name: ["Бәтеңкелер", "Ботинки", "Boots"],
                noun: ["бәтеңкесі", "Ботинки", "boots"],
                brands: &[
                    "Timberland",
                    "Ecco",
                    "Dr. Martens",
                    "Caterpillar",
                    "Columbia",
                    "Salomon",
                    "Rieker",
                    "Tervolina",
                    "Kari",
                    "Ralf Ringer",
                ],
                price: (20_000, 200_000),
                style: Style::Fashion,
                attrs: &[
                    SHOE_SIZE,
                    GENDER,
                    SHOE_MATERIAL,
                    boolean("insulated", ["Жылытылған", "Утеплённые", "Insulated"]),
                ],
            },
            Leaf {
                name: ["Туфлилер", "Туфли", "Dress shoes"],
                noun: ["туфлиі", "Туфли", "shoes"],
                brands: &[
                    "Ecco",
                    "Geox",
                    "Rieker",
                    "Tamaris",
                    "Clarks",
                    "Respect",
                    "Kari",
                    "Tervolina",
                    "Zara",
                    "Mascotte",
                ],
                price: (15_000, 150_000),
                style: Style::Fashion,
                attrs: &[SHOE_SIZE, GENDER, SHOE_MATERIAL, COLOR],
            },
            Leaf {
                name: ["Сандалдар", "Сандалии", "Sandals"],
                noun: ["сандалы", "Сандалии", "sandals"],
                brands: &["Crocs", "Birkenstock", "Ecco", "Teva", "Adidas", "Nike", "Puma", "Rieker", "Geox", "Kari"],
                price: (5_000, 80_000),
                style: Style::Fashion,
                attrs: &[SHOE_SIZE, GENDER, COLOR],
            },
            Leaf {
                name: ["Үй тәпішкелері", "Домашние тапочки", "Slippers"],
                noun: ["үй тәпішкесі", "Тапочки", "slippers"],
                brands: &[
                    "Crocs",
                    "UGG",
                    "Kari",
                    "Demix",
                    "Ekonika",
                    "Forio",
                    "Adidas",
                    "Nike",
                    "Zara Home",
                    "Mascotte",
                ],
                price: (2_000, 40_000),
                style: Style::Fashion,
                attrs: &[SHOE_SIZE, COLOR],
            },
        ],
    },
    Top {
        name: ["Балалар тауарлары", "Детские товары", "Kids"],
        leaves: &[
            Leaf {
                name: ["Балалар ойыншықтары", "Детские игрушки", "Toys"],
                noun: ["ойыншығы", "Игрушка", "toy"],
                brands: &[
                    "Lego",
                    "Hasbro",
                    "Mattel",
                    "Hot Wheels",
                    "Barbie",
                    "Playmobil",
                    "Fisher-Price",
                    "Spin Master",
                    "Simba",
                    "Ravensburger",
                ],
                price: (2_000, 120_000),
                style: Style::Fashion,
                attrs: &[
                    AGE,
                    boolean("batteries", ["Батареямен жұмыс істейді", "Работает от батареек", "Battery-powered"]),
                ],
            },
            Leaf {
                name: ["Конструкторлар", "Конструкторы", "Building sets"],
                noun: ["конструкторы", "Конструктор", "building set"],
                brands: &[
                    "Lego",
                    "Mega Bloks",
                    "Cobi",
                    "Sluban",
                    "Cada",
                    "Qman",
                    "Lepin",
                    "Playmobil",
                    "BanBao",
                    "Wange",
                ],
                price: (3_000, 300_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "pieces",
                        ["Бөлшектер саны", "Количество деталей", "Pieces"],
                        ["бөлшек", "деталей", "pieces"],
                        &["120", "250", "500", "1000", "2500"],
                    ),
                    AGE,
                ],
            },
            Leaf {
                name: ["Балалар арбалары", "Детские коляски", "Strollers"],
                noun: ["балалар арбасы", "Детская коляска", "stroller"],
                brands: &[
                    "Chicco",
                    "Cybex",
                    "Bugaboo",
                    "Peg Perego",
                    "Joie",
                    "Happy Baby",
                    "Anex",
                    "Babyzen",
                    "Tutis",
                    "Carrello",
                ],
                price: (40_000, 800_000),
                style: Style::Fashion,
                attrs: &[
                    enumeration(
                        "stroller_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("2in1", ["2-і 1-де", "2 в 1", "2-in-1"]),
                            ("3in1", ["3-і 1-де", "3 в 1", "3-in-1"]),
                            ("walk", ["серуендеуге арналған", "прогулочная", "pushchair"]),
                            ("cane", ["трость", "трость", "umbrella"]),
                        ],
                    ),
                    weight(&["6", "7.5", "9", "11", "13"]),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Балалар автокреслолары", "Детские автокресла", "Car seats"],
                noun: ["балалар автокреслосы", "Детское автокресло", "car seat"],
                brands: &[
                    "Britax Römer",
                    "Cybex",
                    "Chicco",
                    "Joie",
                    "Maxi-Cosi",
                    "Recaro",
                    "Heyner",
                    "Siger",
                    "Happy Baby",
                    "Peg Perego",
                ],
                price: (25_000, 400_000),
                style: Style::Fashion,
                attrs: &[
                    enumeration(
                        "seat_group",
                        ["Тобы", "Группа", "Group"],
                        &[
                            ("0p", ["0+", "0+", "0+"]),
                            ("0p_1", ["0+/1", "0+/1", "0+/1"]),
                            ("1_2_3", ["1/2/3", "1/2/3", "1/2/3"]),
                            ("2_3", ["2/3", "2/3", "2/3"]),
                        ],
                    ),
                    boolean("isofix", ["Isofix", "Isofix", "Isofix"]),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Жаялықтар", "Подгузники", "Diapers"],
                noun: ["жаялықтары", "Подгузники", "diapers"],
                brands: &[
                    "Pampers",
                    "Huggies",
                    "Merries",
                    "Moony",
                    "Libero",
                    "Goo.N",
                    "MamyPoko",
                    "Joonies",
                    "Helen Harper",
                    "Lovular",
                ],
                price: (4_000, 25_000),
                style: Style::Fashion,
                attrs: &[
                    enumeration(
                        "diaper_size",
                        ["Өлшемі", "Размер", "Size"],
                        &[
                            ("nb", ["NB", "NB", "NB"]),
                            ("s", ["S", "S", "S"]),
                            ("m", ["M", "M", "M"]),
                            ("l", ["L", "L", "L"]),
                            ("xl", ["XL", "XL", "XL"]),
                        ],
                    ),
                    number(
                        "count",
                        ["Саны", "Количество", "Count"],
                        ["дана", "шт.", "pcs"],
                        &["36", "52", "64", "72", "96", "128"],
                    ),
                    boolean("pants", ["Трусик", "Трусики", "Pants"]),
                ],
            },
        ],
    },
    Top {
        name: ["Кітаптар", "Книги", "Books"],
        leaves: &[
            Leaf {
                name: ["Көркем әдебиет", "Художественная литература", "Fiction"],
                noun: ["кітабы", "Книга", "book"],
                brands: PUBLISHERS,
                price: (2_000, 15_000),
                style: Style::Book(&[
                    "Абай жолы",
                    "Көшпенділер",
                    "Мастер и Маргарита",
                    "Война и мир",
                    "1984",
                    "Преступление и наказание",
                    "Три товарища",
                    "Мартин Иден",
                    "Алхимик",
                    "Шантарам",
                    "Над пропастью во ржи",
                    "Сто лет одиночества",
                ]),
                attrs: BOOK_ATTRS,
            },
            Leaf {
                name: ["Балалар кітаптары", "Детские книги", "Children's books"],
                noun: ["кітабы", "Книга", "book"],
                brands: PUBLISHERS,
                price: (2_000, 12_000),
                style: Style::Book(&[
                    "Маленький принц",
                    "Винни-Пух",
                    "Алиса в Стране чудес",
                    "Денискины рассказы",
                    "Алдар Көсе",
                    "Приключения Буратино",
                    "Гарри Поттер и философский камень",
                    "Хроники Нарнии",
                    "Мэри Поппинс",
                ]),
                attrs: BOOK_ATTRS,
            },
            Leaf {
                name: ["Бизнес әдебиеті", "Бизнес-литература", "Business books"],
                noun: ["кітабы", "Книга", "book"],
                brands: PUBLISHERS,
                price: (3_000, 15_000),
                style: Style::Book(&[
                    "Атомные привычки",
                    "Богатый папа, бедный папа",
                    "Думай медленно, решай быстро",
                    "От нуля к единице",
                    "Sapiens",
                    "Стратегия голубого океана",
                    "7 навыков высокоэффективных людей",
                    "Пиши, сокращай",
                ]),
                attrs: BOOK_ATTRS,
            },
            Leaf {
                name: ["Оқулықтар", "Учебники", "Textbooks"],
                noun: ["оқулығы", "Учебник", "textbook"],
                brands: &[
                    "Мектеп",
                    "Атамұра",
                    "Алматыкітап",
                    "Арман-ПВ",
                    "Келешек-2030",
                    "Oxford University Press",
                    "Cambridge University Press",
                    "Просвещение",
                    "Pearson",
                    "Дрофа",
                ],
                price: (2_000, 14_000),
                style: Style::Book(&[
                    "Алгебра. 7 класс",
                    "Геометрия. 8 класс",
                    "Физика. 9 класс",
                    "Химия. 10 класс",
                    "Қазақ тілі. 5 сынып",
                    "Русский язык. 6 класс",
                    "English Grammar in Use",
                    "История Казахстана. 9 класс",
                    "Биология. 7 класс",
                ]),
                attrs: BOOK_ATTRS,
            },
            Leaf {
                name: ["Комикстер", "Комиксы", "Comics"],
                noun: ["комиксі", "Комикс", "comic book"],
                brands: &[
                    "Азбука",
                    "Комильфо",
                    "XL Media",
                    "Alt Graph",
                    "Marvel",
                    "DC Comics",
                    "Истари комикс",
                    "Эксмо",
                    "АСТ",
                    "Reanimedia",
                ],
                price: (3_000, 15_000),
                style: Style::Book(&[
                    "Бэтмен. Год первый",
                    "Человек-паук",
                    "Ходячие мертвецы",
                    "Хранители",
                    "Ванпанчмен",
                    "Атака титанов",
                    "Наруто",
                    "Моя геройская академия",
                    "Сэндмен",
                ]),
                attrs: BOOK_ATTRS,
            },
        ],
    },
    Top {
        name: ["Спорт тауарлары", "Спорттовары", "Sports goods"],
        leaves: &[
            Leaf {
                name: ["Велосипедтер", "Велосипеды", "Bicycles"],
                noun: ["велосипеді", "Велосипед", "bicycle"],
                brands: &["Stels", "Forward", "Trek", "Giant", "Merida", "Cube", "Author", "Format", "Stark", "Scott"],
                price: (50_000, 900_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "wheel",
                        ["Дөңгелек диаметрі", "Диаметр колёс", "Wheel size"],
                        INCH,
                        &["16", "20", "24", "26", "27.5", "29"],
                    ),
                    number(
                        "speeds",
                        ["Жылдамдықтар саны", "Количество скоростей", "Speeds"],
                        ["жылдамдық", "ск.", "speed"],
                        &["1", "7", "18", "21", "24", "27"],
                    ),
                    enumeration(
                        "bike_type",
                        ["Түрі", "Тип", "Type"],
                        &[
                            ("mtb", ["тау", "горный", "mountain"]),
                            ("city", ["қалалық", "городской", "city"]),
                            ("road", ["шоссейлік", "шоссейный", "road"]),
                            ("bmx", ["BMX", "BMX", "BMX"]),
                            ("kids", ["балалар", "детский", "kids"]),
                        ],
                    ),
                ],
            },
            Leaf {
                name: ["Жүгіру жолдары", "Беговые дорожки", "Treadmills"],
                noun: ["жүгіру жолы", "Беговая дорожка", "treadmill"],
                brands: &[
                    "Torneo",
                    "Kingsmith",
                    "Xiaomi",
                    "Carbon",
                    "Oxygen",
                    "UnixFit",
                    "Proxima",
                    "Sole",
                    "Horizon",
                    "Clear Fit",
                ],
                price: (100_000, 1_500_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "max_speed",
                        ["Ең жоғары жылдамдық", "Максимальная скорость", "Top speed"],
                        ["км/сағ", "км/ч", "km/h"],
                        &["6", "10", "12", "16", "18", "20"],
                    ),
                    number(
                        "max_load",
                        ["Ең жоғары жүктеме", "Максимальная нагрузка", "Maximum load"],
                        KG,
                        &["100", "120", "130", "150"],
                    ),
                    boolean("folding", ["Жиналмалы", "Складная", "Folding"]),
                ],
            },
            Leaf {
                name: ["Гантельдер", "Гантели", "Dumbbells"],
                noun: ["гантелі", "Гантель", "dumbbell"],
                brands: &[
                    "Demix",
                    "Torneo",
                    "Starfit",
                    "Kettler",
                    "Domyos",
                    "Bradex",
                    "Original FitTools",
                    "Larsen",
                    "Reebok",
                    "Adidas",
                ],
                price: (3_000, 120_000),
                style: Style::Fashion,
                attrs: &[
                    weight(&["1", "2", "3", "5", "8", "10", "15", "20"]),
                    boolean("adjustable", ["Жиналмалы", "Разборная", "Adjustable"]),
                ],
            },
            Leaf {
                name: ["Йога кілемшелері", "Коврики для йоги", "Yoga mats"],
                noun: ["йога кілемшесі", "Коврик для йоги", "yoga mat"],
                brands: &[
                    "Demix", "Starfit", "Domyos", "Reebok", "Adidas", "Nike", "Bradex", "Manduka", "Liforme", "Xiaomi",
                ],
                price: (2_000, 60_000),
                style: Style::Fashion,
                attrs: &[
                    number("thickness", ["Қалыңдығы", "Толщина", "Thickness"], MM, &["3", "4", "6", "8", "10"]),
                    enumeration(
                        "material",
                        ["Материалы", "Материал", "Material"],
                        &[
                            ("tpe", ["TPE", "TPE", "TPE"]),
                            ("pvc", ["ПВХ", "ПВХ", "PVC"]),
                            ("nbr", ["NBR", "NBR", "NBR"]),
                            ("rubber", ["табиғи каучук", "натуральный каучук", "natural rubber"]),
                        ],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Шатырлар", "Палатки", "Tents"],
                noun: ["шатыры", "Палатка", "tent"],
                brands: &[
                    "Tramp",
                    "Coleman",
                    "Outventure",
                    "Quechua",
                    "Naturehike",
                    "Maverick",
                    "Btrace",
                    "Jungle Camp",
                    "Atemi",
                    "Greenell",
                ],
                price: (10_000, 400_000),
                style: Style::Fashion,
                attrs: &[
                    number(
                        "places",
                        ["Орын саны", "Количество мест", "Capacity"],
                        ["адам", "чел.", "pers."],
                        &["1", "2", "3", "4", "6"],
                    ),
                    number(
                        "water_column",
                        ["Су бағаны", "Водостойкость", "Water column"],
                        MM,
                        &["2000", "3000", "4000", "5000"],
                    ),
                    COLOR,
                ],
            },
        ],
    },
    Top {
        name: ["Үй және бақ", "Дом и сад", "Home and garden"],
        leaves: &[
            Leaf {
                name: ["Төсек жабдықтары", "Постельное бельё", "Bed linen"],
                noun: ["төсек жабдығы", "Комплект постельного белья", "bed linen set"],
                brands: &[
                    "Togas",
                    "Cleo",
                    "Ecotex",
                    "Mona Liza",
                    "Sofi de Marko",
                    "Tango",
                    "IKEA",
                    "Karna",
                    "Arya",
                    "Pavlina",
                ],
                price: (8_000, 120_000),
                style: Style::Fashion,
                attrs: &[
                    enumeration(
                        "bed_size",
                        ["Өлшемі", "Размер", "Size"],
                        &[
                            ("single", ["1,5 кісілік", "1,5-спальный", "single"]),
                            ("double", ["2 кісілік", "2-спальный", "double"]),
                            ("euro", ["евро", "евро", "king"]),
                            ("family", ["отбасылық", "семейный", "family"]),
                        ],
                    ),
                    enumeration(
                        "fabric",
                        ["Матасы", "Ткань", "Fabric"],
                        &[
                            ("satin", ["сатин", "сатин", "sateen"]),
                            ("percale", ["перкаль", "перкаль", "percale"]),
                            ("calico", ["бязь", "бязь", "calico"]),
                            ("silk", ["жібек", "шёлк", "silk"]),
                        ],
                    ),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Кастрюльдер", "Кастрюли", "Pots"],
                noun: ["кастрюлі", "Кастрюля", "pot"],
                brands: &[
                    "Tefal", "Rondell", "Fissler", "BergHOFF", "Zepter", "Gipfel", "Vinzer", "Kukmara", "Pyrex", "IKEA",
                ],
                price: (5_000, 200_000),
                style: Style::Fashion,
                attrs: &[
                    volume(&["1.5", "2", "3", "4", "5", "6"]),
                    enumeration(
                        "material",
                        ["Материалы", "Материал", "Material"],
                        &[
                            ("steel", ["тот баспайтын болат", "нержавеющая сталь", "stainless steel"]),
                            ("aluminium", ["алюминий", "алюминий", "aluminium"]),
                            ("enamel", ["эмаль", "эмаль", "enamel"]),
                            ("cast_iron", ["шойын", "чугун", "cast iron"]),
                        ],
                    ),
                    boolean("induction", ["Индукциялық плитаға", "Для индукционных плит", "Induction-ready"]),
                ],
            },
            Leaf {
                name: ["Шамдар", "Светильники", "Lamps"],
                noun: ["шамы", "Светильник", "lamp"],
                brands: &[
                    "Xiaomi",
                    "Philips",
                    "IKEA",
                    "Navigator",
                    "Gauss",
                    "Eglo",
                    "Citilux",
                    "Arte Lamp",
                    "Lightstar",
                    "Feron",
                ],
                price: (3_000, 150_000),
                style: Style::Tech,
                attrs: &[
                    power(&["6", "10", "12", "24", "36", "48"]),
                    boolean("smart", ["Смарт", "Умный", "Smart"]),
                    COLOR,
                ],
            },
            Leaf {
                name: ["Көгал шапқыштар", "Газонокосилки", "Lawn mowers"],
                noun: ["көгал шапқышы", "Газонокосилка", "lawn mower"],
                brands: &[
                    "Bosch",
                    "Makita",
                    "Huter",
                    "Champion",
                    "Greenworks",
                    "Husqvarna",
                    "Stihl",
                    "Daewoo",
                    "Patriot",
                    "Karcher",
                ],
                price: (30_000, 500_000),
                style: Style::Tech,
                attrs: &[
                    enumeration(
                        "engine",
                        ["Қозғалтқыш", "Двигатель", "Engine"],
                        &[
                            ("electric", ["электр", "электрическая", "electric"]),
                            ("petrol", ["бензинді", "бензиновая", "petrol"]),
                            ("battery", ["аккумуляторлы", "аккумуляторная", "cordless"]),
                            ("manual", ["қол", "механическая", "manual"]),
                        ],
                    ),
                    power(&["1000", "1400", "1800", "2500", "3500"]),
                    number(
                        "cut_width",
                        ["Шабу ені", "Ширина скашивания", "Cutting width"],
                        ["см", "см", "cm"],
                        &["32", "37", "42", "46", "51"],
                    ),
                ],
            },
            Leaf {
                name: ["Бұрғылар", "Дрели-шуруповёрты", "Drill drivers"],
                noun: ["бұрғы-бұрауышы", "Дрель-шуруповёрт", "drill driver"],
                brands: &[
                    "Bosch",
                    "Makita",
                    "DeWalt",
                    "Metabo",
                    "Milwaukee",
                    "Ryobi",
                    "Hilti",
                    "Интерскол",
                    "Зубр",
                    "AEG",
                ],
                price: (15_000, 300_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "voltage",
                        ["Кернеуі", "Напряжение", "Voltage"],
                        ["В", "В", "V"],
                        &["12", "14.4", "18", "20", "36"],
                    ),
                    number(
                        "torque",
                        ["Айналу моменті", "Крутящий момент", "Torque"],
                        ["Н·м", "Н·м", "N·m"],
                        &["30", "45", "60", "90", "135"],
                    ),
                    boolean("cordless", ["Аккумуляторлы", "Аккумуляторная", "Cordless"]),
                ],
            },
        ],
    },
    Top {
        name: ["Автотауарлар", "Автотовары", "Car accessories"],
        leaves: &[
            Leaf {
                name: ["Бейнетіркегіштер", "Видеорегистраторы", "Dash cams"],
                noun: ["бейнетіркегіші", "Видеорегистратор", "dash cam"],
                brands: &[
                    "Xiaomi",
                    "70mai",
                    "Neoline",
                    "Inspector",
                    "Playme",
                    "Mio",
                    "Artway",
                    "Roadgid",
                    "Digma",
                    "Fujida",
                ],
                price: (10_000, 150_000),
                style: Style::Tech,
                attrs: &[
                    SCREEN_RES,
                    boolean("gps", ["GPS", "GPS", "GPS"]),
                    number(
                        "view_angle",
                        ["Көру бұрышы", "Угол обзора", "Field of view"],
                        ["°", "°", "°"],
                        &["130", "140", "150", "160", "170"],
                    ),
                ],
            },
            Leaf {
                name: ["Автомобиль шиналары", "Автошины", "Car tyres"],
                noun: ["шинасы", "Шина", "tyre"],
                brands: &[
                    "Michelin",
                    "Bridgestone",
                    "Continental",
                    "Nokian",
                    "Pirelli",
                    "Hankook",
                    "Yokohama",
                    "Kumho",
                    "Goodyear",
                    "Cordiant",
                ],
                price: (20_000, 150_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "rim",
                        ["Диаметрі", "Диаметр", "Rim size"],
                        INCH,
                        &["14", "15", "16", "17", "18", "19", "20"],
                    ),
                    enumeration(
                        "tyre_season",
                        ["Маусым", "Сезонность", "Season"],
                        &[
                            ("winter_studded", ["қысқы шипті", "зимние шипованные", "winter studded"]),
                            ("winter", ["қысқы", "зимние", "winter"]),
                            ("summer", ["жазғы", "летние", "summer"]),
                            ("all_season", ["барлық маусымға", "всесезонные", "all-season"]),
                        ],
                    ),
                    boolean("run_flat", ["RunFlat", "RunFlat", "Run-flat"]),
                ],
            },
            Leaf {
                name: ["Аккумуляторлар", "Аккумуляторы", "Car batteries"],
                noun: ["аккумуляторы", "Аккумулятор", "car battery"],
                brands: &[
                    "Varta",
                    "Bosch",
                    "Mutlu",
                    "Tyumen Battery",
                    "Topla",
                    "Exide",
                    "Rocket",
                    "Medalist",
                    "Delkor",
                    "Atlas",
                ],
                price: (25_000, 120_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "capacity_ah",
                        ["Сыйымдылығы", "Ёмкость", "Capacity"],
                        ["А·сағ", "А·ч", "Ah"],
                        &["55", "60", "75", "90", "100"],
                    ),
                    number(
                        "cranking",
                        ["Іске қосу тогы", "Пусковой ток", "Cranking current"],
                        ["А", "А", "A"],
                        &["480", "540", "640", "760", "830"],
                    ),
                ],
            },
            Leaf {
                name: ["Автокөлік сығымдағыштары", "Автокомпрессоры", "Tyre inflators"],
                noun: ["автокомпрессоры", "Автокомпрессор", "tyre inflator"],
                brands: &[
                    "Xiaomi",
                    "Berkut",
                    "Airline",
                    "Agressor",
                    "Sturm",
                    "Bosch",
                    "Ryobi",
                    "Black+Decker",
                    "Michelin",
                    "70mai",
                ],
                price: (6_000, 80_000),
                style: Style::Tech,
                attrs: &[
                    number(
                        "pressure",
                        ["Қысымы", "Давление", "Pressure"],
                        ["атм", "атм", "atm"],
                        &["7", "10", "12", "14"],
                    ),
                    boolean("cordless", ["Аккумуляторлы", "Аккумуляторный", "Cordless"]),
                ],
            },
            Leaf {
                name: ["Автокөлік шаңсорғыштары", "Автопылесосы", "Car vacuum cleaners"],
                noun: ["автошаңсорғышы", "Автопылесос", "car vacuum"],
                brands: &[
                    "Xiaomi",
                    "Black+Decker",
                    "Bosch",
                    "Karcher",
                    "Baseus",
                    "Deerma",
                    "Airline",
                    "Berkut",
                    "Philips",
                    "Dyson",
                ],
                price: (6_000, 90_000),
                style: Style::Tech,
                attrs: &[
                    power(&["60", "80", "100", "120", "150"]),
                    boolean("cordless", ["Аккумуляторлы", "Аккумуляторный", "Cordless"]),
                    COLOR,
                ],
            },
        ],
    },
];

/// The 15 cities of the `cities` table (KATO) with their Kaspi city ids and how likely an
/// offer is priced there (Almaty and Astana most).
const CITIES: &[(&str, &str, u32)] = &[
    ("750000000", "750000000", 30),
    ("710000000", "710000000", 24),
    ("790000000", "511010000", 8),
    ("351010000", "351010000", 5),
    ("151010000", "151010000", 4),
    ("311010000", "311010000", 3),
    ("551010000", "551010000", 3),
    ("631010000", "631010000", 3),
    ("231010000", "231010000", 3),
    ("391010000", "391010000", 3),
    ("431010000", "431010000", 2),
    ("271010000", "271010000", 2),
    ("591010000", "591010000", 2),
    ("471010000", "471010000", 3),
    ("111010000", "111010000", 2),
];
const CITY_NAMES_RU: [&str; 15] = [
    "Алматы",
    "Астана",
    "Шымкент",
    "Караганда",
    "Актобе",
    "Тараз",
    "Павлодар",
    "Усть-Каменогорск",
    "Атырау",
    "Костанай",
    "Кызылорда",
    "Уральск",
    "Петропавловск",
    "Актау",
    "Кокшетау",
];
const STREETS: &[&str] = &[
    "пр. Абая",
    "ул. Толе би",
    "пр. Достык",
    "ул. Сатпаева",
    "пр. Республики",
    "ул. Кенесары",
    "ул. Байтурсынова",
    "ул. Жибек жолы",
    "ул. Ауэзова",
    "пр. Аль-Фараби",
    "ул. Кабанбай батыра",
    "ул. Желтоксан",
];
const SELLER_WORDS: &[&str] = &[
    "Alem", "Nur", "Sky", "Mega", "Kaz", "Tech", "Best", "Arna", "Saryarka", "Altyn", "Baiterek", "Dala", "Zhuldyz",
    "Orda", "Smart", "Prime", "Asia", "Step", "Astra", "Tau",
];
const SELLER_KINDS: &[&str] =
    &["Market", "Trade", "Store", "Shop", "Electronics", "Group", "Plus", "Home", "Style", "Retail"];
const SUFFIXES: &[&str] = &[" Pro", " Lite", " Plus", " Max", " Ultra", " Neo", " Mini", " SE"];
const LETTERS: &[&str] = &["A", "S", "X", "M", "G", "Z", "K", "V", "T", "P", "C", "E", "R", "N"];
const LINES: &[&str] = &[
    "Classic",
    "Urban",
    "Sport",
    "Comfort",
    "Street",
    "Trend",
    "Basic",
    "Active",
    "Premium",
    "Outdoor",
    "Essential",
    "Vintage",
];
const PHRASES: [[&str; 3]; 3] = [
    [
        "Ресми кепілдігі бар түпнұсқа тауар.",
        "Оригинальный товар с официальной гарантией.",
        "Original product with an official warranty.",
    ],
    [
        "Қазақстан бойынша жеткізу, сатушы пункттерінен алып кету.",
        "Доставка по всему Казахстану, самовывоз из пунктов продавцов.",
        "Delivery across Kazakhstan, pickup from sellers' points.",
    ],
    [
        "Танымал модель: күн сайын сенімді әрі ыңғайлы.",
        "Популярная модель: надёжно и удобно каждый день.",
        "A popular model: reliable and convenient every day.",
    ],
];

fn leaves() -> impl Iterator<Item = &'static Leaf> {
    TOPS.iter().flat_map(|t| t.leaves.iter())
}

fn leaf_count() -> usize {
    TOPS.iter().map(|t| t.leaves.len()).sum()
}

// ---------------------------------------------------------------------------------------
// Products

/// One generated product, before it has an id.
struct Product {
    leaf: usize,
    brand: &'static str,
    model: String,
    title: [String; 3],
    description: [String; 3],
    /// `{code: value}`, values normalised as the schema stores them.
    attributes: BTreeMap<&'static str, String>,
    base_tenge: i64,
}

fn number_words(value: &str, unit: &str, lang: usize) -> String {
    // Russian and Kazakh write a decimal comma.
    if lang < 2 { format!("{} {unit}", value.replace('.', ",")) } else { format!("{value} {unit}") }
}

fn product(rng: &mut Rng) -> Product {
    let leaf_index = rng.below(leaf_count());
    let leaf = leaves().nth(leaf_index).unwrap_or(&TOPS[0].leaves[0]);
    let brand = *rng.pick(leaf.brands);
    let model = match leaf.style {
        Style::Tech => {
            let number = if rng.percent(50) { rng.range(10, 99) } else { rng.range(100, 999) };
            let suffix = if rng.percent(40) { *rng.pick(SUFFIXES) } else { "" };
            format!("{}{number}{suffix}", rng.pick(LETTERS))
        }
        Style::Fashion => format!("{} {}", rng.pick(LINES), rng.range(1000, 9999)),
        Style::Named(names) | Style::Book(names) => (*rng.pick(names)).to_owned(),
    };
    let mut attributes = BTreeMap::new();
    let mut title_words: [Vec<String>; 3] = Default::default();
    let mut facts: [Vec<String>; 3] = Default::default();
    for attr in leaf.attrs {
        let (value, names): (String, [String; 3]) = match &attr.spec {
            Spec::Enum(values) => {
                let (code, name) = rng.pick(values);
                ((*code).to_owned(), name.map(str::to_owned))
            }
            Spec::Number { unit, values } => {
                let v = *rng.pick(values);
                (v.to_owned(), [0, 1, 2].map(|l| number_words(v, unit[l], l)))
            }
            Spec::Boolean => {
                let b = rng.percent(50);
                (b.to_string(), YES_NO[usize::from(b)].map(str::to_owned))
            }
        };
        for lang in 0..3 {
            if !matches!(attr.spec, Spec::Boolean) && title_words[lang].len() < 2 {
                title_words[lang].push(names[lang].clone());
            }
            facts[lang].push(format!("{}: {}", attr.name[lang], names[lang]));
        }
        attributes.insert(attr.code, value);
    }
    let shown_model = if matches!(leaf.style, Style::Book(_)) { format!("«{model}»") } else { model.clone() };
    let [kk_words, ru_words, en_words] = title_words.map(|w| w.join(" "));
    let title = [
        format!("{brand} {shown_model} {} {kk_words}", leaf.noun[0]),
        format!("{} {brand} {shown_model} {ru_words}", leaf.noun[1]),
        format!("{brand} {shown_model} {} {en_words}", leaf.noun[2]),
    ]
    .map(|t| t.trim_end().to_owned());
    let phrase = rng.below(PHRASES.len());
    let description = [0, 1, 2]
        .map(|l| format!("{}. {}. {}", title[l].trim_end_matches('.'), facts[l].join("; "), PHRASES[phrase][l]));
    let (lo, hi) = leaf.price;
    let tenge = lo as f64 * (hi as f64 / lo as f64).powf(rng.unit());
    let base_tenge = ((tenge / 100.0).round() as i64 * 100).max(100);
    Product { leaf: leaf_index, brand, model, title, description, attributes, base_tenge }
}

/// A price around `base` (±15 %) in whole tenge, rounded to 10 ₸ above 1 000 ₸.
fn city_price(rng: &mut Rng, base_tenge: i64) -> i64 {
    let factor = 0.85 + 0.30 * rng.unit();
    let tenge = (base_tenge as f64 * factor).round() as i64;
    let tenge = if tenge >= 1_000 { (tenge + 5) / 10 * 10 } else { tenge };
    tenge.max(1)
}

/// Distinct city indices (1–`max`), Almaty and Astana most likely.
fn cities(rng: &mut Rng, max: usize) -> Vec<usize> {
    let count = 1 + rng.below(max);
    let mut weights: Vec<u32> = CITIES.iter().map(|c| c.2).collect();
    let mut chosen = Vec::with_capacity(count);
    for _ in 0..count {
        let i = rng.weighted(&weights);
        weights[i] = 0;
        chosen.push(i);
        if weights.iter().all(|&w| w == 0) {
            break;
        }
    }
    chosen
}

// ---------------------------------------------------------------------------------------
// Sellers

struct SellerDraft {
    code: String,
    bin: Option<String>,
    legal_name: String,
    display_name: String,
    country: &'static str,
    description: [String; 3],
    /// (code, name, city index or None abroad, address)
    stores: Vec<(String, String, Option<usize>, String)>,
}

/// A valid BIN: registration YYMM, type digit 4, three random digits, the seller's number
/// (so BINs never repeat), and the check digit; drawn again when no check digit exists.
fn bin(rng: &mut Rng, n: u64) -> String {
    loop {
        let yy = rng.below(25) as u8;
        let mm = 1 + rng.below(12) as u8;
        let mut d = [yy / 10, yy % 10, mm / 10, mm % 10, 4, 0, 0, 0, 0, 0, 0];
        for x in &mut d[5..8] {
            *x = rng.below(10) as u8;
        }
        let k = n % 1000;
        d[8] = (k / 100) as u8;
        d[9] = (k / 10 % 10) as u8;
        d[10] = (k % 10) as u8;
        if let Some(check) = duken_core::bin::check_digit(&d) {
            return d.iter().chain(std::iter::once(&check)).map(|&x| char::from(b'0' + x)).collect();
        }
    }
}

fn seller(seed: u64, n: u64) -> SellerDraft {
    let mut rng = Rng::stream(seed, DOMAIN_SELLER, n);
    let display_name = format!("{} {}", rng.pick(SELLER_WORDS), rng.pick(SELLER_KINDS));
    let abroad = rng.percent(3);
    let (country, bin, legal_name) = if abroad {
        if rng.percent(50) {
            ("CN", None, format!("Shenzhen {display_name} Trading Co., Ltd."))
        } else {
            ("TR", None, format!("{display_name} Ticaret A.Ş."))
        }
    } else {
        ("KZ", Some(bin(&mut rng, n)), format!("ТОО «{display_name}»"))
    };
    let description = [
        format!("{display_name}: түпнұсқа тауарлар және жылдам жеткізу."),
        format!("{display_name}: оригинальные товары и быстрая доставка."),
        format!("{display_name}: original goods and fast delivery."),
    ];
    let store_count = 1 + rng.below(4);
    let stores = (1..=store_count)
        .map(|k| {
            let code = format!("S{k}");
            if abroad {
                let (name, address) = if country == "CN" {
                    ("Warehouse Shenzhen".to_owned(), format!("Bao'an District, Shenzhen, No. {}", rng.range(1, 300)))
                } else {
                    ("İstanbul depo".to_owned(), format!("Esenyurt, İstanbul, No. {}", rng.range(1, 300)))
                };
                (code, name, None, address)
            } else {
                let city = rng.weighted(&CITIES.iter().map(|c| c.2).collect::<Vec<_>>());
                let name = format!("{display_name} — {}", CITY_NAMES_RU[city]);
                let address = format!("г. {}, {}, {}", CITY_NAMES_RU[city], rng.pick(STREETS), rng.range(1, 250));
                (code, name, Some(city), address)
            }
        })
        .collect();
    SellerDraft { code: format!("syn-seller-{n}"), bin, legal_name, display_name, country, description, stores }
}

/// How many sellers a catalog of `products` has.
pub fn seller_count(products: u64) -> u64 {
    (products / 2_000).clamp(5, 1_000)
}

// ---------------------------------------------------------------------------------------
// Loading

/// seller id, code, name, country, city (KATO), address
type StoreRow<'a> = (i64, &'a str, &'a str, &'a str, Option<&'a str>, &'a str);

struct SellerIds {
    id: i64,
    stores: Vec<i64>,
}

struct OfferDraft {
    product: usize,
    seller: usize,
    sku: String,
    available: bool,
    pre_order_days: i32,
    created_at: DateTime<Utc>,
    prices: Vec<(usize, i64)>,
    /// (index into the seller's stores, quantity)
    stocks: Vec<(usize, i32)>,
}

/// The ids of rows a multi-row `INSERT … RETURNING id, key` wrote, in the order of
/// `expected`. Both backends return rows in VALUES order; the keys make sure of it.
fn ids_in_order<'a, K: Eq + Hash + 'a>(
    returned: Vec<(i64, K)>,
    expected: impl ExactSizeIterator<Item = &'a K> + Clone,
) -> Result<Vec<i64>, StoreError> {
    if returned.len() != expected.len() {
        return Err(StoreError::Corrupt(format!("{} rows returned for {}", returned.len(), expected.len())));
    }
    if returned.iter().zip(expected.clone()).all(|((_, k), e)| k == e) {
        return Ok(returned.into_iter().map(|(id, _)| id).collect());
    }
    let by_key: HashMap<K, i64> = returned.into_iter().map(|(id, k)| (k, id)).collect();
    expected
        .map(|e| by_key.get(e).copied().ok_or_else(|| StoreError::Corrupt("a written row was not returned".into())))
        .collect()
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Store {
    /// Loads a deterministic synthetic catalog of `products` products (see the module
    /// documentation). Refused with [`StoreError::Conflict`] when synthetic data (a category
    /// `syn-…`) is already there. A failure half-way leaves the batches already committed.
    pub async fn seed_synthetic(&self, products: u64, seed: u64) -> Result<SyntheticReport, StoreError> {
        let now = Utc::now();
        let mut report = SyntheticReport::default();

        let mut tx = self.begin().await?;
        let existing: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM categories WHERE code LIKE 'syn-%'"
        )
        .fetch_one(t)
        .await)?;
        if existing > 0 {
            return Err(StoreError::Conflict("synthetic data already loaded".into()));
        }
        let leaf_ids = write_categories(&mut tx, &mut report).await?;
        let sellers = write_sellers(&mut tx, seed, seller_count(products), now, &mut report).await?;
        tx.commit().await?;

        let mut first = 1u64;
        while first <= products {
            let last = (first + count(PRODUCTS_PER_TX) - 1).min(products);
            let mut tx = self.begin().await?;
            write_products(&mut tx, seed, first..=last, &leaf_ids, &sellers, now, &mut report).await?;
            tx.commit().await?;
            first = last + 1;
        }
        Ok(report)
    }
}

async fn write_categories(tx: &mut Tx, report: &mut SyntheticReport) -> Result<Vec<i64>, StoreError> {
    let mut n: i32 = 0;
    let mut leaf_ids = Vec::with_capacity(leaf_count());
    for top in TOPS {
        n += 1;
        let top_id = insert_category(tx, n, None, &top.name).await?;
        for leaf in top.leaves {
            n += 1;
            let id = insert_category(tx, n, Some(top_id), &leaf.name).await?;
            for (order, attr) in leaf.attrs.iter().enumerate() {
                let (kind, unit, values) = match &attr.spec {
                    Spec::Enum(values) => (AttributeKind::Enum, "", *values),
                    Spec::Number { unit, .. } => (AttributeKind::Number, unit[2], &[][..]),
                    Spec::Boolean => (AttributeKind::Boolean, "", &[][..]),
                };
                let def = NewAttribute {
                    code: attr.code.to_owned(),
                    kind,
                    unit: unit.to_owned(),
                    required: order == 0,
                    name: localized(&attr.name),
                    values: values
                        .iter()
                        .map(|(code, name)| AttributeValue { code: (*code).to_owned(), name: localized(name) })
                        .collect(),
                };
                tx.save_attribute(id, &def, Some(i32::try_from(order).unwrap_or(0))).await?;
            }
            leaf_ids.push(id);
        }
    }
    report.categories = u64::try_from(n).unwrap_or(0);
    Ok(leaf_ids)
}

async fn insert_category(tx: &mut Tx, n: i32, parent: Option<i64>, name: &L) -> Result<i64, StoreError> {
    let code = format!("syn-{n}");
    Ok(on_tx!(tx, |t| sqlx::query_scalar(
        "INSERT INTO categories (code, parent_id, name_kk, name_ru, name_en, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(&code)
    .bind(parent)
    .bind(name[0])
    .bind(name[1])
    .bind(name[2])
    .bind(1000 + n)
    .fetch_one(t)
    .await)?)
}

fn localized(l: &L) -> Localized {
    Localized { kk: l[0].to_owned(), ru: l[1].to_owned(), en: l[2].to_owned() }
}

async fn write_sellers(
    tx: &mut Tx,
    seed: u64,
    count_: u64,
    now: DateTime<Utc>,
    report: &mut SyntheticReport,
) -> Result<Vec<SellerIds>, StoreError> {
    let drafts: Vec<SellerDraft> = (1..=count_).map(|n| seller(seed, n)).collect();
    let mut seller_ids = Vec::with_capacity(drafts.len());
    for batch in drafts.chunks(PRODUCT_ROWS) {
        let rows: Vec<(i64, String)> = on_tx!(&mut *tx, |t| {
            let mut q = QueryBuilder::new(
                "INSERT INTO sellers (code, bin, legal_name, display_name, country, is_eaeu,
                     description_kk, description_ru, description_en, created_at, updated_at) ",
            );
            q.push_values(batch, |mut b, s| {
                b.push_bind(&s.code)
                    .push_bind(s.bin.as_deref())
                    .push_bind(&s.legal_name)
                    .push_bind(&s.display_name)
                    .push_bind(s.country)
                    .push_bind(s.country == "KZ")
                    .push_bind(&s.description[0])
                    .push_bind(&s.description[1])
                    .push_bind(&s.description[2])
                    .push_bind(now)
                    .push_bind(now);
            });
            q.push(" RETURNING id, code");
            q.build_query_as().fetch_all(t).await?
        });
        seller_ids.extend(ids_in_order(rows, batch.iter().map(|s| &s.code))?);
    }
    report.sellers = count(drafts.len());

    let stores: Vec<StoreRow<'_>> = drafts
        .iter()
        .zip(&seller_ids)
        .flat_map(|(s, &id)| {
            s.stores.iter().map(move |(code, name, city, address)| {
                (id, code.as_str(), name.as_str(), s.country, city.map(|c| CITIES[c].0), address.as_str())
            })
        })
        .collect();
    let mut store_ids: HashMap<(i64, String), i64> = HashMap::with_capacity(stores.len());
    for batch in stores.chunks(OFFER_ROWS) {
        let rows: Vec<(i64, i64, String)> = on_tx!(&mut *tx, |t| {
            let mut q = QueryBuilder::new(
                "INSERT INTO stores (seller_id, code, name, country, city_kato, address, opening_hours) ",
            );
            q.push_values(batch, |mut b, s| {
                b.push_bind(s.0)
                    .push_bind(s.1)
                    .push_bind(s.2)
                    .push_bind(s.3)
                    .push_bind(s.4)
                    .push_bind(s.5)
                    .push_bind("Пн–Вс 10:00–21:00");
            });
            q.push(" RETURNING id, seller_id, code");
            q.build_query_as().fetch_all(t).await?
        });
        store_ids.extend(rows.into_iter().map(|(id, seller, code)| ((seller, code), id)));
    }
    report.stores = count(stores.len());

    drafts
        .iter()
        .zip(seller_ids)
        .map(|(s, id)| {
            let stores = s
                .stores
                .iter()
                .map(|st| {
                    store_ids
                        .get(&(id, st.0.clone()))
                        .copied()
                        .ok_or_else(|| StoreError::Corrupt("a written store was not returned".into()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(SellerIds { id, stores })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn write_products(
    tx: &mut Tx,
    seed: u64,
    numbers: std::ops::RangeInclusive<u64>,
    leaf_ids: &[i64],
    sellers: &[SellerIds],
    now: DateTime<Utc>,
    report: &mut SyntheticReport,
) -> Result<(), StoreError> {
    let first = *numbers.start();
    let mut products = Vec::with_capacity(PRODUCTS_PER_TX);
    let mut offers = Vec::with_capacity(PRODUCTS_PER_TX * 4);
    for n in numbers {
        let mut rng = Rng::stream(seed, DOMAIN_PRODUCT, n);
        let p = product(&mut rng);
        let age = rng.range(0, 2 * 365 * 86_400);
        let created_at = now - Duration::seconds(age);
        let attributes = serde_json::to_string(&p.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;

        // 1–6 offers (about 3 on average), each from a different seller.
        let wanted = 1 + rng.weighted(&[15, 20, 25, 20, 12, 8]);
        let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
        while chosen.len() < wanted.min(sellers.len()) {
            let s = rng.below(sellers.len());
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        let index = products.len();
        for (k, &s) in chosen.iter().enumerate() {
            let available = !rng.percent(5);
            let pre_order_days = if rng.percent(5) { i32::try_from(rng.range(1, 14)).unwrap_or(1) } else { 0 };
            let prices =
                cities(&mut rng, 4).into_iter().map(|c| (c, city_price(&mut rng, p.base_tenge) * 100)).collect();
            let store_count = sellers[s].stores.len();
            let mut stocks: Vec<(usize, i32)> = Vec::with_capacity(2);
            for _ in 0..(1 + rng.below(2)).min(store_count) {
                let st = rng.below(store_count);
                let qty = i32::try_from(rng.range(0, 50)).unwrap_or(0);
                if !stocks.iter().any(|(x, _)| *x == st) {
                    stocks.push((st, qty));
                }
            }
            let offer_age = rng.range(0, 30 * 86_400);
            offers.push(OfferDraft {
                product: index,
                seller: s,
                sku: format!("SKU-{n}-{}", k + 1),
                available,
                pre_order_days,
                created_at: (created_at + Duration::seconds(offer_age)).min(now),
                prices,
                stocks,
            });
        }
        products.push((format!("syn-p-{n}"), p, attributes, created_at));
    }
    debug_assert_eq!(products.first().map(|p| p.0.clone()), Some(format!("syn-p-{first}")));

    let mut product_ids = Vec::with_capacity(products.len());
    for batch in products.chunks(PRODUCT_ROWS) {
        let rows: Vec<(i64, String)> = on_tx!(&mut *tx, |t| {
            let mut q = QueryBuilder::new(
                "INSERT INTO products (code, category_id, brand, model, title_kk, title_ru, title_en,
                     description_kk, description_ru, description_en, attributes, status, created_at, updated_at) ",
            );
            q.push_values(batch, |mut b, (code, p, attributes, created_at)| {
                b.push_bind(code)
                    .push_bind(leaf_ids[p.leaf])
                    .push_bind(p.brand)
                    .push_bind(&p.model)
                    .push_bind(&p.title[0])
                    .push_bind(&p.title[1])
                    .push_bind(&p.title[2])
                    .push_bind(&p.description[0])
                    .push_bind(&p.description[1])
                    .push_bind(&p.description[2])
                    .push_bind(attributes)
                    .push_bind("active")
                    .push_bind(*created_at)
                    .push_bind(*created_at);
            });
            q.push(" RETURNING id, code");
            q.build_query_as().fetch_all(t).await?
        });
        product_ids.extend(ids_in_order(rows, batch.iter().map(|p| &p.0))?);
    }
    report.products += count(products.len());
    drop(products);

    let mut offer_ids = Vec::with_capacity(offers.len());
    for batch in offers.chunks(OFFER_ROWS) {
        let rows: Vec<(i64, String)> = on_tx!(&mut *tx, |t| {
            let mut q = QueryBuilder::new(
                "INSERT INTO offers (seller_id, product_id, seller_sku, available, pre_order_days, created_at, updated_at) ",
            );
            q.push_values(batch, |mut b, o| {
                b.push_bind(sellers[o.seller].id)
                    .push_bind(product_ids[o.product])
                    .push_bind(&o.sku)
                    .push_bind(o.available)
                    .push_bind(o.pre_order_days)
                    .push_bind(o.created_at)
                    .push_bind(o.created_at);
            });
            q.push(" RETURNING id, seller_sku");
            q.build_query_as().fetch_all(t).await?
        });
        offer_ids.extend(ids_in_order(rows, batch.iter().map(|o| &o.sku))?);
    }
    report.offers += count(offers.len());

    let prices: Vec<(i64, &str, i64)> = offers
        .iter()
        .zip(&offer_ids)
        .flat_map(|(o, &id)| o.prices.iter().map(move |&(c, tiyn)| (id, CITIES[c].0, tiyn)))
        .collect();
    for batch in prices.chunks(SMALL_ROWS) {
        on_tx!(&mut *tx, |t| {
            let mut q = QueryBuilder::new("INSERT INTO offer_prices (offer_id, city_kato, price_tiyn) ");
            q.push_values(batch, |mut b, p| {
                b.push_bind(p.0).push_bind(p.1).push_bind(p.2);
            });
            q.build().execute(t).await.map(|_| ())?
        });
    }
    report.prices += count(prices.len());

    let stocks: Vec<(i64, i64, i32)> = offers
        .iter()
        .zip(&offer_ids)
        .flat_map(|(o, &id)| o.stocks.iter().map(move |&(st, qty)| (id, sellers[o.seller].stores[st], qty)))
        .collect();
    for batch in stocks.chunks(SMALL_ROWS) {
        on_tx!(&mut *tx, |t| {
            let mut q = QueryBuilder::new("INSERT INTO offer_stocks (offer_id, store_id, quantity) ");
            q.push_values(batch, |mut b, s| {
                b.push_bind(s.0).push_bind(s.1).push_bind(s.2);
            });
            q.build().execute(t).await.map(|_| ())?
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Price lists

/// Text and attribute values for XML.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// Writes a deterministic Kaspi XML price list of `offers` offers for the import benchmark:
/// SKUs `SKU-<n>`, realistic model names and brands, stock in 1–2 of `store_codes` (none
/// when it is empty), prices in 1–4 of `city_ids` (Almaty and Astana most likely), or a
/// single `<price>` when `city_ids` is empty. Same arguments, same bytes. Wrap `w` in a
/// `BufWriter`: one `write_all` per offer.
pub fn write_pricelist_xml(
    w: &mut impl std::io::Write,
    merchant_id: &str,
    store_codes: &[String],
    city_ids: &[String],
    offers: u64,
    seed: u64,
) -> std::io::Result<()> {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<kaspi_catalog date=\"2026-01-01T00:00:00+05:00\" xmlns=\"kaspiShopping\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"kaspiShopping http://kaspi.kz/kaspishopping.xsd\">\n  <company>");
    escape_into(&mut out, &format!("Synthetic {merchant_id}"));
    out.push_str("</company>\n  <merchantid>");
    escape_into(&mut out, merchant_id);
    out.push_str("</merchantid>\n  <offers>\n");
    w.write_all(out.as_bytes())?;

    let city_weights: Vec<u32> =
        city_ids.iter().map(|c| if c == "750000000" || c == "710000000" { 6 } else { 1 }).collect();
    for n in 1..=offers {
        out.clear();
        let mut rng = Rng::stream(seed, DOMAIN_XML, n);
        let p = product(&mut rng);
        let _ = write!(out, "    <offer sku=\"SKU-{n}\">\n      <model>");
        escape_into(&mut out, &p.title[1]);
        out.push_str("</model>\n      <brand>");
        escape_into(&mut out, p.brand);
        out.push_str("</brand>\n      <availabilities>\n");
        if !store_codes.is_empty() {
            let first = rng.below(store_codes.len());
            let mut chosen = vec![first];
            if store_codes.len() > 1 && rng.percent(40) {
                chosen.push((first + 1 + rng.below(store_codes.len() - 1)) % store_codes.len());
            }
            for s in chosen {
                let available = if rng.percent(95) { "yes" } else { "no" };
                let stock = rng.range(0, 50);
                let pre_order = if rng.percent(5) { rng.range(1, 14) } else { 0 };
                out.push_str("        <availability available=\"");
                out.push_str(available);
                out.push_str("\" storeId=\"");
                escape_into(&mut out, &store_codes[s]);
                let _ = writeln!(out, "\" stockCount=\"{stock}\" preOrder=\"{pre_order}\"/>");
            }
        }
        out.push_str("      </availabilities>\n");
        if city_ids.is_empty() {
            let _ = writeln!(out, "      <price>{}</price>", city_price(&mut rng, p.base_tenge));
        } else {
            out.push_str("      <cityprices>\n");
            let mut weights = city_weights.clone();
            for _ in 0..(1 + rng.below(4)).min(city_ids.len()) {
                let c = rng.weighted(&weights);
                weights[c] = 0;
                out.push_str("        <cityprice cityId=\"");
                escape_into(&mut out, &city_ids[c]);
                let _ = writeln!(out, "\">{}</cityprice>", city_price(&mut rng, p.base_tenge));
            }
            out.push_str("      </cityprices>\n");
        }
        out.push_str("    </offer>\n");
        w.write_all(out.as_bytes())?;
    }
    w.write_all(b"  </offers>\n</kaspi_catalog>\n")
}

/// Kaspi city ids of the 15 cities the synthetic catalog prices in (Almaty, Astana first).
pub fn kaspi_city_ids() -> Vec<String> {
    CITIES.iter().map(|c| c.1.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_as_promised() {
        assert!((12..=13).contains(&TOPS.len()));
        assert!((60..=65).contains(&leaf_count()));
        for leaf in leaves() {
            assert!((2..=4).contains(&leaf.attrs.len()), "{:?}", leaf.name);
            assert!(leaf.brands.len() >= 10, "{:?}", leaf.name);
            assert!(leaf.price.0 > 0 && leaf.price.0 < leaf.price.1);
            for a in leaf.attrs {
                assert!(duken_core::attributes::is_attribute_code(a.code), "{}", a.code);
                match &a.spec {
                    Spec::Enum(values) => assert!((4..=8).contains(&values.len()), "{}", a.code),
                    Spec::Number { values, .. } => {
                        for v in *values {
                            assert_eq!(duken_core::attributes::normalize_number(v).as_deref(), Some(*v));
                        }
                    }
                    Spec::Boolean => {}
                }
            }
        }
    }

    #[test]
    fn bins_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for n in 1..=1000 {
            let s = seller(7, n);
            if let Some(b) = &s.bin {
                duken_core::Bin::parse(b).unwrap();
                assert!(seen.insert(b.clone()), "{b}");
            }
        }
    }

    #[test]
    fn titles_read_well() {
        let mut rng = Rng::stream(1, DOMAIN_PRODUCT, 1);
        for _ in 0..200 {
            let p = product(&mut rng);
            for t in &p.title {
                assert!(!t.contains("  ") && !t.ends_with(' '), "{t}");
            }
        }
    }

    #[test]
    fn the_generator_is_deterministic() {
        let a: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            assert!(r.below(7) < 7);
            assert!((1..=4).contains(&r.range(1, 4)));
        }
    }
}

/// A seller with an offer in stock: (seller, offer, product, store, SKU).
type SellerStock = (i64, i64, i64, i64, String);

/// What [`Store::seed_orders`] made: the seller with the largest share and its order count.
#[derive(Clone, Debug)]
pub struct SeededOrders {
    pub orders: u64,
    pub busiest_seller: i64,
    pub busiest_orders: u64,
}

impl Store {
    /// Loads `n` orders (one line each) for benchmarks: a tenth for the first seller that has
    /// stock (the busiest), the rest round-robin over every seller with stock, placed over the
    /// last 90 days by one bench buyer, in mixed states. Multi-row inserts, 1 000 a statement.
    pub async fn seed_orders(&self, n: u64) -> Result<SeededOrders, StoreError> {
        let now = Utc::now();
        // Each seller with an offer in stock: (seller, offer, product, store, sku).
        let sellers: Vec<SellerStock> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT o.seller_id, MIN(o.id), MIN(o.product_id), MIN(st.store_id), MIN(o.seller_sku)
             FROM offers o JOIN offer_stocks st ON st.offer_id = o.id GROUP BY o.seller_id ORDER BY o.seller_id"
        )
        .fetch_all(p)
        .await)?;
        if sellers.is_empty() {
            return Err(StoreError::Config("no seller has an offer in stock: seed a catalog first".into()));
        }
        let mut tx = self.begin().await?;
        let buyer: i64 = on_tx!(&mut tx, |t| {
            sqlx::query_scalar(
            "INSERT INTO users (phone, display_name, created_at, updated_at) VALUES ('+77009999999', 'Bench buyer', $1, $1)
             ON CONFLICT (phone) DO UPDATE SET updated_at = excluded.updated_at RETURNING id"
        )
        .bind(now)
        .fetch_one(t)
        .await
        })?;
        let checkout: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO checkouts (buyer_id, idempotency_key, city_kato, payment_mode, total_tiyn, created_at)
             VALUES ($1, $2, '750000000', 'PREPAID', 1, $3) RETURNING id"
        )
        .bind(buyer)
        .bind(format!("bench-{}", now.timestamp_nanos_opt().unwrap_or_default()))
        .bind(now)
        .fetch_one(t)
        .await)?;
        tx.commit().await?;
        const STATES: [(&str, &str); 4] = [
            ("NEW", "APPROVED_BY_BANK"),
            ("PICKUP", "ACCEPTED_BY_MERCHANT"),
            ("ARCHIVE", "COMPLETED"),
            ("ARCHIVE", "CANCELLED"),
        ];
        let prefix = format!("{:x}", now.timestamp() % 0xffff_ffff);
        let mut busiest = 0u64;
        let mut done = 0u64;
        while done < n {
            let batch = (n - done).min(1000);
            let mut tx = self.begin().await?;
            let rows: Vec<(u64, &SellerStock)> = (done..done + batch)
                .map(|i| {
                    let seller = if i % 10 == 0 || sellers.len() == 1 {
                        &sellers[0]
                    } else {
                        &sellers[1 + (i as usize) % (sellers.len() - 1)]
                    };
                    (i, seller)
                })
                .collect();
            busiest += rows.iter().filter(|(_, s)| s.0 == sellers[0].0).count() as u64;
            let ids: Vec<i64> = on_tx!(&mut tx, |t| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO orders (code, checkout_id, buyer_id, seller_id, state, status, payment_mode, delivery_mode,
                         pickup_store_id, city_kato, total_tiyn, created_at, updated_at, approved_at, hold_until) ",
                );
                q.push_values(&rows, |mut b, (i, s)| {
                    let at = now - Duration::seconds((*i as i64 * 7_776_000 / n.max(1) as i64).max(0));
                    let (state, status) = STATES[(*i as usize / 7) % STATES.len()];
                    b.push_bind(format!("B{prefix}-{i}"))
                        .push_bind(checkout)
                        .push_bind(buyer)
                        .push_bind(s.0)
                        .push_bind(state)
                        .push_bind(status)
                        .push_bind("PREPAID")
                        .push_bind("DELIVERY_PICKUP")
                        .push_bind(s.3)
                        .push_bind("750000000")
                        .push_bind(100_000i64 + (*i as i64 % 1000) * 100)
                        .push_bind(at)
                        .push_bind(at)
                        .push_bind(at)
                        .push_bind(at);
                });
                q.push(" RETURNING id");
                q.build_query_scalar().fetch_all(&mut *t).await
            })?;
            on_tx!(&mut tx, |t| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO order_entries (order_id, entry_number, offer_id, product_id, seller_sku, name, quantity,
                         base_price_tiyn, total_price_tiyn, store_id) ",
                );
                q.push_values(rows.iter().zip(&ids), |mut b, ((i, s), id)| {
                    let price = 100_000i64 + (*i as i64 % 1000) * 100;
                    b.push_bind(*id)
                        .push_bind(1)
                        .push_bind(s.1)
                        .push_bind(s.2)
                        .push_bind(&s.4)
                        .push_bind("Bench item")
                        .push_bind(1)
                        .push_bind(price)
                        .push_bind(price)
                        .push_bind(s.3);
                });
                q.build().execute(&mut *t).await.map(|_| ())
            })?;
            tx.commit().await?;
            done += batch;
        }
        self.recount_order_states().await?;
        // Fresh planner statistics and (PostgreSQL) a visibility map, as autovacuum gives a
        // database that grew to this size: without it every index-only count visits the heap.
        match self.pool() {
            crate::Pool::Postgres(p) => {
                sqlx::query("VACUUM ANALYZE orders, order_state_counts").execute(p).await.map(|_| ())?
            }
            crate::Pool::Sqlite(p) => sqlx::query("ANALYZE").execute(p).await.map(|_| ())?,
        }
        Ok(SeededOrders { orders: n, busiest_seller: sellers[0].0, busiest_orders: busiest })
    }
}
