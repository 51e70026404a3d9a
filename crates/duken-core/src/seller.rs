//! §3: the rules of a seller's legal data and stores, checked before anything is stored.
//!
//! A form comes in as raw strings (a web form or JSON); [`ApplicationForm::validate`] and
//! [`StoreForm::validate`] either give a value whose every field is valid, or the complete
//! list of problems, one per field, each with a message key the web layer translates.

use crate::{Bin, Country, Kato, Phone};

/// One field's problem: the field's name (as in the form) and a message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: &'static str,
}

/// What a user types to apply for a seller account.
#[derive(Clone, Debug, Default)]
pub struct ApplicationForm {
    pub bin: String,
    pub legal_name: String,
    pub display_name: String,
    pub country: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub store: StoreForm,
}

/// A store, pickup point or warehouse as typed: `code` is the `storeId` of price lists.
#[derive(Clone, Debug, Default)]
pub struct StoreForm {
    pub code: String,
    pub name: String,
    pub city_kato: String,
    pub address: String,
    pub opening_hours: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// Required for a company registered in Kazakhstan; none for a foreign one.
    pub bin: Option<Bin>,
    pub legal_name: String,
    pub display_name: String,
    pub country: Country,
    pub contact_phone: Phone,
    pub contact_email: String,
    pub store: NewStore,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStore {
    pub code: String,
    pub name: String,
    /// A Kazakhstan city; none only for a warehouse abroad of a foreign seller.
    pub city_kato: Option<Kato>,
    pub address: String,
    pub opening_hours: String,
}

/// Trims and checks a free-text field's length in characters; no control characters.
fn text(value: &str, field: &'static str, min: usize, max: usize, problems: &mut Vec<FieldProblem>) -> Option<String> {
    let value = value.trim();
    let len = value.chars().count();
    let message = if len < min {
        "field-required"
    } else if len > max {
        "field-too-long"
    } else if value.chars().any(|c| c.is_control()) {
        "field-bad-characters"
    } else {
        return Some(value.to_owned());
    };
    problems.push(FieldProblem { field, message });
    None
}

/// A store code as price lists use it: 1–32 ASCII letters, digits, `_` or `-`.
pub fn is_store_code(code: &str) -> bool {
    (1..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A plausible e-mail address: one `@`, something before it, a dot in the domain, no spaces.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    text.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl StoreForm {
    /// `seller_country` decides whether a Kazakhstan city is required.
    pub fn validate(&self, seller_country: Option<Country>) -> Result<NewStore, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        self.check(seller_country, &mut problems).ok_or(problems)
    }

    fn check(&self, seller_country: Option<Country>, problems: &mut Vec<FieldProblem>) -> Option<NewStore> {
        let code = self.code.trim();
        let code_ok = is_store_code(code);
        if !code_ok {
            let message = if code.is_empty() { "field-required" } else { "store-code-invalid" };
            problems.push(FieldProblem { field: "store_code", message });
        }
        let name = text(&self.name, "store_name", 1, 100, problems);
        let city = self.city_kato.trim();
        let city_kato = if city.is_empty() {
            // A warehouse abroad has no Kazakhstan city; everyone else's stores do.
            if seller_country.is_none_or(|c| c == Country::KZ) {
                problems.push(FieldProblem { field: "store_city", message: "field-required" });
            }
            None
        } else {
            match Kato::parse(city) {
                Ok(k) => Some(k),
                Err(_) => {
                    problems.push(FieldProblem { field: "store_city", message: "store-city-invalid" });
                    None
                }
            }
        };
        let address = text(&self.address, "store_address", 5, 300, problems);
        let opening_hours = text(&self.opening_hours, "store_hours", 0, 200, problems);
        Some(NewStore {
            code: code_ok.then(|| code.to_owned())?,
            name: name?,
            city_kato,
            address: address?,
            opening_hours: opening_hours?,
        })
        .filter(|_| problems.is_empty())
    }
}

impl ApplicationForm {
    pub fn validate(&self) -> Result<Application, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let country = match Country::parse(&self.country) {
            Ok(c) => Some(c),
            Err(_) => {
                problems.push(FieldProblem { field: "country", message: "country-invalid" });
                None
            }
        };
        let bin_text = self.bin.trim();
        let bin = match (country, bin_text.is_empty()) {
            // §3: a Kazakhstan company is identified by its BIN, checked digit by digit.
            (Some(Country::KZ), true) => {
                problems.push(FieldProblem { field: "bin", message: "bin-required" });
                None
            }
            (_, true) => None,
            (Some(c), false) if c != Country::KZ => {
                problems.push(FieldProblem { field: "bin", message: "bin-only-kz" });
                None
            }
            (_, false) => match Bin::parse(bin_text) {
                Ok(b) => Some(b),
                Err(_) => {
                    problems.push(FieldProblem { field: "bin", message: "bin-invalid" });
                    None
                }
            },
        };
        let legal_name = text(&self.legal_name, "legal_name", 2, 200, &mut problems);
        let display_name = text(&self.display_name, "display_name", 2, 80, &mut problems);
        let contact_phone = match Phone::parse(&self.contact_phone) {
            Ok(p) => Some(p),
            Err(_) => {
                problems.push(FieldProblem { field: "contact_phone", message: "phone-invalid" });
                None
            }
        };
        let email = self.contact_email.trim();
        if !is_email(email) {
            problems.push(FieldProblem { field: "contact_email", message: "email-invalid" });
        }
        let store = self.store.check(country, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        match (country, legal_name, display_name, contact_phone, store) {
            (Some(country), Some(legal_name), Some(display_name), Some(contact_phone), Some(store)) => {
                Ok(Application {
                    bin,
                    legal_name,
                    display_name,
                    country,
                    contact_phone,
                    contact_email: email.to_owned(),
                    store,
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ApplicationForm {
        ApplicationForm {
            bin: "150540001233".into(),
            legal_name: "ТОО «Дүкен Тест»".into(),
            display_name: "Дүкен Тест".into(),
            country: "kz".into(),
            contact_phone: "8 701 234 56 78".into(),
            contact_email: "shop@example.kz".into(),
            store: StoreForm {
                code: "PP1".into(),
                name: "Главный склад".into(),
                city_kato: "750000000".into(),
                address: "Алматы, пр. Абая, 10".into(),
                opening_hours: "Пн–Пт 9:00–18:00".into(),
            },
        }
    }

    fn fields(form: &ApplicationForm) -> Vec<&'static str> {
        form.validate().unwrap_err().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_kazakhstan_company_with_a_valid_bin_passes() {
        let app = good().validate().unwrap();
        assert_eq!(app.bin.unwrap().as_str(), "150540001233");
        assert_eq!(app.country, Country::KZ);
        assert_eq!(app.contact_phone.as_str(), "+77012345678");
        assert_eq!(app.store.city_kato.unwrap().to_string(), "750000000");
    }

    #[test]
    fn bin_rules_follow_the_country() {
        let mut f = good();
        f.bin = "150540001234".into();
        assert_eq!(fields(&f), ["bin"]);
        f.bin = "000000000000".into();
        assert_eq!(fields(&f), ["bin"]);
        f.bin = String::new();
        assert_eq!(f.validate().unwrap_err()[0].message, "bin-required");
        // A foreign company has no BIN, and its warehouse abroad needs no city.
        f.country = "CN".into();
        f.store.city_kato = String::new();
        let app = f.validate().unwrap();
        assert!(app.bin.is_none() && !app.country.is_eaeu() && app.store.city_kato.is_none());
        f.bin = "150540001233".into();
        assert_eq!(f.validate().unwrap_err()[0].message, "bin-only-kz");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let f = ApplicationForm { country: "Kazakhstan".into(), ..Default::default() };
        assert_eq!(
            fields(&f),
            [
                "country",
                "legal_name",
                "display_name",
                "contact_phone",
                "contact_email",
                "store_code",
                "store_name",
                "store_city",
                "store_address"
            ]
        );
    }

    #[test]
    fn store_codes_and_emails() {
        assert!(is_store_code("PP1") && is_store_code("almaty_main-2"));
        assert!(
            !is_store_code("") && !is_store_code("склад") && !is_store_code("a b") && !is_store_code(&"x".repeat(33))
        );
        assert!(is_email("a@b.kz"));
        assert!(
            !is_email("a@b")
                && !is_email("@b.kz")
                && !is_email("a b@c.kz")
                && !is_email("a@b@c.kz")
                && !is_email("a@.kz")
        );
        let mut f = good();
        f.store.code = "склад 1".into();
        f.store.city_kato = "12".into();
        f.legal_name = "x".repeat(201);
        f.display_name = "a\u{7}b".into();
        let problems = f.validate().unwrap_err();
        assert_eq!(
            problems,
            [
                FieldProblem { field: "legal_name", message: "field-too-long" },
                FieldProblem { field: "display_name", message: "field-bad-characters" },
                FieldProblem { field: "store_code", message: "store-code-invalid" },
                FieldProblem { field: "store_city", message: "store-city-invalid" },
            ]
        );
    }
}
