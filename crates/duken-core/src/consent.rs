//! §9.1: consent to process and transfer personal data, per purpose (items 1–5) and per
//! recipient category, with a cross-border flag. Law of the RK 94-V: consent names the
//! purposes and recipients, is recorded, and can be withdrawn for the future.

use serde::{Deserialize, Serialize};

/// The purposes of §9.1, items 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// 1) buying goods: concluding and performing the sale contract with the seller.
    Purchase,
    /// 2) delivery, dispatch, customs clearance and declaration of the goods.
    DeliveryAndCustoms,
    /// 3) the credit application to a bank.
    CreditApplication,
    /// 4) operator, seller and bank working together on the order, credit, payment, returns.
    OrderProcessing,
    /// 5) requests, answers and support through the chat-bot, with their history.
    SupportChat,
}

/// The recipient categories of §9.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Operator,
    Seller,
    Bank,
    ChatbotProvider,
    Courier,
    EcommerceOperator,
    StateBody,
    Telecom,
}

impl Purpose {
    pub const ALL: [Purpose; 5] = [
        Purpose::Purchase,
        Purpose::DeliveryAndCustoms,
        Purpose::CreditApplication,
        Purpose::OrderProcessing,
        Purpose::SupportChat,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::Purchase => "purchase",
            Purpose::DeliveryAndCustoms => "delivery_and_customs",
            Purpose::CreditApplication => "credit_application",
            Purpose::OrderProcessing => "order_processing",
            Purpose::SupportChat => "support_chat",
        }
    }

    /// The item number in §9.1.
    pub fn item(self) -> u8 {
        match self {
            Purpose::Purchase => 1,
            Purpose::DeliveryAndCustoms => 2,
            Purpose::CreditApplication => 3,
            Purpose::OrderProcessing => 4,
            Purpose::SupportChat => 5,
        }
    }

    pub fn parse(code: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Who receives data for this purpose, as §9.1 lists them.
    pub fn recipients(self) -> &'static [Recipient] {
        use Recipient::*;
        match self {
            Purpose::Purchase => &[Operator, Seller],
            Purpose::DeliveryAndCustoms => &[Courier, EcommerceOperator, StateBody, Telecom],
            Purpose::CreditApplication => &[Operator, Bank],
            Purpose::OrderProcessing => &[Operator, Seller, Bank],
            Purpose::SupportChat => &[Operator, ChatbotProvider, Telecom],
        }
    }
}

impl Recipient {
    pub const ALL: [Recipient; 8] = [
        Recipient::Operator,
        Recipient::Seller,
        Recipient::Bank,
        Recipient::ChatbotProvider,
        Recipient::Courier,
        Recipient::EcommerceOperator,
        Recipient::StateBody,
        Recipient::Telecom,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Recipient::Operator => "operator",
            Recipient::Seller => "seller",
            Recipient::Bank => "bank",
            Recipient::ChatbotProvider => "chatbot_provider",
            Recipient::Courier => "courier",
            Recipient::EcommerceOperator => "ecommerce_operator",
            Recipient::StateBody => "state_body",
            Recipient::Telecom => "telecom",
        }
    }

    pub fn parse(code: &str) -> Option<Recipient> {
        Recipient::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// One consent as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub purpose: Purpose,
    pub recipient: Recipient,
    pub cross_border: bool,
    pub withdrawn: bool,
}

/// Whether `grants` allow a transfer to `recipient` for `purpose` (abroad or not); the grant
/// that allows it, by position, so the disclosure log can name its legal basis.
pub fn allowing(grants: &[Grant], purpose: Purpose, recipient: Recipient, abroad: bool) -> Option<usize> {
    grants
        .iter()
        .position(|g| !g.withdrawn && g.purpose == purpose && g.recipient == recipient && (g.cross_border || !abroad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_every_recipient_has_a_purpose() {
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.code()), Some(p));
        }
        for r in Recipient::ALL {
            assert_eq!(Recipient::parse(r.code()), Some(r));
            assert!(Purpose::ALL.iter().any(|p| p.recipients().contains(&r)), "{r:?}");
        }
        assert_eq!(Purpose::ALL.map(Purpose::item), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_transfer_needs_a_live_matching_consent() {
        let g = |purpose, recipient, cross_border, withdrawn| Grant { purpose, recipient, cross_border, withdrawn };
        let grants = [
            g(Purpose::Purchase, Recipient::Seller, false, false),
            g(Purpose::CreditApplication, Recipient::Bank, true, true),
            g(Purpose::DeliveryAndCustoms, Recipient::StateBody, true, false),
        ];
        assert_eq!(allowing(&grants, Purpose::Purchase, Recipient::Seller, false), Some(0));
        assert_eq!(allowing(&grants, Purpose::Purchase, Recipient::Seller, true), None, "not abroad");
        assert_eq!(allowing(&grants, Purpose::CreditApplication, Recipient::Bank, false), None, "withdrawn");
        assert_eq!(allowing(&grants, Purpose::Purchase, Recipient::Bank, false), None, "another recipient");
        assert_eq!(allowing(&grants, Purpose::OrderProcessing, Recipient::Seller, false), None, "another purpose");
        assert_eq!(allowing(&grants, Purpose::DeliveryAndCustoms, Recipient::StateBody, true), Some(2));
    }
}
