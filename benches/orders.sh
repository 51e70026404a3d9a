#!/usr/bin/env bash
# Orders benchmarks (measurements, not tests), issue 7:
#  1. checkouts per second over HTTP (`duken bench checkouts`, 16 clients) on PostgreSQL, next
#     to pgbench's TPC-B-like transactions per second on the same server in the same run, and
#     on SQLite;
#  2. `GET /shop/api/v2/orders` latency at 32 connections (wrk) with 1 000 000 orders in the
#     database, for the seller with the most orders (100 000).
#
#   benches/orders.sh [SECONDS]    # default 20 s per measurement
#
# Needs wrk and pgbench, and a PostgreSQL it may create databases in
# (DUKEN_BENCH_POSTGRES_ADMIN, default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
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
serve --database-url "$pg" --data-dir "$work/pg" --demo=false
echo "PostgreSQL: $("$duken" --database-url "$pg" --data-dir "$work/pg" bench checkouts --url http://127.0.0.1:18191 --clients 16 --seconds "$seconds")"
stop
psql -q "$admin" -c "DROP DATABASE IF EXISTS duken_pgbench" -c "CREATE DATABASE duken_pgbench"
pgbench -q -i -s 16 "$base/duken_pgbench" >/dev/null 2>&1
echo "pgbench (TPC-B-like, scale 16, 16 clients, 2 threads): $(pgbench -c 16 -j 2 -T "$seconds" "$base/duken_pgbench" 2>/dev/null | grep -E '^tps' | head -1)"

# SQLite: the same catalog, checkouts.
"$duken" --data-dir "$work/sq" --demo=false seed --synthetic 10000 >/dev/null
serve --data-dir "$work/sq" --demo=false
echo "SQLite: $("$duken" --data-dir "$work/sq" bench checkouts --url http://127.0.0.1:18191 --clients 16 --seconds "$seconds")"
stop

# 1 000 000 orders on PostgreSQL; the busiest seller's tool lists its new orders.
seeded=$("$duken" --database-url "$pg" --data-dir "$work/pg" bench seed-orders --orders 1000000)
echo "$seeded"
token="${seeded##*token: }"
serve --database-url "$pg" --data-dir "$work/pg" --demo=false
# With the state filter tools send, then without one (every state the seller sees).
for filter in '&filter%5Borders%5D%5Bstate%5D=NEW' ''; do
  url="http://127.0.0.1:18191/shop/api/v2/orders?page%5Bnumber%5D=0&page%5Bsize%5D=20$filter"
  curl -fs -H "X-Auth-Token: $token" "$url" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("first page:", len(d["data"]), "orders of", d["meta"]["totalCount"])'
  echo "GET /shop/api/v2/orders${filter:+ with state NEW}${filter:- without a state filter}, 32 connections:"
  wrk -t2 -c32 -d"${seconds}s" --latency -H "X-Auth-Token: $token" "$url" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx'
done
stop
psql -q "$admin" -c "DROP DATABASE IF EXISTS duken_bench_orders" -c "DROP DATABASE IF EXISTS duken_pgbench"
