//! The life of an order (§4, §9.1-2, §10), without storage or clocks: callers pass the
//! current position and what happened, and get the next position or a refusal that says why.
//!
//! The states and statuses are those of the Kaspi merchant API, spelled exactly as sellers'
//! tools expect them, plus two internal ones for the time before the bank has spoken: a
//! prepaid order waits for the acquirer, a credit order for the buyer's signature (§3). The
//! seller never sees an order in those, because until the money or the credit is there it is
//! not yet an order for them.
//!
//! The buyer's order is only a request (§4): nothing happens to it on the seller's side until
//! the seller accepts it, and the hand-over at the end is confirmed with a one-time code that
//! the buyer must never give to anyone else (§10.1), checked by [`HandoverPolicy`].

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The same compare as for sign-in codes: hand-over codes are as secret (§10.1).
pub use crate::otp::constant_time_eq;

string_enum! {
    /// Where an order is (`state` in the merchant API).
    State {
        New => "NEW",
        SignRequired => "SIGN_REQUIRED",
        Pickup => "PICKUP",
        Delivery => "DELIVERY",
        KaspiDelivery => "KASPI_DELIVERY",
        Archive => "ARCHIVE",
        /// Internal: a prepaid order before the acquirer confirms the payment.
        AwaitingPayment => "AWAITING_PAYMENT",
    }
}

impl State {
    /// Whether the seller's cabinet and API show orders in this state. A prepaid order that
    /// is not paid yet is nobody's business but the buyer's and the acquirer's.
    pub fn visible_to_seller(self) -> bool {
        self != State::AwaitingPayment
    }
}

string_enum! {
    /// What is happening to an order within its state (`status` in the merchant API).
    Status {
        ApprovedByBank => "APPROVED_BY_BANK",
        AcceptedByMerchant => "ACCEPTED_BY_MERCHANT",
        Completed => "COMPLETED",
        Cancelled => "CANCELLED",
        Cancelling => "CANCELLING",
        KaspiDeliveryReturnRequested => "KASPI_DELIVERY_RETURN_REQUESTED",
        ReturnAcceptedByMerchant => "RETURN_ACCEPTED_BY_MERCHANT",
        Returned => "RETURNED",
        /// Internal: the acquirer has not confirmed the payment yet.
        PaymentPending => "PAYMENT_PENDING",
        /// Internal: the credit is not yet signed by the buyer and issued by the bank (§3).
        SignaturePending => "SIGNATURE_PENDING",
    }
}

string_enum! {
    PaymentMode {
        Prepaid => "PREPAID",
        PayWithCredit => "PAY_WITH_CREDIT",
    }
}

string_enum! {
    /// How the goods reach the buyer (§9.1-2).
    DeliveryMode {
        /// The seller's own delivery in its city.
        Local => "DELIVERY_LOCAL",
        /// The buyer collects from the seller's pickup point.
        Pickup => "DELIVERY_PICKUP",
        RegionalTodoor => "DELIVERY_REGIONAL_TODOOR",
        RegionalPickup => "DELIVERY_REGIONAL_PICKUP",
        Postomat => "DELIVERY_POSTOMAT",
    }
}

impl DeliveryMode {
    /// Whether the marketplace's couriers carry the order (`isKaspiDelivery`): the seller
    /// packs it and the courier, not the seller, hands it over.
    pub fn is_marketplace_courier(self) -> bool {
        matches!(self, DeliveryMode::RegionalTodoor | DeliveryMode::RegionalPickup | DeliveryMode::Postomat)
    }
}

string_enum! {
    /// Why an order was cancelled (`cancellationReason`).
    CancellationReason {
        BuyerCancellationByMerchant => "BUYER_CANCELLATION_BY_MERCHANT",
        BuyerNotReachable => "BUYER_NOT_REACHABLE",
        MerchantOutOfStock => "MERCHANT_OUT_OF_STOCK",
        BuyerCancellationHimself => "BUYER_CANCELLATION_HIMSELF",
        TimeoutBuyerPickup => "TIMEOUT_BUYER_PICKUP",
        TimeoutBuyerSignature => "TIMEOUT_BUYER_SIGNATURE",
        /// The bank refused the credit (§3).
        RfoRejected => "RFO_REJECTED",
        PaymentNotReceived => "PAYMENT_NOT_RECEIVED",
    }
}

