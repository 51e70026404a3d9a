//! How many of a seller's orders are in each state, per UTC day of placement: the orders list's
//! `meta.totalCount` (merchant API and cabinet) adds up a few of these rows instead of counting
//! thousands of index entries for every page a seller's tool asks for.
//!
//! Writers never update a count row: placing an order or moving it between states inserts a
//! change row (`order_state_count_changes`) in the same transaction, so concurrent checkouts of
//! one seller do not queue behind each other's commit. [`Store::fold_order_state_counts`] (run
//! by the order jobs) moves the changes into `order_state_counts`; a count reads both in one
//! statement ([`push_count_in_states`]), so it is exact at any moment.

use chrono::{DateTime, TimeDelta, Utc};
use duken_core::order::State;
use sqlx::QueryBuilder;

use crate::{Backend, Store, StoreError, Tx, on_tx};

const SECONDS_PER_DAY: i64 = 86_400;

/// An inclusive window of placement times; `None`: open at that end.
pub type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Days since 1970-01-01 (UTC) of an instant: the day an order is counted under.
pub fn day_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(SECONDS_PER_DAY)
}

fn start_of_day(day: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(day.saturating_mul(SECONDS_PER_DAY), 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Part of one day, counted from the orders themselves: `from <= created_at` (`<` when not
/// `from_inclusive`) and `created_at < to` (`<=` when `to_inclusive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partial {
    pub from: DateTime<Utc>,
    pub from_inclusive: bool,
    pub to: DateTime<Utc>,
    pub to_inclusive: bool,
    /// The rest of a day the whole days include, so subtracted from their count.
    pub subtract: bool,
}

/// How an inclusive window of placement times splits into days counted from the day counts and
/// partial days counted from the orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowSplit {
    /// Days `first..=last` counted whole; `None` when the window holds no whole day.
    pub whole_days: Option<(Option<i64>, Option<i64>)>,
    /// At most one partial day at each end.
    pub partials: Vec<Partial>,
}

/// Splits `from..=to` (either end open) into whole days and the partial days at its ends.
///
/// A window's end day is counted by whichever part holds less time of orders, no order being
/// placed after `now`: a window ending now counts its last day whole less the orders placed
/// after it (none), rather than every order of the day so far, unpaid ones included in the
/// range read; a window starting at 07:00 fourteen days ago counts that day whole less its
/// first seven hours. A window with no whole day in it is counted directly from the orders.
pub fn split_window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>, now: DateTime<Utc>) -> WindowSplit {
    // The first day that starts at or after `from`, and the last that ends at or before `to`
    // (day d ends where d + 1 starts, so d is whole when start_of_day(d + 1) <= to).
    let mut first = from.map(|f| {
        let d = day_of(f);
        if start_of_day(d) == f { d } else { d + 1 }
    });
    let mut last = to.map(|t| day_of(t) - 1);
    if let (Some(f), Some(t)) = (from, to)
        && first > last
    {
        let all = Partial { from: f, from_inclusive: true, to: t, to_inclusive: true, subtract: false };
        return WindowSplit { whole_days: None, partials: vec![all] };
    }
    let mut partials = Vec::with_capacity(2);
    if let Some(f) = from {
        let d = day_of(f);
        let (day_start, day_end) = (start_of_day(d), start_of_day(d + 1));
        if f > day_start {
            if f - day_start < (day_end.min(now) - f).max(TimeDelta::zero()) {
                first = Some(d);
                partials.push(Partial {
                    from: day_start,
                    from_inclusive: true,
                    to: f,
                    to_inclusive: false,
                    subtract: true,
                });
            } else {
                partials.push(Partial {
                    from: f,
                    from_inclusive: true,
                    to: day_end,
                    to_inclusive: false,
                    subtract: false,
                });
            }
        }
    }
    if let Some(t) = to {
        let e = day_of(t);
        let (day_start, day_end) = (start_of_day(e), start_of_day(e + 1));
        if (day_end.min(now) - t).max(TimeDelta::zero()) < t - day_start {
            last = Some(e);
            partials.push(Partial { from: t, from_inclusive: false, to: day_end, to_inclusive: false, subtract: true });
        } else {
            partials.push(Partial {
                from: day_start,
                from_inclusive: true,
                to: t,
                to_inclusive: true,
                subtract: false,
            });
        }
    }
    WindowSplit { whole_days: Some((first, last)), partials }
}

