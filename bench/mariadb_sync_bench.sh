#!/usr/bin/env bash
# Warm-migration benchmark, MariaDB -> PostgreSQL (issue 5): `peerlock sync` from a MariaDB
# source following its binary log, on the standard dataset (../shared/bench), in one run on one
# machine. Measures
#   1. initial copy + catch-up: `peerlock sync --until-caught-up` (wall time, peak memory);
#   2. following a bounded sysbench workload on the source: 5-change transactions, then 100-row
#      transactions, at fixed rates: the sustained apply rate (changes applied / time from the
#      workload's start until a marker committed after it is on the target), the lag p50/p99 by
#      heartbeat (pt-heartbeat's method: the source stamps a row with its UTC clock 100 times a
#      second, the target is read every 100 ms and the lag is its clock minus the newest stamp it
#      holds; a stamp can be up to 10 ms old when written, so this overstates the lag by up to
#      10 ms), and the sync's peak memory while following.
# No peer runs: PostgreSQL has no native replication from MariaDB (pg_sync_bench.sh compares
# PeerLock with native logical replication, PostgreSQL -> PostgreSQL, on the same workloads).
# Prints a Markdown report on stdout (progress on stderr). Builds nothing: `make build` first.
#   bench/mariadb_sync_bench.sh > bench/results/mariadb_sync_bench-$(date +%F).md   # 1M + 5M rows
#   SCALE=0.05 SECONDS_PER_LOAD=20 bench/mariadb_sync_bench.sh                       # a quick run
#   KEEP_LOGS=/tmp/logs ...   keeps the tools' logs (sysbench, lag samples, peerlock -v)
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=bench/lib/measure.sh
source "$root/bench/lib/measure.sh"
# shellcheck source=bench/lib/dataset.sh
source "$root/bench/lib/dataset.sh"

peerlock_bin=${PEERLOCK:-$root/build/peerlock}
bench_dataset_settings
duration=${SECONDS_PER_LOAD:-20}
# 5-change transactions per second: 400, below the ~460 that sysbench reaches on 2 cores with
# both servers and the sync beside it (at 1000 it saturates the source, and the lag measured is
# the CPU's queue rather than the sync's).
rate5=${RATE_5:-400}
rate100=${RATE_100:-150} # 100-row transactions per second
for v in duration rate5 rate100; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ -x "$peerlock_bin" ]] || die "$peerlock_bin not found: run 'make build' first"
bench_install_deps postgresql-15 postgresql-client-15 mariadb-server mariadb-client sysbench \
  python3 time || die "could not install the packages the benchmark needs"
command -v sysbench >/dev/null || die "sysbench not found after installing its package"

dir=$(mktemp -d "${TMPDIR:-/tmp}/mariadbsyncbench.XXXXXX")
chmod 755 "$dir" # run as root, the servers run as `postgres` / `mysql` and must reach it
mkdir "$dir/logs"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/scripts/pg-cluster" stop "$dir/pg" >/dev/null 2>&1 || true
  "$root/scripts/mariadb-server" stop "$dir/maria" >/dev/null 2>&1 || true
  [[ -z ${KEEP_LOGS:-} ]] || cp -r "$dir/logs" "$KEEP_LOGS" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
settle() { :; } # `timed` calls it; each phase below checkpoints where it matters
private_peerlock "$peerlock_bin"

say "starting the PostgreSQL (dataset, target) and MariaDB servers"
"$root/scripts/pg-cluster" start "$dir/pg" --owner-pid $$ >/dev/null || die "PostgreSQL cluster"
"$root/scripts/mariadb-server" start "$dir/maria" --owner-pid $$ >/dev/null ||
  die "could not start the MariaDB server (see $dir/maria/error.log)"
PG_PORT=$(<"$dir/pg/port") MARIA_PORT=$(<"$dir/maria/port")
PG_PW=$(<"$dir/pg/password") MARIA_PW=$(<"$dir/maria/password")
export PG_PW MARIA_PW
bench_secrets=("$PG_PW" "$MARIA_PW")
pg_psql() { PGPASSWORD=$PG_PW psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U peerlock "$@"; }
maria_sql() { MYSQL_PWD=$MARIA_PW mariadb --no-defaults -h 127.0.0.1 -P "$MARIA_PORT" -u peerlock --batch --skip-column-names "$@"; }
pg_psql -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
now() { date +%s.%N; }

say "building the standard dataset ($ncust customers, $nord orders) and carrying it into MariaDB"
pg_psql -d postgres -c "CREATE DATABASE dataset" -c "CREATE DATABASE pl"
pg_psql -d dataset -v ncust="$ncust" -v nord="$nord" -f "$schema_sql" -f "$data_sql" \
  >"$dir/logs/dataset.log" 2>&1 || { tail -n 30 "$dir/logs/dataset.log" >&2; die "building the dataset failed"; }