impl CancellationReason {
    /// The reasons a seller may give; the others are facts only the buyer or the platform
    /// know, and a seller claiming them would shift the blame in its quality indicators.
    pub fn seller_may_give(self) -> bool {
        matches!(
            self,
            CancellationReason::BuyerCancellationByMerchant
                | CancellationReason::BuyerNotReachable
                | CancellationReason::MerchantOutOfStock
        )
    }
}

string_enum! {
    /// Who asks for a change.
    Actor {
        Buyer => "buyer",
        Seller => "seller",
        /// The platform's own jobs: payment and credit callbacks, timeouts.
        Platform => "platform",
        /// The marketplace's courier service (§9.1-2).
        Courier => "courier",
    }
}

/// Where an order is: the two API fields, and whether it is packed for the courier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub state: State,
    pub status: Status,
    pub assembled: bool,
}

impl Position {
    /// A freshly placed order: it waits for the money, or for the signed credit (§3).
    pub fn placed(payment: PaymentMode) -> Position {
        let (state, status) = match payment {
            PaymentMode::Prepaid => (State::AwaitingPayment, Status::PaymentPending),
            PaymentMode::PayWithCredit => (State::SignRequired, Status::SignaturePending),
        };
        Position { state, status, assembled: false }
    }

    /// Archived orders never change again; returns are a separate story.
    pub fn is_final(self) -> bool {
        self.state == State::Archive
    }
}

/// Something that happens to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The acquirer confirmed a prepaid order's payment.
    PaymentConfirmed,
    /// The buyer signed and the bank issued the credit (§3).
    CreditIssued,
    /// The seller takes the buyer's request (§4).
    Accept,
    /// The seller packed the order for the marketplace's courier.
    Assemble,
    Cancel(CancellationReason),
    /// The goods were handed over, confirmed with the hand-over code (§10.1).
    Complete,
    /// Payment or signature did not come in time; the caller records `PAYMENT_NOT_RECEIVED`
    /// or `TIMEOUT_BUYER_SIGNATURE` as the reason.
    Expire,
}

impl Action {
    /// The name refusals use.
    pub fn name(self) -> &'static str {
        match self {
            Action::PaymentConfirmed => "CONFIRM_PAYMENT",
            Action::CreditIssued => "ISSUE_CREDIT",
            Action::Accept => "ACCEPT",
            Action::Assemble => "ASSEMBLE",
            Action::Cancel(_) => "CANCEL",
            Action::Complete => "COMPLETE",
            Action::Expire => "EXPIRE",
        }
    }
}

