#!/usr/bin/env bash
# Warm-migration benchmark: `peerlock sync` PostgreSQL -> PostgreSQL against PostgreSQL's own
# logical replication (publication + subscription), in one run on one machine, on the standard
# dataset (../shared/bench). Measures
#   1. initial copy + catch-up: `peerlock sync --until-caught-up` vs a subscription's initial
#      sync (every table 'r'eady in pg_subscription_rel);
#   2. following a bounded pgbench workload, each consumer alone: 5-change transactions, then
#      100-row transactions, at fixed rates: the sustained apply rate (changes applied / time
#      from the workload's start until a marker committed after it is on the target) and the lag
#      p50/p99 that PostgreSQL itself reports for each consumer (pg_stat_replication.replay_lag,
#      sampled every 100 ms while the workload runs);
#   3. apply capacity: the same workloads unthrottled with both consumers stopped, then each
#      consumer alone drains the backlog (changes / seconds until the marker is on the target).
# Prints a Markdown report on stdout (progress on stderr). Builds nothing: `make build` first.
#   bench/pg_sync_bench.sh > bench/results/pg_sync_bench-$(date +%F).md   # 1M + 5M rows
#   SCALE=0.02 SECONDS_PER_LOAD=10 bench/pg_sync_bench.sh                 # a quick run
#   KEEP_LOGS=/tmp/logs ...       keeps the tools' logs (pgbench, lag samples, peerlock -v)
#   BACKLOG_SECONDS=15 ...        how long the unthrottled workload builds each backlog
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# Its measurements run inside $(...): a failure there must stop it too (bash turns set -e off).
shopt -s inherit_errexit

peerlock_bin=${PEERLOCK:-$root/build/peerlock}
scale=${SCALE:-1}
duration=${SECONDS_PER_LOAD:-20}
rate5=${RATE_5:-2720}      # 5-change transactions per second  (13.6k changes/s)
rate100=${RATE_100:-580}   # 100-row transactions per second   (58k changes/s)
awk -v s="$scale" 'BEGIN { exit !(s > 0) }' || die "SCALE must be a positive number"
ncust=$(awk -v s="$scale" 'BEGIN { printf "%d", 1000000 * s + 0.5 }')
nord=$(awk -v s="$scale" 'BEGIN { printf "%d", 5000000 * s + 0.5 }')
schema_sql=$shared/bench/pg_schema.sql
data_sql=$shared/bench/pg_data.sql
[[ -f "$schema_sql" && -f "$data_sql" ]] || die "the standard dataset is missing in $shared/bench"
[[ -x "$peerlock_bin" ]] || die "$peerlock_bin not found: run 'make build' first"
bench_install_deps postgresql-15 postgresql-client-15 python3 ||
  die "could not install the packages the benchmark needs"
