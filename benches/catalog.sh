#!/usr/bin/env bash
# Catalog benchmarks of the catalog issue (measurements, not tests): search on a synthetic
# catalog of N products, and the import of an M-offer XML price list on SQLite and, when
# DUKEN_BENCH_POSTGRES_URL names a database it may fill, on PostgreSQL. Prints the figures;
# BENCHMARKS.md records them with the machine and date.
#
#   benches/catalog.sh [PRODUCTS] [OFFERS]     # default 1 000 000 products, 1 000 000 offers
#
# Needs GNU time (/usr/bin/time, `apt-get install time`) for peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
products="${1:-1000000}"
offers="${2:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p duken
duken="$CARGO_TARGET_DIR/release/duken"
work="${DUKEN_BENCH_DIR:-$(mktemp -d /var/tmp/duken-catalog-bench.XXXX)}"
echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; data in $work"

echo "## seed --synthetic $products (SQLite), then the search index"
/usr/bin/time -f "seed: %e s wall, peak RSS %M KB" "$duken" --data-dir "$work" --demo=false seed --synthetic "$products"
du -sh "$work/duken.db" | sed 's/^/database file: /'
echo "## search: 1000 mixed kk/ru/Latin queries with facets"
"$duken" --data-dir "$work" --demo=false bench search --queries 1000

echo "## import-pricelist: $offers offers (SQLite)"
"$duken" --data-dir "$work" --demo=false bench write-pricelist "$work/pricelist.xml" --seller syn-seller-1 --offers "$offers"
/usr/bin/time -f "import (SQLite): %e s wall, peak RSS %M KB" \
  "$duken" --data-dir "$work" --demo=false import-pricelist "$work/pricelist.xml" --seller syn-seller-1

if [ -n "${DUKEN_BENCH_POSTGRES_URL:-}" ]; then
  echo "## import-pricelist: $offers offers (PostgreSQL)"
  "$duken" --data-dir "$work/pg" --database-url "$DUKEN_BENCH_POSTGRES_URL" seed --synthetic 10000
  /usr/bin/time -f "import (PostgreSQL): %e s wall, peak RSS %M KB" \
    "$duken" --data-dir "$work/pg" --database-url "$DUKEN_BENCH_POSTGRES_URL" import-pricelist "$work/pricelist.xml" --seller syn-seller-1
fi
