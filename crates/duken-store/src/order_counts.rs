//! How many of a seller's orders are in each state, per UTC day of placement: the orders list's
//! `meta.totalCount` (merchant API and cabinet) adds up a few of these rows instead of counting
//! thousands of index entries for every page a seller's tool asks for.
//!
//! Writers never update a count row: placing an order or moving it between states inserts a
//! change row (`order_state_count_changes`) in the same transaction, so concurrent checkouts of
//! one seller do not queue behind each other's commit. [`Store::fold_order_state_counts`] (run
//! by the order jobs) moves the changes into `order_state_counts`; a count reads both in one
//! statement ([`push_count_in_states`]), so it is exact at any moment.

use chrono::{DateTime, Utc};
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

/// How an inclusive window of placement times splits into whole days, counted from the day
/// counts, and the partial days at its ends, counted from the orders themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSplit {
    /// Whole days `first..=last`; `None` when the window holds no whole day.
    pub whole_days: Option<(Option<i64>, Option<i64>)>,
    /// `from <= created_at < end`: the part before the first whole day.
    pub head: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// `start <= created_at <= to`: the part after the last whole day.
    pub tail: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Splits `from..=to` (either end open) into whole days and the partial days at its ends.
/// A window with no whole day in it is all head: `from <= created_at <= to` is then counted
/// directly (`tail` is `None` and `head` carries the inclusive `to` through [`WindowSplit::exact`]).
pub fn split_window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> WindowSplit {
    // The first day that starts at or after `from`, and the last that ends at or before `to`
    // (day d ends where d + 1 starts, so d is whole when start_of_day(d + 1) <= to).
    let first = from.map(|f| {
        let d = day_of(f);
        if start_of_day(d) == f { d } else { d + 1 }
    });
    let last = to.map(|t| day_of(t) - 1);
    if let (Some(a), Some(b)) = (first, last)
        && a > b
    {
        return WindowSplit { whole_days: None, head: None, tail: None };
    }
    WindowSplit {
        whole_days: Some((first, last)),
        head: from.zip(first).filter(|(f, d)| *f < start_of_day(*d)).map(|(f, d)| (f, start_of_day(d))),
        tail: to.zip(last).map(|(t, d)| (start_of_day(d + 1), t)),
    }
}

impl WindowSplit {
    /// Whether the window is small enough to count only from the orders.
    pub fn exact(&self) -> bool {
        self.whole_days.is_none()
    }
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
    let split = split_window(from, to);
    let part = |q: &mut QueryBuilder<DB>, what: &str, table: &str| {
        q.push(format!("(SELECT COALESCE({what}, 0) FROM {table} WHERE seller_id = "))
            .push_bind(seller_id)
            .push(" AND state IN (");
        let mut sep = q.separated(", ");
        for s in states {
            sep.push_bind(*s);
        }
        sep.push_unseparated(")");
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
    // Each range with whether its end is inclusive.
    let ranges: Vec<(Window, bool)> = if split.exact() {
        vec![((from, to), true)]
    } else {
        let head = split.head.map(|(a, b)| ((Some(a), Some(b)), false));
        head.into_iter().chain(split.tail.map(|(a, b)| ((Some(a), Some(b)), true))).collect()
    };
    // One subquery per state: each is one range of the index by seller, state and date, whatever
    // plan the values get (a list of states let a generic plan scan the seller's orders by date,
    // orders not paid yet included, and filter them).
    for ((a, b), inclusive) in ranges {
        for state in states {
            q.push(" + (SELECT COUNT(*) FROM orders WHERE seller_id = ")
                .push_bind(seller_id)
                .push(" AND state = ")
                .push_bind(*state);
            if let Some(a) = a {
                q.push(" AND created_at >= ").push_bind(a);
            }
            if let Some(b) = b {
                q.push(if inclusive { " AND created_at <= " } else { " AND created_at < " }).push_bind(b);
            }
            q.push(")");
        }
    }
    q.push(" AS BIGINT)");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_tool_window_is_whole_days_between_two_partial_ones() {
        let s = split_window(Some(at("2026-11-21T20:18:35Z")), Some(at("2026-12-05T20:18:35Z")));
        assert_eq!(
            s.whole_days,
            Some((Some(day_of(at("2026-11-22T00:00:00Z"))), Some(day_of(at("2026-12-04T12:00:00Z")))))
        );
        assert_eq!(s.head, Some((at("2026-11-21T20:18:35Z"), at("2026-11-22T00:00:00Z"))));
        assert_eq!(s.tail, Some((at("2026-12-05T00:00:00Z"), at("2026-12-05T20:18:35Z"))));
    }

    #[test]
    fn a_window_starting_at_midnight_has_no_head() {
        let s = split_window(Some(at("2026-11-22T00:00:00Z")), Some(at("2026-11-24T00:00:00Z")));
        assert_eq!(
            s.whole_days,
            Some((Some(day_of(at("2026-11-22T00:00:00Z"))), Some(day_of(at("2026-11-23T00:00:00Z")))))
        );
        assert_eq!(s.head, None);
        // The inclusive end is an instant of the next day, counted from the orders.
        assert_eq!(s.tail, Some((at("2026-11-24T00:00:00Z"), at("2026-11-24T00:00:00Z"))));
    }

    #[test]
    fn a_window_within_one_day_is_counted_exactly() {
        let s = split_window(Some(at("2026-12-05T01:00:00Z")), Some(at("2026-12-05T20:00:00Z")));
        assert!(s.exact());
        let s = split_window(Some(at("2026-12-04T01:00:00Z")), Some(at("2026-12-05T20:00:00Z")));
        assert!(s.exact(), "no day lies wholly inside: {s:?}");
    }

    #[test]
    fn open_ends_are_whole_days() {
        let s = split_window(None, None);
        assert_eq!(s, WindowSplit { whole_days: Some((None, None)), head: None, tail: None });
        let s = split_window(Some(at("2026-12-01T06:00:00Z")), None);
        assert_eq!(s.whole_days, Some((Some(day_of(at("2026-12-02T00:00:00Z"))), None)));
        assert!(s.tail.is_none());
    }

    #[test]
    fn days_before_1970_round_down() {
        assert_eq!(day_of(at("1969-12-31T23:59:59Z")), -1);
        assert_eq!(day_of(at("1970-01-01T00:00:00Z")), 0);
    }
}
