//! Catalog rules that need no storage: how available an offer is in the buyer's city, and
//! the order in which a product page lists the sellers' offers.
//!
//! §4: all of this is information from the seller, not an offer; the page says so.

use serde::Serialize;

use crate::Money;

/// Where a buyer in a given city can get an offer's goods from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Availability {
    /// Stock at the seller's stores in the buyer's city (pickup or local delivery).
    InCity {
        quantity: i64,
    },
    /// No stock in the city, but at the seller's stores elsewhere (in Kazakhstan or abroad).
    Elsewhere {
        quantity: i64,
    },
    /// Nothing in stock, but the seller takes pre-orders with this many days to deliver.
    PreOrder {
        days: i32,
    },
    OutOfStock,
}

impl Availability {
    pub fn classify(stock_in_city: i64, stock_total: i64, pre_order_days: i32) -> Self {
        if stock_in_city > 0 {
            Availability::InCity { quantity: stock_in_city }
        } else if stock_total > 0 {
            Availability::Elsewhere { quantity: stock_total }
        } else if pre_order_days > 0 {
            Availability::PreOrder { days: pre_order_days }
        } else {
            Availability::OutOfStock
        }
    }

    pub fn can_order(&self) -> bool {
        !matches!(self, Availability::OutOfStock)
    }

    /// Smaller is better, for ordering offers of equal price.
    fn rank(&self) -> u8 {
        match self {
            Availability::InCity { .. } => 0,
            Availability::Elsewhere { .. } => 1,
            Availability::PreOrder { .. } => 2,
            Availability::OutOfStock => 3,
        }
    }
}

/// The order of offers on a product page: cheapest first; among equal prices the one the
/// buyer gets soonest; then the older offer, so the order is stable.
pub fn offer_order(a: (Money, Availability, i64), b: (Money, Availability, i64)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.rank().cmp(&b.1.rank())).then(a.2.cmp(&b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_prefers_stock_in_the_city() {
        assert_eq!(Availability::classify(3, 10, 0), Availability::InCity { quantity: 3 });
        assert_eq!(Availability::classify(0, 10, 5), Availability::Elsewhere { quantity: 10 });
        assert_eq!(Availability::classify(0, 0, 7), Availability::PreOrder { days: 7 });
        assert_eq!(Availability::classify(0, 0, 0), Availability::OutOfStock);
        assert!(!Availability::OutOfStock.can_order());
    }

    #[test]
    fn offers_are_cheapest_first_then_soonest() {
        let m = Money::from_tenge;
        let mut offers = [
            (m(100).unwrap(), Availability::OutOfStock, 1),
            (m(90).unwrap(), Availability::Elsewhere { quantity: 1 }, 2),
            (m(100).unwrap(), Availability::InCity { quantity: 1 }, 3),
            (m(90).unwrap(), Availability::InCity { quantity: 1 }, 4),
        ];
        offers.sort_by(|a, b| offer_order(*a, *b));
        let ids: Vec<i64> = offers.iter().map(|o| o.2).collect();
        assert_eq!(ids, vec![4, 2, 3, 1]);
    }
}