/// Why a change was refused. The merchant API answers 400 with this text as the title, so
/// it says which transition was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("cannot {action} an order in state {from_state} with status {from_status}")]
    IllegalTransition { from_state: State, from_status: Status, action: &'static str },
    #[error("the {actor} may not {action} this order")]
    NotAllowedFor { actor: Actor, action: &'static str },
    #[error("a seller may not cancel with reason {0}")]
    ReasonNotForSeller(CancellationReason),
    /// A buyer or the platform gave a reason that is not theirs to give.
    #[error("the {actor} may not cancel with reason {reason}")]
    ReasonNotFor { actor: Actor, reason: CancellationReason },
}

/// The next position of an order after `action` by `actor`, or why not.
///
/// Checked in this order: may this actor ever do this (and give this reason), then may it be
/// done from here. An archived order refuses everything.
pub fn apply(pos: Position, delivery: DeliveryMode, action: Action, actor: Actor) -> Result<Position, Refusal> {
    use {Actor as A, State as S, Status as T};
    let not_allowed = Refusal::NotAllowedFor { actor, action: action.name() };
    let illegal = Refusal::IllegalTransition { from_state: pos.state, from_status: pos.status, action: action.name() };
    let actor_may = match action {
        Action::PaymentConfirmed | Action::CreditIssued | Action::Expire => actor == A::Platform,
        Action::Accept | Action::Assemble => actor == A::Seller,
        Action::Complete => matches!(actor, A::Seller | A::Courier),
        Action::Cancel(_) => actor != A::Courier,
    };
    if !actor_may {
        return Err(not_allowed);
    }
    if let Action::Cancel(reason) = action {
        match actor {
            A::Seller if !reason.seller_may_give() => return Err(Refusal::ReasonNotForSeller(reason)),
            A::Buyer if reason != CancellationReason::BuyerCancellationHimself => {
                return Err(Refusal::ReasonNotFor { actor, reason });
            }
            A::Platform if reason.seller_may_give() => return Err(Refusal::ReasonNotFor { actor, reason }),
            _ => {}
        }
    }
    if pos.is_final() {
        return Err(illegal);
    }
    let to = |state, status| Position { state, status, ..pos };
    let next = match (action, pos.state, pos.status) {
        (Action::PaymentConfirmed, S::AwaitingPayment, T::PaymentPending)
        | (Action::CreditIssued, S::SignRequired, T::SignaturePending) => to(S::New, T::ApprovedByBank),
        (Action::Accept, S::New, T::ApprovedByBank) => {
            let state = match delivery {
                DeliveryMode::Pickup => S::Pickup,
                DeliveryMode::Local => S::Delivery,
                DeliveryMode::RegionalTodoor | DeliveryMode::RegionalPickup | DeliveryMode::Postomat => {
                    S::KaspiDelivery
                }
            };
            to(state, T::AcceptedByMerchant)
        }
        (Action::Assemble, S::KaspiDelivery, T::AcceptedByMerchant)
            if !pos.assembled && delivery.is_marketplace_courier() =>
        {
            Position { assembled: true, ..pos }
        }
        // The seller hands over what it delivers or keeps for pickup; the courier what it
        // carries, once the seller has packed it.
        (Action::Complete, S::Pickup | S::Delivery, T::AcceptedByMerchant) if actor == A::Seller => {
            to(S::Archive, T::Completed)
        }
        (Action::Complete, S::KaspiDelivery, T::AcceptedByMerchant) if actor == A::Courier && pos.assembled => {
            to(S::Archive, T::Completed)
        }
        (Action::Complete, S::Pickup | S::Delivery | S::KaspiDelivery, T::AcceptedByMerchant)
            if (actor == A::Courier) != (pos.state == S::KaspiDelivery) =>
        {
            return Err(not_allowed);
        }
        (Action::Cancel(_), _, _) if cancel_allowed(pos, actor) => to(S::Archive, T::Cancelled),
        (Action::Expire, S::AwaitingPayment, T::PaymentPending)
        | (Action::Expire, S::SignRequired, T::SignaturePending) => to(S::Archive, T::Cancelled),
        _ => return Err(illegal),
    };
    Ok(next)
}

/// Whether `actor` may cancel from `pos` (not archived; the reason is already checked).
fn cancel_allowed(pos: Position, actor: Actor) -> bool {
    match actor {
        // The seller sees the order from the bank's approval on (§4: it may still decline).
        Actor::Seller => matches!(pos.status, Status::ApprovedByBank | Status::AcceptedByMerchant),
        // The buyer may withdraw the request only until the seller has taken it.
        Actor::Buyer => matches!(
            (pos.state, pos.status),
            (State::AwaitingPayment, Status::PaymentPending)
                | (State::SignRequired, Status::SignaturePending)
                | (State::New, Status::ApprovedByBank)
        ),
        Actor::Platform => true,
        Actor::Courier => false,
    }
}

/// Whether the goods reserved for the order go back on sale with this change.
pub fn releases_stock(from: Position, to: Position) -> bool {
    !from.is_final() && to.status == Status::Cancelled
}

/// Whether the reserved goods leave the seller's stock for good: they were handed over.
pub fn takes_stock(to: Position) -> bool {
    to.status == Status::Completed
}

/// The rules of the hand-over code (§10.1): a short code the buyer shows the seller or the
/// courier. Short because it is read aloud at a door, so it lives briefly and locks after a
/// few wrong tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandoverPolicy {
    pub digits: u32,
    pub lifetime: Duration,
    pub max_wrong: u32,
}

impl Default for HandoverPolicy {
    fn default() -> Self {
        HandoverPolicy { digits: 4, lifetime: Duration::minutes(30), max_wrong: 5 }
    }
}

/// The latest hand-over code sent for an order, as stored (the code itself only as a hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredHandover {
    pub sent_at: DateTime<Utc>,
    pub wrong_tries: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Accepted,
    /// Wrong; this many tries are left.
    Wrong {
        tries_left: u32,
    },
    /// Too many wrong tries: a new code must be sent.
    Locked,
    Expired,
    /// No code was sent for this order.
    NoneSent,
}