impl Tx {
    /// Records that an order of `seller_id` placed at `created_at` left state `from` (`None`:
    /// it is new) for `to`. States the seller does not see are not counted.
    pub(crate) async fn count_state_change(
        &mut self,
        seller_id: i64,
        created_at: DateTime<Utc>,
        from: Option<State>,
        to: State,
    ) -> Result<(), StoreError> {
        if from == Some(to) {
            return Ok(());
        }
        let day = day_of(created_at);
        let changes: Vec<(&str, i64)> = from
            .filter(|s| s.visible_to_seller())
            .map(|s| (s.as_str(), -1))
            .into_iter()
            .chain(to.visible_to_seller().then_some((to.as_str(), 1)))
            .collect();
        if changes.is_empty() {
            return Ok(());
        }
        on_tx!(self, |t| {
            let mut q = QueryBuilder::new("INSERT INTO order_state_count_changes (seller_id, state, day, delta) ");
            q.push_values(&changes, |mut b, (state, delta)| {
                b.push_bind(seller_id).push_bind(*state).push_bind(day).push_bind(*delta);
            });
            q.build().execute(&mut *t).await.map(|_| ())
        })?;
        Ok(())
    }
}

impl Store {
    /// Moves the recorded changes into the day counts; returns how many changes it folded.
    pub async fn fold_order_state_counts(&self) -> Result<u64, StoreError> {
        const UPSERT: &str =
            "ON CONFLICT (seller_id, state, day) DO UPDATE SET orders = order_state_counts.orders + excluded.orders";
        let folded = match self.pool() {
            // One statement: what is deleted is exactly what is added, whatever commits meanwhile.
            crate::Pool::Postgres(p) => {
                let sql = format!(
                    "WITH gone AS (DELETE FROM order_state_count_changes RETURNING seller_id, state, day, delta),
                          sums AS (SELECT seller_id, state, day, SUM(delta)::BIGINT AS orders, COUNT(*) AS n
                                   FROM gone GROUP BY seller_id, state, day),
                          added AS (INSERT INTO order_state_counts (seller_id, state, day, orders)
                                    SELECT seller_id, state, day, orders FROM sums ORDER BY seller_id, state, day {UPSERT})
                     SELECT COALESCE(SUM(n), 0)::BIGINT FROM sums"
                );
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(p).await?
            }
            // SQLite: the transaction holds the one write lock, so no change lands in between.
            crate::Pool::Sqlite(_) => {
                let mut tx = self.begin().await?;
                let sql = format!(
                    "INSERT INTO order_state_counts (seller_id, state, day, orders)
                     SELECT seller_id, state, day, SUM(delta) FROM order_state_count_changes WHERE true
                     GROUP BY seller_id, state, day {UPSERT}"
                );
                on_tx!(&mut tx, |t| sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *t).await.map(|_| ()))?;
                let n = on_tx!(&mut tx, |t| sqlx::query("DELETE FROM order_state_count_changes")
                    .execute(&mut *t)
                    .await
                    .map(|r| r.rows_affected()))?;
                tx.commit().await?;
                return Ok(n);
            }
        };
        Ok(u64::try_from(folded).unwrap_or(0))
    }

    /// Counts every order again from `orders` (after a bulk load that bypassed the changes).
    pub async fn recount_order_states(&self) -> Result<(), StoreError> {
        let day = match self.backend() {
            Backend::Postgres => "floor(extract(epoch FROM created_at) / 86400)::BIGINT",
            Backend::Sqlite => "CAST(strftime('%s', created_at) AS INTEGER) / 86400",
        };
        let mut tx = self.begin().await?;
        let sql = format!(
            "INSERT INTO order_state_counts (seller_id, state, day, orders)
             SELECT seller_id, state, {day}, COUNT(*) FROM orders WHERE state <> 'AWAITING_PAYMENT' GROUP BY 1, 2, 3"
        );
        for statement in ["DELETE FROM order_state_count_changes", "DELETE FROM order_state_counts", sql.as_str()] {
            on_tx!(&mut tx, |t| sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(&mut *t)
                .await
                .map(|_| ()))?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Every state a seller sees, in the order of [`State::ALL`].
pub(crate) fn seller_visible_states() -> impl Iterator<Item = State> {
    State::ALL.iter().copied().filter(|s| s.visible_to_seller())
}

/// Pushes the condition that a seller's order is in one of `states` (distinct states a seller
/// sees). It always says, in exactly these words, that the order is not awaiting payment: that
/// is the condition of the partial index by seller and date (migration
/// `20261206000004_orders_visible_to_sellers`), which neither database uses unless the query
/// states it literally. The list of states follows only when it leaves some visible one out.
pub(crate) fn push_seller_states<'a, DB: sqlx::Database>(q: &mut QueryBuilder<DB>, states: &[&'a str])
where
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(" AND state <> 'AWAITING_PAYMENT'");
    if states.len() == seller_visible_states().count() {
        return;
    }
    if states.is_empty() {
        q.push(" AND 1 = 0");
        return;
    }
    q.push(" AND state");
    crate::push_in(q, states.iter().copied());
}

