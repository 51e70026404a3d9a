//! Who may do what (§2). Every signed-in person is a buyer; the other roles are granted (and
//! revoked) by operator staff and checked on every route by one mechanism, [`Access`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A role beyond being a buyer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Owner of one seller: manages its staff, stores, offers and orders.
    SellerOwner,
    /// Manager of one seller: its offers and orders.
    SellerManager,
    /// Operator staff answering buyers.
    Support,
    /// Operator staff investigating fraud and rating manipulation (§13.3, §14).
    TrustSafety,
    /// Operator staff who publish the agreement and grant roles.
    Admin,
    /// A partner bank's staff (§3, §9.1-3).
    Bank,
    /// A courier service's staff (§9.1-2).
    Courier,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::SellerOwner,
        Role::SellerManager,
        Role::Support,
        Role::TrustSafety,
        Role::Admin,
        Role::Bank,
        Role::Courier,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::SellerOwner => "seller_owner",
            Role::SellerManager => "seller_manager",
            Role::Support => "support",
            Role::TrustSafety => "trust_safety",
            Role::Admin => "admin",
            Role::Bank => "bank",
            Role::Courier => "courier",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Seller roles belong to one seller; the others to none.
    pub fn needs_seller(self) -> bool {
        matches!(self, Role::SellerOwner | Role::SellerManager)
    }

    pub fn is_operator_staff(self) -> bool {
        matches!(self, Role::Support | Role::TrustSafety | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a group of routes requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Any signed-in person (a buyer).
    SignedIn,
    /// Operator staff of any kind.
    Operator,
    /// Operator administrators.
    Admin,
    /// Staff of some seller (which seller is checked against the data itself).
    SellerStaff,
    Bank,
    Courier,
}

impl Access {
    /// Whether a signed-in person holding `roles` may pass.
    pub fn allows(self, roles: &[Role]) -> bool {
        match self {
            Access::SignedIn => true,
            Access::Operator => roles.iter().any(|r| r.is_operator_staff()),
            Access::Admin => roles.contains(&Role::Admin),
            Access::SellerStaff => roles.iter().any(|r| r.needs_seller()),
            Access::Bank => roles.contains(&Role::Bank),
            Access::Courier => roles.contains(&Role::Courier),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn access_matrix() {
        use Role::*;
        let buyer: &[Role] = &[];
        assert!(Access::SignedIn.allows(buyer));
        assert!(!Access::Operator.allows(buyer));
        assert!(
            Access::Operator.allows(&[Support])
                && Access::Operator.allows(&[TrustSafety])
                && Access::Operator.allows(&[Admin])
        );
        assert!(!Access::Admin.allows(&[Support, TrustSafety]));
        assert!(Access::Admin.allows(&[Admin]));
        assert!(Access::SellerStaff.allows(&[SellerManager]) && !Access::SellerStaff.allows(&[Bank]));
        assert!(!Access::Operator.allows(&[SellerOwner, Bank, Courier]));
        assert!(Access::Bank.allows(&[Bank]) && !Access::Bank.allows(&[Courier]));
        assert!(Access::Courier.allows(&[Courier]) && !Access::Courier.allows(&[Admin]));
    }
}
