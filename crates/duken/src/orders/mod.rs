//! Issue 7: the buyer's cart, checkout and orders, and the payment port. The rules of an
//! order's life are `duken_core::order`; storage and the no-oversell reservation are
//! `duken_store::orders`; the seller's side is the merchant API (`crate::merchant_api::orders`).

pub mod api;
pub mod payments;

pub use api::routes;