/// Pushes an SQL expression for how many of a seller's orders in any of `states` were placed
/// within the window: the whole days from the day counts and their pending changes, the partial
/// days at the ends from the orders' index. Part of one statement, so one snapshot.
pub(crate) fn push_count_in_states<'a, DB: sqlx::Database>(
    q: &mut QueryBuilder<DB>,
    seller_id: i64,
    states: &[&'a str],
    (from, to): Window,
) where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let split = split_window(from, to, Utc::now());
    let part = |q: &mut QueryBuilder<DB>, what: &str, table: &str| {
        q.push(format!("(SELECT COALESCE({what}, 0) FROM {table} WHERE seller_id = ")).push_bind(seller_id);
        push_seller_states(q, states);
    };
    q.push("CAST(0");
    if let Some((a, b)) = split.whole_days {
        for (what, table) in [("SUM(orders)", "order_state_counts"), ("SUM(delta)", "order_state_count_changes")] {
            q.push(" + ");
            part(q, what, table);
            if let Some(a) = a {
                q.push(" AND day >= ").push_bind(a);
            }
            if let Some(b) = b {
                q.push(" AND day <= ").push_bind(b);
            }
            q.push(")");
        }
    }
    // One subquery per partial day, a range of the index by seller and date (which holds the
    // state): at most half a day of the seller's orders, unpaid ones included, and none at all
    // for the part after a window that ends now.
    for p in &split.partials {
        q.push(if p.subtract { " - " } else { " + " })
            .push("(SELECT COUNT(*) FROM orders WHERE seller_id = ")
            .push_bind(seller_id)
            .push(if p.from_inclusive { " AND created_at >= " } else { " AND created_at > " })
            .push_bind(p.from)
            .push(if p.to_inclusive { " AND created_at <= " } else { " AND created_at < " })
            .push_bind(p.to);
        push_seller_states(q, states);
        q.push(")");
    }
    q.push(" AS BIGINT)");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn part(from: &str, from_inclusive: bool, to: &str, to_inclusive: bool, subtract: bool) -> Partial {
        Partial { from: at(from), from_inclusive, to: at(to), to_inclusive, subtract }
    }

    /// A `now` after every window of these tests.
    fn later() -> DateTime<Utc> {
        at("2027-01-01T00:00:00Z")
    }

    fn day(s: &str) -> Option<i64> {
        Some(day_of(at(s)))
    }

    #[test]
    fn a_tool_window_counts_each_end_day_by_its_smaller_part() {
        // 20:18 on both ends: the first day's 3 h 42 min after it are counted, the last day is
        // counted whole less what was placed after 20:18 (nothing, when that is now).
        let s = split_window(Some(at("2026-11-21T20:18:35Z")), Some(at("2026-12-05T20:18:35Z")), later());
        assert_eq!(s.whole_days, Some((day("2026-11-22T00:00:00Z"), day("2026-12-05T12:00:00Z"))));
        assert_eq!(
            s.partials,
            vec![
                part("2026-11-21T20:18:35Z", true, "2026-11-22T00:00:00Z", false, false),
                part("2026-12-05T20:18:35Z", false, "2026-12-06T00:00:00Z", false, true),
            ]
        );
        // 07:00 on both ends: the first day is counted whole less its first seven hours, the
        // last by its first seven hours.
        let s = split_window(Some(at("2026-11-22T07:00:00Z")), Some(at("2026-12-06T07:00:00Z")), later());
        assert_eq!(s.whole_days, Some((day("2026-11-22T00:00:00Z"), day("2026-12-05T00:00:00Z"))));
        assert_eq!(
            s.partials,
            vec![
                part("2026-11-22T00:00:00Z", true, "2026-11-22T07:00:00Z", false, true),
                part("2026-12-06T00:00:00Z", true, "2026-12-06T07:00:00Z", true, false),
            ]
        );
    }

    #[test]
    fn a_window_ending_now_counts_its_last_day_whole_less_nothing() {
        // At 06:53 the day so far is the larger part: what follows `to` holds no order yet.
        let now = at("2026-12-06T06:53:25Z");
        let s = split_window(Some(at("2026-11-22T06:53:25Z")), Some(now), now);
        assert_eq!(s.whole_days, Some((day("2026-11-22T00:00:00Z"), day("2026-12-06T00:00:00Z"))));
        assert_eq!(
            s.partials,
            vec![
                part("2026-11-22T00:00:00Z", true, "2026-11-22T06:53:25Z", false, true),
                part("2026-12-06T06:53:25Z", false, "2026-12-07T00:00:00Z", false, true),
            ]
        );
        // A window ending in the early hours of the day, seen late that day, counts its part.
        let s = split_window(Some(at("2026-11-22T06:53:25Z")), Some(now), at("2026-12-06T20:00:00Z"));
        assert_eq!(s.partials[1], part("2026-12-06T00:00:00Z", true, "2026-12-06T06:53:25Z", true, false));
    }

    #[test]
    fn a_window_starting_at_midnight_has_no_partial_first_day() {
        let s = split_window(Some(at("2026-11-22T00:00:00Z")), Some(at("2026-11-24T00:00:00Z")), later());
        assert_eq!(s.whole_days, Some((day("2026-11-22T00:00:00Z"), day("2026-11-23T00:00:00Z"))));
        // The inclusive end is an instant of the next day, counted from the orders.
        assert_eq!(s.partials, vec![part("2026-11-24T00:00:00Z", true, "2026-11-24T00:00:00Z", true, false)]);
    }

    #[test]
    fn a_window_within_one_day_is_counted_exactly() {
        let s = split_window(Some(at("2026-12-05T01:00:00Z")), Some(at("2026-12-05T20:00:00Z")), later());
        assert_eq!(s.whole_days, None);
        assert_eq!(s.partials, vec![part("2026-12-05T01:00:00Z", true, "2026-12-05T20:00:00Z", true, false)]);
        let s = split_window(Some(at("2026-12-04T01:00:00Z")), Some(at("2026-12-05T20:00:00Z")), later());
        assert_eq!(s.whole_days, None, "no day lies wholly inside: {s:?}");
    }

    #[test]
    fn open_ends_are_whole_days() {
        let s = split_window(None, None, later());
        assert_eq!(s, WindowSplit { whole_days: Some((None, None)), partials: vec![] });
        let s = split_window(Some(at("2026-12-01T06:00:00Z")), None, later());
        assert_eq!(s.whole_days, Some((day("2026-12-01T00:00:00Z"), None)));
        assert_eq!(s.partials, vec![part("2026-12-01T00:00:00Z", true, "2026-12-01T06:00:00Z", false, true)]);
    }

    #[test]
    fn days_before_1970_round_down() {
        assert_eq!(day_of(at("1969-12-31T23:59:59Z")), -1);
        assert_eq!(day_of(at("1970-01-01T00:00:00Z")), 0);
    }
}
