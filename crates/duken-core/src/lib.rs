//! duken's domain kernel: the types and rules every other crate shares, with no I/O.
//!
//! Everything here is pure and deterministic so that it can be tested exhaustively (unit
//! and property tests live beside each module). Storage, HTTP and templates live in
//! `duken-store` and `duken`; they parse raw input into these types at the edge, so a
//! value of a type from this crate is always valid.

/// An enum whose values travel as fixed strings: `as_str` gives the string, `parse` takes it
/// back (exactly, case-sensitive), and serde uses the same strings, so the API, the database
/// and the code cannot drift apart.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:tt,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod attributes;
pub mod bin;
pub mod catalog;
pub mod consent;
pub mod country;
pub mod credit;
pub mod credit_application;
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