pgbench=/usr/lib/postgresql/15/bin/pgbench
[[ -x $pgbench ]] || die "pgbench not found (package postgresql-contrib / postgresql-15)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/pgsyncbench.XXXXXX")
chmod 755 "$dir"
mkdir "$dir/logs"
sync_pid=
cleanup() {
  [[ -n $sync_pid ]] && kill "$sync_pid" 2>/dev/null && wait "$sync_pid" 2>/dev/null
  "$root/scripts/pg-cluster" stop "$dir/src" >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster" stop "$dir/dst" >/dev/null 2>&1 || true
  [[ -z ${KEEP_LOGS:-} ]] || cp -r "$dir/logs" "$KEEP_LOGS" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$peerlock_bin" "$dir/peerlock"
peerlock=$dir/peerlock

say "starting the source and target PostgreSQL clusters"
"$root/scripts/pg-cluster" start "$dir/src" --owner-pid $$ >/dev/null || die "source cluster"
"$root/scripts/pg-cluster" start "$dir/dst" --owner-pid $$ >/dev/null || die "target cluster"
SRC_PORT=$(<"$dir/src/port") DST_PORT=$(<"$dir/dst/port")
SRC_PW=$(<"$dir/src/password") DST_PW=$(<"$dir/dst/password")
export SRC_PW DST_PW
src_psql() { PGPASSWORD=$SRC_PW psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SRC_PORT" -U peerlock "$@"; }
dst_psql() { PGPASSWORD=$DST_PW psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DST_PORT" -U peerlock "$@"; }
for side in src dst; do
  "${side}_psql" -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
done
now() { date +%s.%N; }

say "loading $ncust customers and $nord orders into the source"
src_psql -d postgres -c "CREATE DATABASE bench"
src_psql -d bench -f "$schema_sql" >/dev/null
src_psql -d bench -v ncust="$ncust" -v nord="$nord" -f "$data_sql" >/dev/null
# The marker: a row committed after a workload; a consumer has applied the workload once its
# target has the marker.
src_psql -d bench -c "CREATE TABLE bench_marker (id bigint PRIMARY KEY, at timestamptz)" \
  -c "ANALYZE" -c CHECKPOINT
dst_psql -d postgres -c "CREATE DATABASE pl" -c "CREATE DATABASE native"

cat >"$dir/plan.yaml" <<EOF
source: {url: "postgresql://peerlock@127.0.0.1:$SRC_PORT/bench", password_env: SRC_PW}
target: {url: "postgresql://peerlock@127.0.0.1:$DST_PORT/pl", password_env: DST_PW}
copy: {workers: 2, chunk_rows: 100000}
EOF

# --- 1. initial copy + catch-up --------------------------------------------------------------
say "peerlock sync: copy + catch-up"
t0=$(now)
"$peerlock" sync --plan "$dir/plan.yaml" --until-caught-up >"$dir/logs/pl_initial.log" 2>&1 ||
  { tail -30 "$dir/logs/pl_initial.log" >&2; die "peerlock sync failed"; }
pl_initial=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

say "native subscription: schema, then initial sync"
PGPASSWORD=$SRC_PW pg_dump -h 127.0.0.1 -p "$SRC_PORT" -U peerlock -d bench --schema-only \
  >"$dir/schema.sql"
dst_psql -d native -f "$dir/schema.sql" >/dev/null
src_psql -d bench -c "CREATE PUBLICATION bench_pub FOR ALL TABLES"
src_psql -d postgres -c CHECKPOINT
t0=$(now)
dst_psql -d native -c "CREATE SUBSCRIPTION native_sub CONNECTION 'host=127.0.0.1 port=$SRC_PORT user=peerlock password=$SRC_PW dbname=bench' PUBLICATION bench_pub" 2>/dev/null
until [[ $(dst_psql -d native -c "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'") == 0 ]]; do
  sleep 0.2 # polling a server-side state; the wall time is what is measured
done
native_initial=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

# --- 2. following a workload -------------------------------------------------------------------
cat >"$dir/w5.sql" <<EOF
\set c random(1, $ncust)
\set o random(1, $nord)
\set id 10000000000 + random(1, 1000000000) * 100 + :client_id
BEGIN;
UPDATE customers SET balance = balance + 1 WHERE id = :c;
INSERT INTO orders VALUES (:id, :c, 9.99, 'new', now(), NULL, NULL)
  ON CONFLICT DO NOTHING;
UPDATE orders SET status = 'paid' WHERE id = :o;
DELETE FROM orders WHERE id = :o + 1;
UPDATE customers SET active = NOT active WHERE id = :c + 1;
END;
EOF
cat >"$dir/w100.sql" <<EOF
\set base 20000000000 + random(1, 1000000000) * 1000 + :client_id * 100
INSERT INTO orders SELECT :base + g, 1 + g, g, 'new', now(), 'bulk', NULL
  FROM generate_series(1, 100) g ON CONFLICT DO NOTHING;
EOF

# run_load NAME SCRIPT RATE CHANGES_PER_TXN APPNAME DB: runs pgbench against the source while
# sampling replay_lag of the consumer, then waits for the marker on its target database.
run_load() {
  local name=$1 script=$2 rate=$3 per=$4 app=$5 db=$6 marker=$7
  src_psql -d postgres -c CHECKPOINT
  local samples=$dir/logs/$name.lag
  : >"$samples"
  # One psql session repeating the query (\watch): a psql started per sample would cost the
  # 2 cores more than the consumers being measured, and sample far less often. psql is exec'd
  # (not src_psql): $! must be psql itself, or the kill below would leave it watching.
  printf '%s\n' "SELECT coalesce(extract(epoch FROM replay_lag) * 1000, 0) FROM pg_stat_replication WHERE application_name = '$app'" '\watch 0.1' |
    (PGPASSWORD=$SRC_PW exec psql -X -q -At -h 127.0.0.1 -p "$SRC_PORT" -U peerlock -d postgres) >>"$samples" 2>/dev/null &
  local sampler=$!
  local t0 t1 txns
  t0=$(now)
  PGPASSWORD=$SRC_PW "$pgbench" -n -h 127.0.0.1 -p "$SRC_PORT" -U peerlock -c 4 -j 2 \
    -R "$rate" -T "$duration" -f "$script" bench >"$dir/logs/$name.pgbench" 2>&1
  src_psql -d bench -c "INSERT INTO bench_marker VALUES ($marker, now())"
  until [[ $(dst_psql -d "$db" -c "SELECT count(*) FROM bench_marker WHERE id = $marker") == 1 ]]; do
    sleep 0.05 # polling the target for the marker
  done
  t1=$(now)
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  txns=$(awk '/number of transactions actually processed/ { print $NF; exit }' "$dir/logs/$name.pgbench" | cut -d/ -f1)
  python3 "$root/bench/lib/load_result.py" "$samples" "$txns" "$per" "$t0" "$t1" "$name"
}

results=()
say "native logical replication: 5-change transactions"
results+=("$(run_load native_w5 "$dir/w5.sql" "$rate5" 5 native_sub native 1)")
say "native logical replication: 100-row transactions"
results+=("$(run_load native_w100 "$dir/w100.sql" "$rate100" 100 native_sub native 2)")
dst_psql -d native -c "ALTER SUBSCRIPTION native_sub DISABLE"

say "peerlock sync: applying what arrived while it was stopped"
"$peerlock" sync --plan "$dir/plan.yaml" --until-caught-up >"$dir/logs/pl_backlog.log" 2>&1 ||
  { tail -30 "$dir/logs/pl_backlog.log" >&2; die "peerlock sync (backlog) failed"; }
say "peerlock sync following"
# -v: its slow batches and status writes are logged, to explain a lag spike.
"$peerlock" -v sync --plan "$dir/plan.yaml" >"$dir/logs/pl_follow.log" 2>&1 &
sync_pid=$!
# Measured from when it follows, as the native subscription (running all along) does.
following() {
  "$peerlock" sync --plan "$dir/plan.yaml" --status --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s.get("pid") == int(sys.argv[1]) and s.get("phase") == "streaming" else 1)' "$sync_pid"
}
until following; do
  kill -0 "$sync_pid" 2>/dev/null || { tail -30 "$dir/logs/pl_follow.log" >&2; die "peerlock sync stopped"; }
  sleep 0.1 # polling the sync's published status
done
# A restarted consumer first re-decodes the source's log from its slot's restart point (seconds
# after the native workloads); the subscription met the workloads caught up, and so does it.
src_psql -d bench -c "INSERT INTO bench_marker VALUES (9, now())"
until [[ $(dst_psql -d pl -c "SELECT count(*) FROM bench_marker WHERE id = 9") == 1 ]]; do
  kill -0 "$sync_pid" 2>/dev/null || { tail -30 "$dir/logs/pl_follow.log" >&2; die "peerlock sync stopped"; }
  sleep 0.05 # polling the target for the warm-up marker
done
results+=("$(run_load peerlock_w5 "$dir/w5.sql" "$rate5" 5 peerlock pl 3)")
results+=("$(run_load peerlock_w100 "$dir/w100.sql" "$rate100" 100 peerlock pl 4)")
kill -TERM "$sync_pid"; wait "$sync_pid" || true; sync_pid=
peak_rss=$(awk '/VmHWM/ { print $2 }' /proc/self/status)

# --- 3. apply capacity: draining a backlog -------------------------------------------------------
# The rates above are capped by what pgbench offers while the consumer shares the 2 cores with
# it. Here the workload runs unthrottled with both consumers stopped (their slots keep the WAL),
# then each drains the same backlog alone: changes / time until the marker is on its target.
# PeerLock's time is the whole `sync --until-caught-up` process, start-up included.
backlog() { # NAME SCRIPT CHANGES_PER_TXN MARKER: prints NAME|changes|native s|peerlock s
  local name=$1 script=$2 per=$3 marker=$4 t0 native_s pl_s txns
  PGPASSWORD=$SRC_PW "$pgbench" -n -h 127.0.0.1 -p "$SRC_PORT" -U peerlock -c 4 -j 2 \
    -T "$backlog_seconds" -f "$script" bench >"$dir/logs/$name.pgbench" 2>&1
  src_psql -d bench -c "INSERT INTO bench_marker VALUES ($marker, now())"
  txns=$(awk '/number of transactions actually processed/ { print $NF; exit }' "$dir/logs/$name.pgbench" | cut -d/ -f1)
  [[ $txns =~ ^[0-9]+$ && $txns -gt 0 ]] || die "pgbench built no $name backlog (see its log)"
  src_psql -d postgres -c CHECKPOINT
  t0=$(now)
  dst_psql -d native -c "ALTER SUBSCRIPTION native_sub ENABLE"
  local deadline=$((SECONDS + 1800))
  until [[ $(dst_psql -d native -c "SELECT count(*) FROM bench_marker WHERE id = $marker") == 1 ]]; do
    ((SECONDS < deadline)) || die "the native subscription did not apply the $name backlog in 30 min"
    sleep 0.05 # polling the target for the marker
  done
  native_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
  dst_psql -d native -c "ALTER SUBSCRIPTION native_sub DISABLE"
  t0=$(now)
  "$peerlock" sync --plan "$dir/plan.yaml" --until-caught-up >"$dir/logs/$name.peerlock" 2>&1 ||
    { tail -30 "$dir/logs/$name.peerlock" >&2; die "peerlock sync ($name backlog) failed"; }
  pl_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
  [[ $(dst_psql -d pl -c "SELECT count(*) FROM bench_marker WHERE id = $marker") == 1 ]] ||
    die "peerlock sync --until-caught-up returned before the $name backlog's marker arrived"
  echo "$name|$((txns * per))|$native_s|$pl_s"
}
backlog_seconds=${BACKLOG_SECONDS:-15}
say "apply capacity: 5-change backlog"
drain5=$(backlog backlog_w5 "$dir/w5.sql" 5 5)
say "apply capacity: 100-row backlog"
drain100=$(backlog backlog_w100 "$dir/w100.sql" 100 6)

# --- report -------------------------------------------------------------------------------------
declare -A row=()
for r in "${results[@]}"; do row[${r%%|*}]=$r; done
field() { echo "${row[$1]}" | cut -d'|' -f"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
cat <<EOF
# PeerLock sync vs PostgreSQL logical replication — $(date -u +%F)

Dataset: $ncust customers + $nord orders (../shared/bench), PostgreSQL 15, both servers on this
machine ($(nproc) cores). Workloads: pgbench -c 4 -T $duration at fixed rates.

## Initial copy + catch-up

| consumer | seconds |
|---|---:|
| peerlock sync --until-caught-up | $pl_initial |
| native subscription initial sync | $native_initial |
| **ratio peerlock / native** | **$(ratio "$pl_initial" "$native_initial")** |

## Following a workload

| workload | consumer | changes | applied changes/s | replay lag p50 ms | p99 ms | samples |
|---|---|---:|---:|---:|---:|---:|
| 5-change txns @ $rate5/s | native | $(field native_w5 2) | $(field native_w5 3) | $(field native_w5 4) | $(field native_w5 5) | $(field native_w5 6) |
| 5-change txns @ $rate5/s | peerlock | $(field peerlock_w5 2) | $(field peerlock_w5 3) | $(field peerlock_w5 4) | $(field peerlock_w5 5) | $(field peerlock_w5 6) |
| 100-row txns @ $rate100/s | native | $(field native_w100 2) | $(field native_w100 3) | $(field native_w100 4) | $(field native_w100 5) | $(field native_w100 6) |
| 100-row txns @ $rate100/s | peerlock | $(field peerlock_w100 2) | $(field peerlock_w100 3) | $(field peerlock_w100 4) | $(field peerlock_w100 5) | $(field peerlock_w100 6) |

Apply-rate ratio peerlock / native: 5-change $(ratio "$(field peerlock_w5 3)" "$(field native_w5 3)"),
100-row $(ratio "$(field peerlock_w100 3)" "$(field native_w100 3)"). "applied changes/s" counts
from the workload's start to the marker committed after it appearing on the target, so it is
capped by the offered rate; a consumer that keeps up shows the offered rate.

## Apply capacity: draining a backlog

pgbench unthrottled for $backlog_seconds s with both consumers stopped, then each consumer alone
applies the whole backlog (native: from \`ALTER SUBSCRIPTION ENABLE\`; PeerLock: the whole
\`peerlock sync --until-caught-up\` process) until the marker committed after it is on its target.

| backlog | changes | native s | native changes/s | peerlock s | peerlock changes/s | **ratio peerlock / native (rate)** |
|---|---:|---:|---:|---:|---:|---:|
$(for d in "$drain5" "$drain100"; do
  IFS='|' read -r n c ns ps <<<"$d"
  awk -v n="$n" -v c="$c" -v ns="$ns" -v ps="$ps" 'BEGIN {
    if (ns <= 0 || ps <= 0) { printf "| %s | %d | %.2f | - | %.2f | - | - |\n", n, c, ns, ps; exit }
    printf "| %s | %d | %.2f | %.0f | %.2f | %.0f | **%.2f** |\n", n, c, ns, c / ns, ps, c / ps, ns / ps }'
done)
EOF
