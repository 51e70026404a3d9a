//! A credit application's life cycle (§3, §9.1-3): which events move it where. Pure rules; the
//! store applies them in the transaction that records the event, so every state is audited.
//!
//! ```text
//! draft ─send→ sent ─approve→ approved ─sign→ signed ─issue→ issued
//!                 │            │  ▲                        │
//!                 │            │  └─accept─ counter_offer ←┘ (counter: from sent)
//!                 ├─reject→ rejected
//! any open state ─cancel→ cancelled, ─expire→ expired
//! ```
//! An issued loan is only ever cancelled or partly returned through the bank, never moved
//! back; `rejected`, `cancelled` and `expired` are final.

string_enum! {
    /// Where an application stands.
    ApplicationState {
        Draft => "draft",
        Sent => "sent",
        Approved => "approved",
        CounterOffer => "counter_offer",
        Rejected => "rejected",
        Signed => "signed",
        Issued => "issued",
        Cancelled => "cancelled",
        Expired => "expired",
    }
}

string_enum! {
    /// What happens to an application: the buyer's steps, the bank's answers, the platform's
    /// timeouts.
    ApplicationEvent {
        /// duken handed the application to the bank (the bank acknowledged it).
        Send => "send",
        Approve => "approve",
        /// The bank offers other terms (amount or term) instead.
        CounterOffer => "counter_offer",
        /// The buyer takes the counter-offer.
        AcceptCounterOffer => "accept_counter_offer",
        Reject => "reject",
        /// The buyer signed with the bank's one-time code.
        Sign => "sign",
        /// The bank paid out the loan: the order becomes `APPROVED_BY_BANK`.
        Issue => "issue",
        Cancel => "cancel",
        /// No answer or no signature in time.
        Expire => "expire",
    }
}

string_enum! {
    /// How a credit request is routed to banks; the operator sets it (§3).
    RoutingPolicy {
        /// One bank: the operator's preferred bank, or (none set) the bank of the product the
        /// buyer picked.
        Preferred => "preferred",
        /// Every eligible bank at once; the first approval wins, the others are withdrawn.
        Parallel => "parallel",
        /// Every eligible bank at once; the buyer picks among the approvals.
        BuyerChooses => "buyer_chooses",
    }
}

impl ApplicationState {
    /// Still waiting for the bank or the buyer, before a signature: the platform's timeout
    /// may expire it.
    pub fn may_expire(self) -> bool {
        apply(self, ApplicationEvent::Expire).is_ok()
    }

    /// A bank answer that makes this application the buyer's (approved, or signed on).
    pub fn is_approved(self) -> bool {
        matches!(self, ApplicationState::Approved | ApplicationState::Signed | ApplicationState::Issued)
    }

    /// Nothing moves it any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationState::Issued
                | ApplicationState::Rejected
                | ApplicationState::Cancelled
                | ApplicationState::Expired
        )
    }
}

/// An event the state does not allow, with both named for the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a credit application in state {} cannot take {}", .from.as_str(), .event.as_str())]
pub struct Refusal {
    pub from: ApplicationState,
    pub event: ApplicationEvent,
}

/// The state after `event`, or why not. The same event twice is refused the second time, so a
/// duplicated bank webhook changes nothing (the caller answers it as already applied).
pub fn apply(from: ApplicationState, event: ApplicationEvent) -> Result<ApplicationState, Refusal> {
    use ApplicationEvent as E;
    use ApplicationState as S;
    let to = match (from, event) {
        (S::Draft, E::Send) => S::Sent,
        (S::Sent, E::Approve) => S::Approved,
        (S::Sent, E::CounterOffer) => S::CounterOffer,
        (S::Sent, E::Reject) | (S::CounterOffer, E::Reject) => S::Rejected,
        (S::CounterOffer, E::AcceptCounterOffer) => S::Approved,
        (S::Approved, E::Sign) => S::Signed,
        (S::Signed, E::Issue) => S::Issued,
        (S::Draft | S::Sent | S::Approved | S::CounterOffer | S::Signed, E::Cancel) => S::Cancelled,
        (S::Draft | S::Sent | S::Approved | S::CounterOffer, E::Expire) => S::Expired,
        _ => return Err(Refusal { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use ApplicationEvent as E;
    use ApplicationState as S;

    #[test]
    fn the_happy_path_ends_issued() {
        let mut s = S::Draft;
        for e in [E::Send, E::Approve, E::Sign, E::Issue] {
            s = apply(s, e).unwrap();
        }
        assert_eq!(s, S::Issued);
        assert!(s.is_final());
    }

    #[test]
    fn a_counter_offer_is_taken_or_refused() {
        let s = apply(S::Sent, E::CounterOffer).unwrap();
        assert_eq!(apply(s, E::AcceptCounterOffer), Ok(S::Approved));
        assert_eq!(apply(s, E::Reject), Ok(S::Rejected));
        assert_eq!(apply(s, E::Sign), Err(Refusal { from: S::CounterOffer, event: E::Sign }));
    }

    #[test]
    fn a_duplicate_approval_is_refused() {
        let s = apply(S::Sent, E::Approve).unwrap();
        let refusal = apply(s, E::Approve).unwrap_err();
        assert_eq!(refusal.to_string(), "a credit application in state approved cannot take approve");
    }

    #[test]
    fn a_signed_application_waits_for_the_bank_not_the_clock() {
        // Once signed, the bank owes the payout: only a cancellation stops it.
        assert!(apply(S::Signed, E::Expire).is_err());
        assert_eq!(apply(S::Signed, E::Cancel), Ok(S::Cancelled));
    }

    #[test]
    fn names_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(*s));
        }
        for e in E::ALL {
            assert_eq!(E::parse(e.as_str()), Some(*e));
        }
        assert_eq!(S::parse("ISSUED"), None);
    }

    fn any_event() -> impl Strategy<Value = ApplicationEvent> {
        prop::sample::select(E::ALL.to_vec())
    }

    proptest! {
        /// Whatever arrives in whatever order (webhooks come duplicated and out of order), an
        /// application only moves forward: a final state absorbs everything, and `issued` is
        /// reached only through `signed`, which is reached only through `approved`.
        #[test]
        fn any_sequence_of_events_moves_forward_only(events in prop::collection::vec(any_event(), 0..40)) {
            let mut s = S::Draft;
            let mut seen = vec![s];
            for e in events {
                match apply(s, e) {
                    Ok(next) => {
                        prop_assert!(!s.is_final(), "{s:?} is final but took {e:?}");
                        prop_assert!(!seen.contains(&next), "{next:?} again after {seen:?}");
                        if next == S::Issued { prop_assert!(seen.contains(&S::Signed)); }
                        if next == S::Signed { prop_assert!(seen.contains(&S::Approved)); }
                        s = next;
                        seen.push(s);
                    }
                    Err(r) => prop_assert_eq!(r, Refusal { from: s, event: e }),
                }
            }
        }
    }
}