impl CodeCheck {
    /// Whether this try counts against the code's tries (the caller stores `wrong_tries + 1`).
    pub fn counts_as_wrong(self) -> bool {
        matches!(self, CodeCheck::Wrong { .. } | CodeCheck::Locked)
    }
}

impl HandoverPolicy {
    /// Turns random bits into a code of [`HandoverPolicy::digits`] digits (leading zeros kept).
    pub fn code_from(&self, random: u64) -> String {
        format!("{:0width$}", random % 10u64.pow(self.digits), width = self.digits as usize)
    }

    pub fn is_well_formed(&self, given: &str) -> bool {
        given.len() == self.digits as usize && given.bytes().all(|b| b.is_ascii_digit())
    }

    /// Judges one try. `matches` is the caller's constant-time compare of hashes; a `given`
    /// that is not even shaped like a code never accepts, whatever `matches` says, and counts
    /// as wrong. A locked code never accepts, not even the right one, so guessing past the
    /// lock learns nothing.
    pub fn check(&self, stored: Option<&StoredHandover>, given: &str, now: DateTime<Utc>, matches: bool) -> CodeCheck {
        let Some(stored) = stored else { return CodeCheck::NoneSent };
        if stored.wrong_tries >= self.max_wrong {
            return CodeCheck::Locked;
        }
        if now - stored.sent_at >= self.lifetime {
            return CodeCheck::Expired;
        }
        if matches && self.is_well_formed(given) {
            return CodeCheck::Accepted;
        }
        match self.max_wrong - stored.wrong_tries - 1 {
            0 => CodeCheck::Locked,
            tries_left => CodeCheck::Wrong { tries_left },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use Action as Ac;
    use Actor::{Buyer, Courier, Platform, Seller};
    use CancellationReason as R;

    fn at(state: State, status: Status) -> Position {
        Position { state, status, assembled: false }
    }

    fn approved() -> Position {
        at(State::New, Status::ApprovedByBank)
    }

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn placed_orders_wait_for_money_or_signature() {
        let prepaid = Position::placed(PaymentMode::Prepaid);
        assert_eq!(prepaid, at(State::AwaitingPayment, Status::PaymentPending));
        assert!(!prepaid.state.visible_to_seller());
        assert_eq!(Position::placed(PaymentMode::PayWithCredit), at(State::SignRequired, Status::SignaturePending));
        assert!(State::ALL.iter().filter(|s| !s.visible_to_seller()).eq([&State::AwaitingPayment]));
    }

    #[test]
    fn payment_and_credit_approve_the_order() {
        let d = DeliveryMode::Local;
        let paid = apply(Position::placed(PaymentMode::Prepaid), d, Ac::PaymentConfirmed, Platform);
        assert_eq!(paid, Ok(approved()));
        let signed = apply(Position::placed(PaymentMode::PayWithCredit), d, Ac::CreditIssued, Platform);
        assert_eq!(signed, Ok(approved()));
        assert!(apply(Position::placed(PaymentMode::Prepaid), d, Ac::CreditIssued, Platform).is_err());
        assert!(apply(Position::placed(PaymentMode::PayWithCredit), d, Ac::PaymentConfirmed, Platform).is_err());
        assert!(apply(approved(), d, Ac::PaymentConfirmed, Platform).is_err());
    }

    #[test]
    fn accepting_moves_to_the_state_of_the_delivery_mode() {
        for (d, state) in [
            (DeliveryMode::Pickup, State::Pickup),
            (DeliveryMode::Local, State::Delivery),
            (DeliveryMode::RegionalTodoor, State::KaspiDelivery),
            (DeliveryMode::RegionalPickup, State::KaspiDelivery),
            (DeliveryMode::Postomat, State::KaspiDelivery),
        ] {
            assert_eq!(apply(approved(), d, Ac::Accept, Seller), Ok(at(state, Status::AcceptedByMerchant)));
            assert_eq!(d.is_marketplace_courier(), state == State::KaspiDelivery);
        }
    }

    #[test]
    fn the_seller_hands_over_its_own_deliveries() {
        for (d, state) in [(DeliveryMode::Pickup, State::Pickup), (DeliveryMode::Local, State::Delivery)] {
            let accepted = at(state, Status::AcceptedByMerchant);
            assert_eq!(apply(accepted, d, Ac::Complete, Seller), Ok(at(State::Archive, Status::Completed)));
            let refusal = Refusal::NotAllowedFor { actor: Courier, action: "COMPLETE" };
            assert_eq!(apply(accepted, d, Ac::Complete, Courier), Err(refusal));
            assert!(apply(accepted, d, Ac::Assemble, Seller).is_err());
        }
    }

    #[test]
    fn the_courier_hands_over_what_the_seller_packed() {
        let d = DeliveryMode::Postomat;
        let accepted = at(State::KaspiDelivery, Status::AcceptedByMerchant);
        let packed = apply(accepted, d, Ac::Assemble, Seller).unwrap();
        assert_eq!(packed, Position { assembled: true, ..accepted });
        assert!(apply(packed, d, Ac::Assemble, Seller).is_err());
        assert!(apply(accepted, DeliveryMode::Local, Ac::Assemble, Seller).is_err());
        let not_packed = Refusal::IllegalTransition {
            from_state: State::KaspiDelivery,
            from_status: Status::AcceptedByMerchant,
            action: "COMPLETE",
        };
        assert_eq!(apply(accepted, d, Ac::Complete, Courier), Err(not_packed));
        let seller = apply(packed, d, Ac::Complete, Seller).unwrap_err();
        assert_eq!(seller.to_string(), "the seller may not COMPLETE this order");
        let done = Position { state: State::Archive, status: Status::Completed, assembled: true };
        assert_eq!(apply(packed, d, Ac::Complete, Courier), Ok(done));
    }

    #[test]
    fn refusals_say_which_transition() {
        let pos = at(State::New, Status::AcceptedByMerchant);
        let refusal = apply(pos, DeliveryMode::Local, Ac::Accept, Seller).unwrap_err();
        assert_eq!(refusal.to_string(), "cannot ACCEPT an order in state NEW with status ACCEPTED_BY_MERCHANT");
        let buyer = apply(approved(), DeliveryMode::Local, Ac::Accept, Buyer).unwrap_err();
        assert_eq!(buyer.to_string(), "the buyer may not ACCEPT this order");
        let reason = apply(approved(), DeliveryMode::Local, Ac::Cancel(R::RfoRejected), Seller).unwrap_err();
        assert_eq!(reason, Refusal::ReasonNotForSeller(R::RfoRejected));
        assert_eq!(reason.to_string(), "a seller may not cancel with reason RFO_REJECTED");
    }

    #[test]
    fn only_the_right_actor_may_act() {
        let d = DeliveryMode::Pickup;
        let placed = Position::placed(PaymentMode::Prepaid);
        for actor in [Buyer, Seller, Courier] {
            assert!(matches!(apply(placed, d, Ac::PaymentConfirmed, actor), Err(Refusal::NotAllowedFor { .. })));
            assert!(matches!(apply(placed, d, Ac::Expire, actor), Err(Refusal::NotAllowedFor { .. })));
        }
        for actor in [Buyer, Platform, Courier] {
            assert!(matches!(apply(approved(), d, Ac::Accept, actor), Err(Refusal::NotAllowedFor { .. })));
        }
        let courier = apply(approved(), d, Ac::Cancel(R::BuyerCancellationHimself), Courier);
        assert!(matches!(courier, Err(Refusal::NotAllowedFor { .. })));
    }

    #[test]
    fn each_party_cancels_with_its_own_reasons_and_in_its_own_time() {
        let d = DeliveryMode::Local;
        let cancelled = Ok(at(State::Archive, Status::Cancelled));
        let accepted = at(State::Delivery, Status::AcceptedByMerchant);
        let oos = Ac::Cancel(R::MerchantOutOfStock);
        assert_eq!(apply(approved(), d, oos, Seller), cancelled);
        assert_eq!(apply(accepted, d, oos, Seller), cancelled);
        assert!(matches!(
            apply(Position::placed(PaymentMode::Prepaid), d, oos, Seller),
            Err(Refusal::IllegalTransition { .. })
        ));

        let himself = Ac::Cancel(R::BuyerCancellationHimself);
        for pos in [Position::placed(PaymentMode::Prepaid), Position::placed(PaymentMode::PayWithCredit), approved()] {
            assert_eq!(apply(pos, d, himself, Buyer), cancelled);
        }
        assert!(matches!(apply(accepted, d, himself, Buyer), Err(Refusal::IllegalTransition { .. })));
        let wrong = Refusal::ReasonNotFor { actor: Buyer, reason: R::TimeoutBuyerPickup };
        assert_eq!(apply(approved(), d, Ac::Cancel(R::TimeoutBuyerPickup), Buyer), Err(wrong));

        assert_eq!(apply(accepted, d, Ac::Cancel(R::TimeoutBuyerPickup), Platform), cancelled);
        assert_eq!(apply(at(State::KaspiDelivery, Status::Cancelling), d, himself, Platform), cancelled);
        let wrong = Refusal::ReasonNotFor { actor: Platform, reason: R::BuyerNotReachable };
        assert_eq!(apply(accepted, d, Ac::Cancel(R::BuyerNotReachable), Platform), Err(wrong));
        assert_eq!(R::ALL.iter().filter(|r| r.seller_may_give()).count(), 3);
    }

    #[test]
    fn only_unpaid_or_unsigned_orders_expire() {
        let d = DeliveryMode::Pickup;
        let cancelled = Ok(at(State::Archive, Status::Cancelled));
        assert_eq!(apply(Position::placed(PaymentMode::Prepaid), d, Ac::Expire, Platform), cancelled);
        assert_eq!(apply(Position::placed(PaymentMode::PayWithCredit), d, Ac::Expire, Platform), cancelled);
        assert!(matches!(apply(approved(), d, Ac::Expire, Platform), Err(Refusal::IllegalTransition { .. })));
    }

    #[test]
    fn stock_is_released_on_cancel_and_taken_on_completion() {
        let cancelled = at(State::Archive, Status::Cancelled);
        assert!(releases_stock(approved(), cancelled));
        assert!(!releases_stock(cancelled, cancelled));
        assert!(!releases_stock(approved(), at(State::Pickup, Status::AcceptedByMerchant)));
        assert!(takes_stock(at(State::Archive, Status::Completed)));
        assert!(!takes_stock(cancelled));
    }

    #[test]
    fn serde_uses_the_api_strings() {
        let de = |s: &'static str| -> StrDeserializer<'static, DeError> { s.into_deserializer() };
        assert_eq!(State::deserialize(de("KASPI_DELIVERY")), Ok(State::KaspiDelivery));
        assert_eq!(Status::deserialize(de("APPROVED_BY_BANK")), Ok(Status::ApprovedByBank));
        assert_eq!(DeliveryMode::deserialize(de("DELIVERY_POSTOMAT")), Ok(DeliveryMode::Postomat));
        assert!(State::deserialize(de("new")).is_err());
        assert_eq!(State::parse("new"), None);
    }

    #[test]
    fn handover_codes_expire_and_lock() {
        let p = HandoverPolicy::default();
        let fresh = StoredHandover { sent_at: t(0), wrong_tries: 0 };
        assert_eq!(p.check(Some(&fresh), "0042", t(60), true), CodeCheck::Accepted);
        assert_eq!(p.check(Some(&fresh), "0042", t(60), false), CodeCheck::Wrong { tries_left: 4 });
        assert_eq!(p.check(Some(&fresh), "42", t(60), true), CodeCheck::Wrong { tries_left: 4 });
        assert_eq!(p.check(Some(&fresh), "0042", t(1800), true), CodeCheck::Expired);
        let four = StoredHandover { wrong_tries: 4, ..fresh };
        assert_eq!(p.check(Some(&four), "0042", t(60), false), CodeCheck::Locked);
        let five = StoredHandover { wrong_tries: 5, ..fresh };
        assert_eq!(p.check(Some(&five), "0042", t(60), true), CodeCheck::Locked);
        assert_eq!(p.check(None, "0042", t(60), true), CodeCheck::NoneSent);
        assert_eq!(p.code_from(42), "0042");
        assert_eq!(p.code_from(u64::MAX).len(), 4);
    }

    /// Every action, each reason once.
    fn all_actions() -> impl Iterator<Item = Action> {
        [Ac::PaymentConfirmed, Ac::CreditIssued, Ac::Accept, Ac::Assemble, Ac::Complete, Ac::Expire]
            .into_iter()
            .chain(R::ALL.iter().map(|r| Ac::Cancel(*r)))
    }

    /// From any position at all, reachable or not, only `Complete` completes and nothing
    /// leaves the archive. The space is small enough to walk whole.
    #[test]
    fn only_complete_completes_from_anywhere() {
        for (&state, &status, assembled) in
            State::ALL.iter().flat_map(|s| Status::ALL.iter().flat_map(move |t| [false, true].map(|a| (s, t, a))))
        {
            let pos = Position { state, status, assembled };
            for (&delivery, action, &actor) in DeliveryMode::ALL
                .iter()
                .flat_map(|d| all_actions().flat_map(move |a| Actor::ALL.iter().map(move |r| (d, a, r))))
            {
                let Ok(next) = apply(pos, delivery, action, actor) else { continue };
                assert!(!pos.is_final(), "{pos:?} {action:?}");
                if next.status == Status::Completed {
                    assert_eq!((action, pos.status), (Ac::Complete, Status::AcceptedByMerchant));
                    assert!(takes_stock(next) && !releases_stock(pos, next));
                }
            }
        }
    }

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Ac::PaymentConfirmed),
            Just(Ac::CreditIssued),
            Just(Ac::Accept),
            Just(Ac::Assemble),
            Just(Ac::Complete),
            Just(Ac::Expire),
            prop::sample::select(R::ALL).prop_map(Ac::Cancel),
        ]
    }

    proptest! {
        /// Whatever anyone asks, an order leaves the archive never, is completed only by
        /// `Complete` and only after the seller accepted it.
        #[test]
        fn random_histories_keep_the_invariants(
            payment in prop::sample::select(PaymentMode::ALL),
            delivery in prop::sample::select(DeliveryMode::ALL),
            steps in prop::collection::vec((action(), prop::sample::select(Actor::ALL)), 0..40),
        ) {
            let mut pos = Position::placed(payment);
            let mut accepted = false;
            for (action, actor) in steps {
                let result = apply(pos, delivery, action, actor);
                if pos.is_final() {
                    prop_assert!(result.is_err());
                }
                if let Ok(next) = result {
                    if next.status == Status::Completed {
                        prop_assert!(accepted && action == Ac::Complete);
                        prop_assert!(pos.status == Status::AcceptedByMerchant);
                    }
                    pos = next;
                }
                accepted |= pos.status == Status::AcceptedByMerchant;
            }
        }

        /// Every variant of every enum round-trips, and `parse` takes nothing but the exact strings.
        #[test]
        fn api_strings_round_trip(text in "[A-Za-z_]{0,32}") {
            fn check<T: Copy + PartialEq + std::fmt::Debug>(all: &[T], s: fn(T) -> &'static str, p: fn(&str) -> Option<T>, text: &str) -> bool {
                all.iter().all(|v| p(s(*v)) == Some(*v)) && p(text).is_none_or(|v| s(v) == text)
            }
            prop_assert!(check(State::ALL, State::as_str, State::parse, &text));
            prop_assert!(check(Status::ALL, Status::as_str, Status::parse, &text));
            prop_assert!(check(PaymentMode::ALL, PaymentMode::as_str, PaymentMode::parse, &text));
            prop_assert!(check(DeliveryMode::ALL, DeliveryMode::as_str, DeliveryMode::parse, &text));
            prop_assert!(check(R::ALL, R::as_str, R::parse, &text));
            prop_assert!(check(Actor::ALL, Actor::as_str, Actor::parse, &text));
        }

        /// Five wrong tries lock the code for good, even against the right one.
        #[test]
        fn five_wrong_tries_lock(wrong in 5usize..12, at in 0i64..1799) {
            let p = HandoverPolicy::default();
            let mut stored = StoredHandover { sent_at: t(0), wrong_tries: 0 };
            let mut last = CodeCheck::NoneSent;
            for _ in 0..wrong {
                last = p.check(Some(&stored), "1234", t(at), false);
                prop_assert!(last.counts_as_wrong());
                stored.wrong_tries += 1;
            }
            prop_assert_eq!(last, CodeCheck::Locked);
            prop_assert_eq!(p.check(Some(&stored), "1234", t(at), true), CodeCheck::Locked);
        }

        #[test]
        fn constant_time_eq_is_eq(a in prop::collection::vec(any::<u8>(), 0..8), b in prop::collection::vec(any::<u8>(), 0..8)) {
            prop_assert_eq!(constant_time_eq(&a, &b), a == b);
            prop_assert!(constant_time_eq(&a, &a));
        }
    }
}
