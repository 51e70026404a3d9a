#!/usr/bin/env bash
# Orders benchmarks (measurements, not tests), issue 7:
#  1. checkouts per second over HTTP (`duken bench checkouts`, 16 clients) on PostgreSQL, next
#     to pgbench's TPC-B-like transactions per second on the same server in the same run, and
#     on SQLite;
#  2. `GET /shop/api/v2/orders` latency at 32 connections (wrk) with 1 000 000 orders in the
#     database, for the seller with the most orders (100 000).
#
#   benches/orders.sh [SECONDS] [ROUNDS]    # default 20 s per measurement, 3 rounds
#
# The machine's speed drifts (shared cores), so checkouts and pgbench alternate: ROUNDS rounds
# of checkouts then pgbench, each round's ratio printed, then the median.
#
# Needs wrk and pgbench, and a PostgreSQL it may create databases in
# (DUKEN_BENCH_POSTGRES_ADMIN, default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
rounds="${2:-3}"
admin="${DUKEN_BENCH_POSTGRES_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
base="${admin%/*}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
command -v pgbench >/dev/null || { echo "pgbench is missing" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p duken
duken="$CARGO_TARGET_DIR/release/duken"

work=$(mktemp -d /tmp/duken-orders-bench.XXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_up() { for _ in $(seq 1 300); do curl -fs "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
serve() { "$duken" "$@" --listen 127.0.0.1:18191 --log warn >"$work/duken.log" 2>&1 & pid=$!; wait_up http://127.0.0.1:18191; }
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%F)"

# PostgreSQL: a synthetic catalog of 10 000 products, then checkouts; then pgbench.
psql -q "$admin" -c "DROP DATABASE IF EXISTS duken_bench_orders" -c "CREATE DATABASE duken_bench_orders"
pg="$base/duken_bench_orders"
"$duken" --database-url "$pg" --data-dir "$work/pg" --demo=false seed --synthetic 10000 >/dev/null
psql -q "$admin" -c "DROP DATABASE IF EXISTS duken_pgbench" -c "CREATE DATABASE duken_pgbench"
pgbench -q -i -s 16 "$base/duken_pgbench" >/dev/null 2>&1
serve --database-url "$pg" --data-dir "$work/pg" --demo=false
ratios=()
for round in $(seq 1 "$rounds"); do
  placed=$("$duken" --database-url "$pg" --data-dir "$work/pg" bench checkouts --url http://127.0.0.1:18191 --clients 16 --seconds "$seconds")
  echo "PostgreSQL, round $round: $placed"
  tps=$(pgbench -c 16 -j 2 -T "$seconds" "$base/duken_pgbench" 2>/dev/null | grep -E '^tps' | head -1)
  echo "pgbench (TPC-B-like, scale 16, 16 clients, 2 threads), round $round: $tps"
  per_s=$(sed -E 's/.*= ([0-9.]+)\/s.*/\1/' <<<"$placed")
  tps_n=$(sed -E 's/^tps = ([0-9.]+).*/\1/' <<<"$tps")
  ratios+=("$(python3 -c "print(f'{100 * $per_s / $tps_n:.1f}')")")
  echo "checkouts against pgbench, round $round: ${ratios[-1]} %"
done
echo "checkouts against pgbench, median of $rounds rounds: $(printf '%s\n' "${ratios[@]}" | sort -n | python3 -c 'import sys; v=[float(x) for x in sys.stdin]; print(f"{sorted(v)[len(v)//2]:.1f} %")')"
stop

# SQLite: the same catalog, checkouts.
"$duken" --data-dir "$work/sq" --demo=false seed --synthetic 10000 >/dev/null
serve --data-dir "$work/sq" --demo=false
echo "SQLite: $("$duken" --data-dir "$work/sq" bench checkouts --url http://127.0.0.1:18191 --clients 16 --seconds "$seconds")"
stop

# 1 000 000 orders on PostgreSQL; the busiest seller's tool lists its new orders.
seeded=$("$duken" --database-url "$pg" --data-dir "$work/pg" bench seed-orders --orders 1000000)
echo "$seeded"
token="${seeded##*token: }"
# The load's dirty pages written out first, so that the checkpoint that follows a million
# inserts does not fall into the measurement; then a warm-up run that is not counted.
psql -q "$pg" -c "CHECKPOINT"
serve --database-url "$pg" --data-dir "$work/pg" --demo=false
# With the state filter tools send, then without one (every state the seller sees).
for filter in '&filter%5Borders%5D%5Bstate%5D=NEW' ''; do
  url="http://127.0.0.1:18191/shop/api/v2/orders?page%5Bnumber%5D=0&page%5Bsize%5D=20$filter"
  curl -fs -H "X-Auth-Token: $token" "$url" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("first page:", len(d["data"]), "orders of", d["meta"]["totalCount"])'
  if [ -n "$filter" ]; then label="with state NEW"; else label="without a state filter"; fi
  wrk -t2 -c32 -d5s -H "X-Auth-Token: $token" "$url" >/dev/null
  echo "GET /shop/api/v2/orders $label, 32 connections:"
  wrk -t2 -c32 -d"${seconds}s" --latency -H "X-Auth-Token: $token" "$url" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx'
done
stop
psql -q "$admin" -c "DROP DATABASE IF EXISTS duken_bench_orders" -c "DROP DATABASE IF EXISTS duken_pgbench"
