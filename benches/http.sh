#!/usr/bin/env bash
# HTTP load benchmark (a measurement, not a test): duken's JSON product endpoint and home
# page against a bare axum hello-world built from the same workspace with the same profile,
# all loaded in the same run on the same machine with wrk at 64 connections.
#
#   benches/http.sh [SECONDS] [ROUNDS]   # default 10 s per target, 3 rounds; appends to BENCHMARKS.md
#
# Each round loads every target once, in turn; the figures are the median over the rounds, as
# two shared cores make single runs vary by ±15 %.
#
# Needs wrk (`apt-get install wrk`). Set DUKEN_BENCH_POSTGRES_URL (a database it may fill) to
# also measure the product endpoint on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
rounds="${2:-3}"
connections=64
threads=2
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p duken -p hello-axum
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d /tmp/duken-bench.XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_up() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# duken on SQLite with the demo shop, logging as it would in production (to a file).
"$bin/duken" --data-dir "$work/data" --listen 127.0.0.1:18181 >"$work/duken.log" 2>&1 &
pids+=($!)
"$bin/hello-axum" 127.0.0.1:18182 >"$work/hello.log" 2>&1 &
pids+=($!)
wait_up http://127.0.0.1:18181/readyz
wait_up http://127.0.0.1:18182/

results=()
# run NAME URL: prints "rps p99_ms"
run() {
  local name=$1 url=$2 out
  wrk -t1 -c8 -d2s "$url" >/dev/null   # warm caches and connections
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url")
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  # wrk prints latencies with units (us, ms, s); convert to ms.
  p99=$(awk -v v="$p99" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }')
  [ -z "$errors" ] || { echo "$name: $errors non-2xx responses" >&2; exit 1; }
  printf '%-44s %10s req/s   p99 %8s ms\n' "$name" "$rps" "$p99" >&2
  results+=("$name|$rps|$p99")
}

# The same server with the catalog cache off: every request queries the database.
# Its own data directory (a search index belongs to one process), the same database file.
"$bin/duken" --data-dir "$work/data-nocache" --database-url "sqlite://$work/data/duken.db" --listen 127.0.0.1:18184 \
  --catalog-cache-ms 0 --demo=false >"$work/duken-nocache.log" 2>&1 &
pids+=($!)
wait_up http://127.0.0.1:18184/readyz


if [ -n "${DUKEN_BENCH_POSTGRES_URL:-}" ]; then
  "$bin/duken" --data-dir "$work/data-pg" --database-url "$DUKEN_BENCH_POSTGRES_URL" --demo --listen 127.0.0.1:18183 >"$work/duken-pg.log" 2>&1 &
  pids+=($!)
  wait_up http://127.0.0.1:18183/readyz
fi


for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  run "bare axum GET /json (hello-axum)" http://127.0.0.1:18182/json
  run "bare axum GET / (hello-axum)" http://127.0.0.1:18182/
  run "duken GET /api/v1/products/1 (SQLite)" "http://127.0.0.1:18181/api/v1/products/1?city=750000000"
  run "duken GET / home page (SQLite)" "http://127.0.0.1:18181/"
  run "duken GET /products/1 page (SQLite)" "http://127.0.0.1:18181/products/1?city=750000000"
  run "duken GET /api/v1/products/1 (SQLite, cache off)" "http://127.0.0.1:18184/api/v1/products/1?city=750000000"
  run "duken GET / home page (SQLite, cache off)" "http://127.0.0.1:18184/"
  if [ -n "${DUKEN_BENCH_POSTGRES_URL:-}" ]; then
    run "duken GET /api/v1/products/1 (PostgreSQL)" "http://127.0.0.1:18183/api/v1/products/1?city=750000000"
    run "duken GET / home page (PostgreSQL)" "http://127.0.0.1:18183/"
  fi
done

# The median of each target's rounds (rates and p99s taken separately).
mapfile -t results < <(printf '%s\n' "${results[@]}" | awk -F'|' '
  { n[$1]++; r[$1, n[$1]] = $2; p[$1, n[$1]] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function median(a, name, count,   i, j, t, v) {
    for (i = 1; i <= count; i++) v[i] = a[name, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((count + 1) / 2)]
  }
  END { for (i = 1; i <= k; i++) { name = order[i]; printf "%s|%.2f|%.2f\n", name, median(r, name, n[name]), median(p, name, n[name]) } }')

field() { local IFS='|'; read -r -a parts <<<"$1"; echo "${parts[$2]}"; }
hello_json_rps=$(field "${results[0]}" 1)
product_rps=$(field "${results[2]}" 1)
home_p99=$(field "${results[3]}" 2)
ratio=$(awk -v a="$product_rps" -v b="$hello_json_rps" 'BEGIN { printf "%.1f", 100 * a / b }')

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
{
  echo
  echo "## $(date -u +%Y-%m-%d) — HTTP load, ${connections} connections"
  echo
  echo "- Command: \`benches/http.sh $duration $rounds\` (wrk -t$threads -c$connections -d${duration}s --latency, after a 2 s warm-up per target; median of $rounds interleaved rounds)"
  echo "- Machine: $(nproc) cores, $cpu, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk runs on the same machine and shares its cores"
  echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -z "$(git status --porcelain 2>/dev/null)" ] || echo ' plus uncommitted changes'); release profile; duken logs every request to a file, as in production; catalog cache ${DUKEN_CATALOG_CACHE_MS:-1000} ms unless marked off"
  echo
  echo "| target | requests/s | p99 latency |"
  echo "|---|---:|---:|"
  for r in "${results[@]}"; do echo "| $(field "$r" 0) | $(field "$r" 1) | $(field "$r" 2) ms |"; done
  echo
  echo "- JSON product endpoint vs bare axum JSON: **${ratio} %** of its requests per second (target ≥ 50 %)"
  echo "- Home page p99: **${home_p99} ms** (target < 20 ms)"
} | tee -a BENCHMARKS.md
