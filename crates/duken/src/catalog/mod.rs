//! The catalog as buyers see it: categories, products with every seller's offer for the
//! buyer's city, sellers and their stores. HTML pages in [`html`], the JSON API in [`api`];
//! both read through `duken_store::catalog` and share the helpers here.

pub mod api;
pub mod cache;
pub mod html;

use std::collections::HashMap;

use duken_core::catalog::Availability;
use duken_core::{Lang, Money};
use duken_store::StoreError;
use duken_store::catalog::{Category, ProductOrder};

use crate::web::error::AppError;
use crate::web::i18n::{Message, t, t_args};
use crate::web::params::{Params, parse_id};

/// `?sort=`: unknown values fall back to the default rather than fail (a stale link still
/// works).
pub fn parse_order(params: &Params) -> ProductOrder {
    match params.get("sort") {
        Some("price_asc") => ProductOrder::PriceAsc,
        Some("price_desc") => ProductOrder::PriceDesc,
        _ => ProductOrder::Newest,
    }
}

pub fn order_code(order: ProductOrder) -> &'static str {
    match order {
        ProductOrder::Newest => "newest",
        ProductOrder::PriceAsc => "price_asc",
        ProductOrder::PriceDesc => "price_desc",
    }
}

/// The categories from the root down to `id` (inclusive); empty if `id` is unknown.
pub fn ancestry(categories: &[Category], id: i64) -> Vec<&Category> {
    let by_id: HashMap<i64, &Category> = categories.iter().map(|c| (c.id, c)).collect();
    let mut chain = vec![];
    let mut next = by_id.get(&id).copied();
    while let Some(c) = next {
        // A cycle cannot be stored through the app, but a hand-edited database could hold one.
        if chain.len() > categories.len() {
            break;
        }
        chain.push(c);
        next = c.parent_id.and_then(|p| by_id.get(&p).copied());
    }
    chain.reverse();
    chain
}

pub fn children(categories: &[Category], parent: Option<i64>) -> Vec<&Category> {
    categories.iter().filter(|c| c.parent_id == parent).collect()
}

/// The price range text of a product list entry: one price, a range, or nothing in the city.
pub fn price_range_text(lang: Lang, min: Option<Money>, max: Option<Money>, city: &str) -> String {
    match (min, max) {
        (Some(min), Some(max)) if min == max => min.format(lang),
        (Some(min), Some(max)) => {
            t_args(lang, "price-range", &[("from", min.format(lang).into()), ("to", max.format(lang).into())])
        }
        _ => t_args(lang, "price-none-in-city", &[("city", city.into())]),
    }
}

pub fn availability_text(lang: Lang, availability: Availability, city: &str) -> String {
    match availability {
        Availability::InCity { quantity } => {
            t_args(lang, "availability-in-city", &[("city", city.into()), ("count", quantity.into())])
        }
        Availability::Elsewhere { .. } => t(lang, "availability-elsewhere"),
        Availability::PreOrder { days } => t_args(lang, "availability-pre-order", &[("days", i64::from(days).into())]),
        Availability::OutOfStock => t(lang, "availability-out-of-stock"),
    }
}

/// `?category=` of product lists: absent, or the id of an existing category.
pub fn category_filter(params: &Params, categories: &[Category]) -> Result<Option<i64>, AppError> {
    let Some(raw) = params.get("category").filter(|v| !v.trim().is_empty()) else { return Ok(None) };
    match parse_id(raw.trim()) {
        Some(id) if categories.iter().any(|c| c.id == id) => Ok(Some(id)),
        Some(id) => Err(AppError::bad_param("category", Message::new("error-unknown-category").arg("id", id))),
        None => Err(AppError::bad_param("category", Message::new("error-bad-id").arg("given", clip(raw)))),
    }
}

/// Turns the store's "no such row" into a 404 that names what was looked for (`what` is a
/// message taking `$id`); other store errors stay internal.
pub fn not_found(what: &'static str, id: i64) -> impl FnOnce(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::NotFound(Message::new(what).arg("id", id.to_string())),
        other => other.into(),
    }
}

pub use crate::web::params::clip;

#[cfg(test)]
mod tests {
    use duken_core::Localized;

    use super::*;

    fn cat(id: i64, parent: Option<i64>) -> Category {
        Category { id, code: format!("c{id}"), parent_id: parent, name: Localized::default(), sort_order: 0 }
    }

    #[test]
    fn ancestry_walks_up_to_the_root() {
        let cats = vec![cat(1, None), cat(2, Some(1)), cat(3, Some(2)), cat(4, None)];
        let ids: Vec<i64> = ancestry(&cats, 3).iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![1, 2, 3]);
        assert!(ancestry(&cats, 99).is_empty());
        // A cycle in the data ends the walk instead of looping.
        let cyclic = vec![cat(1, Some(2)), cat(2, Some(1))];
        assert!(ancestry(&cyclic, 1).len() <= 3);
    }

    #[test]
    fn price_ranges() {
        let m = |t| Some(Money::from_tenge(t).unwrap());
        assert_eq!(price_range_text(Lang::En, m(100), m(100), "Almaty"), "₸100");
        assert_eq!(price_range_text(Lang::En, m(100), m(250), "Almaty"), "₸100 – ₸250");
        assert!(price_range_text(Lang::En, None, None, "Almaty").contains("Almaty"));
    }
}