maria_sql -e "CREATE DATABASE bench"
cat >"$dir/tomaria.yaml" <<EOF
source: {url: "postgresql://peerlock@127.0.0.1:$PG_PORT/dataset", password_env: PG_PW}
target: {url: "mysql://peerlock@127.0.0.1:$MARIA_PORT/bench", password_env: MARIA_PW}
copy: {workers: $jobs, chunk_rows: $chunk_rows}
EOF
"$peerlock" copy --plan "$dir/tomaria.yaml" >"$dir/logs/to_maria.log" 2>&1 ||
  { tail -n 30 "$dir/logs/to_maria.log" | scrub >&2; die "carrying the dataset into MariaDB failed"; }
pg_psql -d postgres -c "DROP DATABASE dataset"
# The marker (a row committed after a workload) and the heartbeat (stamped by the source's clock).
maria_sql bench -e "CREATE TABLE bench_marker (id BIGINT PRIMARY KEY, at DATETIME(6));
  CREATE TABLE bench_heartbeat (id INT PRIMARY KEY, at DATETIME(6) NOT NULL);
  INSERT INTO bench_heartbeat VALUES (1, UTC_TIMESTAMP(6)); FLUSH TABLES"

cat >"$dir/plan.yaml" <<EOF
source: {url: "mysql://peerlock@127.0.0.1:$MARIA_PORT/bench", password_env: MARIA_PW}
target: {url: "postgresql://peerlock@127.0.0.1:$PG_PORT/pl", password_env: PG_PW}
copy: {workers: $jobs, chunk_rows: $chunk_rows}
EOF

# --- 1. initial copy + catch-up --------------------------------------------------------------
pg_psql -d postgres -c CHECKPOINT >/dev/null
timed initial "$peerlock" sync --plan "$dir/plan.yaml" --until-caught-up
ok initial || die "peerlock sync (copy + catch-up) failed"

# --- 2. following a workload -------------------------------------------------------------------
sysbench_args=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MARIA_PORT"
  --mysql-user=peerlock --mysql-password="$MARIA_PW" --mysql-db=bench
  --mysql-ignore-errors=1213,1205) # a deadlock or lock wait between writers restarts the event
cat >"$dir/w5.lua" <<EOF
-- 5 changes: a customer's balance, an order inserted, another paid and one deleted, a flag.
function thread_init(thread_id) con = sysbench.sql.driver():connect(); n = 0; tid = thread_id end
function thread_done() con:disconnect() end
function event()
  local c = sysbench.rand.uniform(1, $ncust)
  local o = sysbench.rand.uniform(1, $nord)
  n = n + 1
  local id = 10000000000 + tid * 1000000000 + n
  con:query("BEGIN")
  con:query("UPDATE customers SET balance = balance + 1 WHERE id = " .. c)
  con:query("INSERT INTO orders VALUES (" .. id .. ", " .. c .. ", 9.99, 'new', NOW(), NULL, NULL)")
  con:query("UPDATE orders SET status = 'paid' WHERE id = " .. o)
  con:query("DELETE FROM orders WHERE id = " .. (o + 1))
  con:query("UPDATE customers SET active = NOT active WHERE id = " .. (c + 1))
  con:query("COMMIT")
end
EOF
cat >"$dir/w100.lua" <<EOF
-- 100 rows inserted in one statement.
function thread_init(thread_id) con = sysbench.sql.driver():connect(); n = 0; tid = thread_id end
function thread_done() con:disconnect() end
function event()
  n = n + 1
  local base = 20000000000 + tid * 1000000000 + n * 100
  con:query("INSERT INTO orders SELECT " .. base .. " + seq, seq, seq, 'new', NOW(), 'bulk', NULL FROM seq_1_to_100")
end
EOF

"$peerlock" -v sync --plan "$dir/plan.yaml" >"$dir/logs/follow.log" 2>&1 &
sync_pid=$!
pids+=("$sync_pid")
following() {
  "$peerlock" sync --plan "$dir/plan.yaml" --status --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s.get("pid") == int(sys.argv[1]) and s.get("phase") == "streaming" else 1)' "$sync_pid"
}
until following; do
  kill -0 "$sync_pid" 2>/dev/null || { tail -30 "$dir/logs/follow.log" | scrub >&2; die "peerlock sync stopped"; }
  sleep 0.1 # polling the sync's published status
done

