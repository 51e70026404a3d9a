//! duken's domain kernel: the types and rules every other crate shares, with no I/O.
//!
//! Everything here is pure and deterministic so that it can be tested exhaustively (unit
//! and property tests live beside each module). Storage, HTTP and templates live in
//! `duken-store` and `duken`; they parse raw input into these types at the edge, so a
//! value of a type from this crate is always valid.

pub mod attributes;
pub mod bin;
pub mod catalog;
pub mod consent;
pub mod country;
pub mod credit;
pub mod kato;
pub mod lang;
pub mod media;
pub mod money;
pub mod order;
pub mod otp;
pub mod paging;
pub mod phone;
pub mod roles;
pub mod seller;
pub mod time;

pub use bin::{Bin, IdNumberError, Iin};
pub use country::Country;
pub use kato::Kato;
pub use lang::{Lang, Localized};
pub use money::Money;
pub use paging::{PageRequest, PagingError};
pub use phone::{Phone, PhoneError};
