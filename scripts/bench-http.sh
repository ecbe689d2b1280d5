#!/usr/bin/env bash
# HTTP benchmark of the foundation, on SQLite and on PostgreSQL:
#   - time from process start to /readyz = 200,
#   - resident memory when idle with the 5,000-person demo loaded,
#   - requests per second and p99 latency of an authenticated GET /api/v1/me
#     under wrk on loopback (2 threads, 32 connections, 15 s).
# Needs wrk (Debian: apt-get install wrk) and, for PostgreSQL, a server reachable at
# BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p skillbridge
BIN=$PWD/target/release/skillbridge
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18080}
DURATION=${BENCH_SECONDS:-15}

measure() {
  local label=$1; shift
  local dir; dir=$(mktemp -d)
  "$BIN" --data-dir "$dir" "$@" demo --no-serve >/dev/null
  local token; token=$("$BIN" --data-dir "$dir" "$@" admin token --username employee --name bench)
  local start; start=$(date +%s%N)
  SKILLBRIDGE_LOG=warn "$BIN" --data-dir "$dir" --listen "127.0.0.1:$PORT" "$@" serve >"$dir/serve.log" 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.005; done
  local ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 3
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/me" >"$dir/wrk.txt"
  local rps p99 p50
  rps=$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$dir/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.txt")
  kill "$pid"; wait "$pid" || true
  printf "%-10s  ready %5d ms   idle RSS %7.1f MiB   %10s req/s   p50 %8s   p99 %8s\n" \
    "$label" "$ready_ms" "$(echo "$rss / 1024" | bc -l)" "$rps" "$p50" "$p99"
  rm -rf "$dir"
}

measure sqlite
db="sb_bench_$$"
psql "$PG_URL/postgres" -qc "CREATE DATABASE $db"
trap 'psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
measure postgres --database-url "$PG_URL/$db"