# run_load NAME SCRIPT RATE CHANGES_PER_TXN MARKER: the workload on the source with the
# heartbeat beside it, the target sampled meanwhile, then the marker awaited on the target.
run_load() {
  local name=$1 script=$2 rate=$3 per=$4 marker=$5
  pg_psql -d postgres -c CHECKPOINT >/dev/null
  local samples=$dir/logs/$name.lag
  # One client session fed a stamp every 10 ms (sysbench's --rate spaces events at random). The
  # clients are exec'd, not run through the functions above: $! must be the client to kill.
  # The loop ends with the client: its next write fails (SIGPIPE may be ignored here).
  (while echo "UPDATE bench_heartbeat SET at = UTC_TIMESTAMP(6) WHERE id = 1;" 2>/dev/null; do sleep 0.01; done) |
    (MYSQL_PWD=$MARIA_PW exec mariadb --no-defaults -h 127.0.0.1 -P "$MARIA_PORT" -u peerlock bench) \
    >"$dir/logs/$name.heartbeat" 2>&1 &
  local heartbeat=$!
  pids+=("$heartbeat")
  # One psql session repeating the query (\watch), as pg_sync_bench.sh samples.
  printf '%s\n' "SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC') - at) * 1000 FROM bench_heartbeat" '\watch 0.1' |
    (PGPASSWORD=$PG_PW exec psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U peerlock -d pl) >"$samples" 2>/dev/null &
  local sampler=$!
  pids+=("$sampler")
  local t0 t1 txns
  t0=$(now)
  sysbench "${sysbench_args[@]}" --threads=4 --rate="$rate" --time="$duration" "$script" run \
    >"$dir/logs/$name.sysbench" 2>&1 || { scrub <"$dir/logs/$name.sysbench" | tail -20 >&2; die "sysbench $name failed"; }
  maria_sql bench -e "INSERT INTO bench_marker VALUES ($marker, UTC_TIMESTAMP(6))"
  until [[ $(pg_psql -d pl -c "SELECT count(*) FROM bench_marker WHERE id = $marker") == 1 ]]; do
    kill -0 "$sync_pid" 2>/dev/null || { tail -30 "$dir/logs/follow.log" | scrub >&2; die "peerlock sync stopped"; }
    sleep 0.05 # polling the target for the marker
  done
  t1=$(now)
  kill "$sampler" "$heartbeat" 2>/dev/null || true
  wait "$sampler" "$heartbeat" 2>/dev/null || true
  txns=$(awk '/total number of events:/ { print $NF; exit }' "$dir/logs/$name.sysbench")
  python3 "$root/bench/lib/load_result.py" "$samples" "${txns:-0}" "$per" "$t0" "$t1" "$name"
}

# A warm-up marker first: the sync is measured once it has applied something while following.
maria_sql bench -e "INSERT INTO bench_marker VALUES (9, UTC_TIMESTAMP(6))"
until [[ $(pg_psql -d pl -c "SELECT count(*) FROM bench_marker WHERE id = 9") == 1 ]]; do
  kill -0 "$sync_pid" 2>/dev/null || { tail -30 "$dir/logs/follow.log" | scrub >&2; die "peerlock sync stopped"; }
  sleep 0.05 # polling the target for the warm-up marker
done
say "5-change transactions at $rate5/s for ${duration}s"
w5=$(run_load w5 "$dir/w5.lua" "$rate5" 5 1)
say "100-row transactions at $rate100/s for ${duration}s"
w100=$(run_load w100 "$dir/w100.lua" "$rate100" 100 2)
follow_peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$sync_pid/status")
kill -TERM "$sync_pid"
wait "$sync_pid" || true

say "verifying"
timed verify "$peerlock" verify --plan "$dir/plan.yaml"
verdict=$(ok verify && echo "equal" || echo "NOT EQUAL (exit ${status[verify]})")

field() { echo "$1" | cut -d'|' -f"$2"; }
cat <<EOF
# PeerLock sync MariaDB -> PostgreSQL — $(date -u +%F)

Dataset: $ncust customers + $nord orders (../shared/bench, carried into MariaDB 10.11 by
\`peerlock copy\`), PostgreSQL 15 target, both servers durable on this machine ($(nproc) cores).
Workloads: sysbench 4 threads, ${duration} s each, at fixed rates. No peer: PostgreSQL has no
native replication from MariaDB.

## Initial copy + catch-up

| step | seconds | peak MB |
|---|---:|---:|
| peerlock sync --until-caught-up | ${wall[initial]} | $(mb "${rss[initial]}") |

## Following a workload

| workload | changes | applied changes/s | heartbeat lag p50 ms | p99 ms | samples |
|---|---:|---:|---:|---:|---:|
| 5-change txns @ $rate5/s | $(field "$w5" 2) | $(field "$w5" 3) | $(field "$w5" 4) | $(field "$w5" 5) | $(field "$w5" 6) |
| 100-row txns @ $rate100/s | $(field "$w100" 2) | $(field "$w100" 3) | $(field "$w100" 4) | $(field "$w100" 5) | $(field "$w100" 6) |

The heartbeat lag includes up to 10 ms of the stamp's own age (100 stamps a second). Peak memory of
the following sync: $(mb "$follow_peak_kb") MB. \`peerlock verify\` afterwards: $verdict
(${wall[verify]} s).
EOF
ok verify || exit 1
