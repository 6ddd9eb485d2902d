#!/usr/bin/env bash
# Cutover benchmark (issue 6): PostgreSQL -> PostgreSQL, `peerlock cutover` through `peerlock
# proxy` against a DBA's scripted switchover over native logical replication, in one run on one
# machine, on the standard dataset (../shared/bench) with the same application writing
# hundreds of transactions per second (bench/cutover_writer.cc) through each.
#   PeerLock: sync streaming, proxy in front of the source, `peerlock cutover --json`.
#   native:   CREATE SUBSCRIPTION; then ALTER DATABASE ... SET default_transaction_read_only=on
#             + pg_terminate_backend of the application's sessions, wait until the subscriber's
#             flushed LSN reaches the source's pg_current_wal_lsn(), setval of every sequence on
#             the target, disable the subscription, point the client at the target.
# Measures the freeze (first write refused until first write accepted on the new side) with
# each step's time, the application's own write gap, and checks that every write the
# application saw acknowledged is on the target afterwards. Fresh clusters for each tool.
# Prints a Markdown report on stdout (progress on stderr); exits 1 when a write was lost or a
# cutover failed (the report still printed), 2 when it cannot run. Builds nothing: `make build`.
#   bench/cutover_bench.sh > bench/results/cutover_bench-$(date +%F).md   # 1M rows
#   ROWS=5000000 bench/cutover_bench.sh                                   # 5M rows
#   ROWS=20000 WARMUP_SECONDS=3 bench/cutover_bench.sh                    # a quick run
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

peerlock_bin=${PEERLOCK:-$root/build/peerlock}
writer_bin=${CUTOVER_WRITER:-$root/build/cutover_writer}
rows=${ROWS:-1000000}
rate=${RATE:-400}
threads=${THREADS:-4}
warmup=${WARMUP_SECONDS:-10}
after=${AFTER_SECONDS:-5}
target_freeze=2 # issue 6: measured freeze under 2 s
[[ $rows =~ ^[0-9]+$ && $rows -ge 600 ]] || die "ROWS must be a whole number of at least 600"
[[ $rate =~ ^[0-9]+$ && $rate -gt 0 && $threads =~ ^[0-9]+$ && $threads -gt 0 ]] ||
  die "RATE and THREADS must be positive whole numbers"
# The dataset's own proportions: one customer for every five orders.
ncust=$((rows / 6))
nord=$((rows - ncust))
schema_sql=$shared/bench/pg_schema.sql
data_sql=$shared/bench/pg_data.sql
[[ -f "$schema_sql" && -f "$data_sql" ]] || die "the standard dataset is missing in $shared/bench"
[[ -x "$peerlock_bin" ]] || die "$peerlock_bin not found: run 'make build' first"
[[ -x "$writer_bin" ]] || die "$writer_bin not found: run 'make build' first"
bench_install_deps postgresql-15 postgresql-client-15 python3 ||
  die "could not install the packages the benchmark needs"
# The binaries themselves: Debian's perl wrapper in /usr/bin costs ~30 ms a call, which the
# native switchover (a psql per step) would pay inside its freeze.
pg_bin=/usr/lib/postgresql/15/bin

dir=$(mktemp -d "${TMPDIR:-/tmp}/cutoverbench.XXXXXX")
chmod 755 "$dir"
pids=()     # background processes of ours, stopped on exit
clusters=() # cluster directories, stopped on exit
cleanup() {
  local pid c
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for c in "${clusters[@]}"; do "$root/scripts/pg-cluster" stop "$c" >/dev/null 2>&1 || true; done
  if [[ -n ${KEEP:-} ]]; then say "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$peerlock_bin" "$dir/peerlock"
cp "$writer_bin" "$dir/cutover_writer"
peerlock=$dir/peerlock
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
APP_PW=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds, or dies after SECONDS.
wait_until() {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s) + limit))
  until "$@"; do
    (($(date +%s) < deadline)) || die "timed out after ${limit}s waiting for $what"
    sleep 0.1 # the polling period; the condition decides
  done
}

declare -A port=() pw=()
start_cluster() {
  local name=$1
  "$root/scripts/pg-cluster" start "$dir/$name" --owner-pid $$ >/dev/null || die "cluster $name"
  clusters+=("$dir/$name")
  port[$name]=$(<"$dir/$name/port")
  pw[$name]=$(<"$dir/$name/password")
  on "$name" postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" \
    -c "CREATE ROLE app LOGIN PASSWORD '$APP_PW'" >/dev/null
}
# on CLUSTER DB ARGS...: psql as the superuser.
on() {
  local name=$1 db=$2
  shift 2
  PGPASSWORD=${pw[$name]} PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port[$name]}" \
    -U peerlock -d "$db" "$@"
}
grant_app() {
  on "$1" bench -c "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO app" \
    -c "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO app"
}
# The dataset, and the application's table: its id comes from the table's identity, so a
# target whose sequence was not carried over hands out ids already taken (duplicate key).
load_source() {
  local name=$1
  say "$name: loading $ncust customers and $nord orders"
  on "$name" postgres -c "CREATE DATABASE bench"
  on "$name" bench -f "$schema_sql" >/dev/null
  on "$name" bench -v ncust="$ncust" -v nord="$nord" -f "$data_sql" >/dev/null
  on "$name" bench -c "CREATE TABLE cutover_acks (
      id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, writer int NOT NULL,
      n bigint NOT NULL, touched int NOT NULL, at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (writer, n))" -c "ANALYZE" -c "CHECKPOINT"
  grant_app "$name"
}
endpoint() { # the application's connection, without the password (PGPASSWORD)
  echo "host=127.0.0.1 port=$1 dbname=bench user=app" >"$dir/endpoint.new"
  mv "$dir/endpoint.new" "$dir/endpoint" # atomic: a reconnecting session reads all or nothing
}
writer_pid=
start_writer() {
  PGPASSWORD=$APP_PW "$dir/cutover_writer" "$dir/endpoint" "$rate" "$threads" "$ncust" \
    >"$dir/$1.acks" 2>"$dir/$1.writer.log" &
  writer_pid=$!
  pids+=("$writer_pid")
}
forget() { # a process we have waited for: its pid may be reused, never signal it again
  local keep=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  pids=("${keep[@]}")
}
stop_writer() {
  kill -TERM "$writer_pid"
  wait "$writer_pid" || die "the writer failed: $(tail -5 "$dir/$1.writer.log")"
  forget "$writer_pid"
}
# warm_up NAME CLUSTER HOW: starts the writer; returns once CLUSTER acknowledged WARMUP_SECONDS
# worth of its writes.
warm_up() {
  say "writer: $rate transactions/s on $threads sessions $3"
  start_writer "$1"
  wait_until $((warmup * 4 + 60)) "$((rate * warmup)) acknowledged writes on $2" \
    has_acks "$1" "${port[$2]}" $((rate * warmup))
}
# keep_writing NAME CLUSTER: until the new side acknowledged AFTER_SECONDS worth of writes.
keep_writing() {
  wait_until $((after * 4 + 60)) "writes acknowledged by $2" has_acks "$1" "${port[$2]}" \
    $((rate * after))
}
acked_on() { awk -v p="$2" '$1 == "A" && $6 == p { n++ } END { print n + 0 }' "$dir/$1.acks"; }
has_acks() { (($(acked_on "$1" "$2") >= $3)); }
check_acks() { # NAME TARGET_CLUSTER SOURCE_PORT [FREEZE_START] -> key=value lines
  local name=$1 tgt=$2
  on "$tgt" bench -F ' ' -c "SELECT writer, n, id FROM cutover_acks" >"$dir/$name.rows"
  python3 "$root/bench/lib/cutover_acks.py" "$dir/$name.acks" "$dir/$name.rows" "$3" \
    "${port[$tgt]}" ${4:+"$4"} >"$dir/$name.check"
}
val() { awk -F= -v k="$2" '$1 == k { print $2 }' "$dir/$1.check"; }
load() { cut -d' ' -f1 /proc/loadavg; }
failures=()

# --- PeerLock --------------------------------------------------------------------------------
start_cluster src
start_cluster dst
load_source src
on dst postgres -c "CREATE DATABASE bench" # the same name: the proxy's clients name it
cat >"$dir/plan.yaml" <<EOF
source: {url: "postgresql://peerlock@127.0.0.1:${port[src]}/bench", password_env: SRC_PW}
target: {url: "postgresql://peerlock@127.0.0.1:${port[dst]}/bench", password_env: DST_PW}
copy: {workers: 2, chunk_rows: 100000}
proxy: {listen: "127.0.0.1:0", hold_timeout: 30s, grace: 1s}
objectives: {max_downtime: ${target_freeze}s, max_lag: 5s}
EOF
export SRC_PW=${pw[src]} DST_PW=${pw[dst]}

say "peerlock sync: copy, then streaming"
t0=$(now)
"$peerlock" sync --plan "$dir/plan.yaml" >"$dir/sync.log" 2>&1 &
sync_pid=$!
pids+=("$sync_pid")
streaming() {
  kill -0 "$sync_pid" 2>/dev/null || die "peerlock sync stopped: $(tail -20 "$dir/sync.log")"
  "$peerlock" sync --plan "$dir/plan.yaml" --status --json 2>/dev/null |
    grep -q '"phase": "streaming"'
}
wait_until 3600 "peerlock sync to stream" streaming
sync_copy=$(secs "$t0" "$(now)")
grant_app dst

"$peerlock" proxy --plan "$dir/plan.yaml" >"$dir/proxy.log" 2>&1 &
pids+=("$!")
proxy_port() { sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/proxy.log" | head -1; }
proxy_up() { [[ -n $(proxy_port) ]]; }
wait_until 60 "peerlock proxy to listen" proxy_up
endpoint "$(proxy_port)"

warm_up pl src "through the proxy"
pl_load=$(load)
say "peerlock cutover (load $pl_load)"
pl_rc=0
"$peerlock" cutover --plan "$dir/plan.yaml" --json --max-freeze 30s >"$dir/cutover.json" \
  2>"$dir/cutover.err" || pl_rc=$?
if ((pl_rc == 0)); then
  keep_writing pl dst
else
  failures+=("peerlock cutover exited $pl_rc: $(tail -3 "$dir/cutover.err" | tr '\n' ' ')")
fi
stop_writer pl
# The drained sync stops by itself ("stopped: drained"); give it a minute.
sync_rc=0
for _ in $(seq 600); do kill -0 "$sync_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$sync_pid" 2>/dev/null; then
  failures+=("peerlock sync still running a minute after the cutover's drain")
else
  wait "$sync_pid" || sync_rc=$?
  forget "$sync_pid"
  ((sync_rc == 0)) || failures+=("peerlock sync exited $sync_rc: $(tail -3 "$dir/sync.log" | tr '\n' ' ')")
fi
check_acks pl dst "${port[src]}"
pl_steps=$(python3 - "$dir/cutover.json" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"| (no JSON: {e}) | | |"); sys.exit()
for step in s.get("steps", []):
    note = step.get("note", "").replace("|", "/")
    print(f"| {step['step']} | {step['seconds']:.3f} | {note} |")
print(f"__freeze={s.get('freeze_seconds', '')}")
print(f"__outcome={s.get('outcome', '')}" + (f": {s['reason']}" if s.get("reason") else ""))
PY
)
pl_freeze=$(sed -n 's/^__freeze=//p' <<<"$pl_steps")
pl_outcome=$(sed -n 's/^__outcome=//p' <<<"$pl_steps")
pl_steps=$(grep -v '^__' <<<"$pl_steps")
[[ -n $pl_freeze ]] && pl_freeze=$(printf '%.3f' "$pl_freeze")
for c in src dst; do "$root/scripts/pg-cluster" stop "$dir/$c" >/dev/null; done

# --- native logical replication + a scripted switchover ----------------------------------------
start_cluster nsrc
start_cluster ndst
load_source nsrc
on ndst postgres -c "CREATE DATABASE bench"
PGPASSWORD=${pw[nsrc]} "$pg_bin/pg_dump" -h 127.0.0.1 -p "${port[nsrc]}" -U peerlock -d bench \
  --schema-only --no-owner --no-acl >"$dir/schema.sql"
on ndst bench -f "$dir/schema.sql" >/dev/null
say "native subscription: initial sync"
on nsrc bench -c "CREATE PUBLICATION cutover_pub FOR ALL TABLES"
t0=$(now)
on ndst bench -c "CREATE SUBSCRIPTION native_sub CONNECTION 'host=127.0.0.1 port=${port[nsrc]} user=peerlock password=${pw[nsrc]} dbname=bench' PUBLICATION cutover_pub" 2>/dev/null
subscribed() { [[ $(on ndst bench -c "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'") == 0 ]]; }
wait_until 3600 "the subscription's initial sync" subscribed
native_copy=$(secs "$t0" "$(now)")
grant_app ndst

endpoint "${port[nsrc]}"
warm_up native nsrc "straight to the source"
native_load=$(load)
say "native switchover (load $native_load)"
n0=$(now)
on nsrc bench -c "ALTER DATABASE bench SET default_transaction_read_only = on" \
  -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'bench' AND usename = 'app'" >/dev/null
n1=$(now)
lsn=$(on nsrc bench -c "SELECT pg_current_wal_lsn()")
drained() {
  [[ $(on nsrc bench -c "SELECT coalesce(bool_and(flush_lsn >= '$lsn'), false) FROM pg_stat_replication WHERE application_name = 'native_sub'") == t ]]
}
wait_until 60 "the subscription to reach $lsn" drained
n2=$(now)
on nsrc bench -c "SELECT format('SELECT setval(%L, %s, %s);', quote_ident(schemaname) || '.' || quote_ident(sequencename), coalesce(last_value, start_value), CASE WHEN last_value IS NULL THEN 'false' ELSE 'true' END) FROM pg_sequences" |
  on ndst bench >/dev/null
n3=$(now)
on ndst bench -c "ALTER SUBSCRIPTION native_sub DISABLE"
endpoint "${port[ndst]}"
n4=$(now)
wait_until 60 "a write acknowledged by the native target" has_acks native "${port[ndst]}" 1
keep_writing native ndst
stop_writer native
check_acks native ndst "${port[nsrc]}" "$n0"
native_freeze=$(val native first_target_after_freeze)
first_native=$(val native first_target_ack)

# --- report ----------------------------------------------------------------------------------
for name in pl native; do
  [[ $(val $name missing) == 0 && $(val $name id_mismatch) == 0 ]] ||
    failures+=("$name: $(val $name missing) acknowledged writes missing on the target, $(val $name id_mismatch) with another id (e.g. $(val $name sample_missing))")
  [[ $(val $name duplicate_key) == 0 ]] ||
    failures+=("$name: $(val $name duplicate_key) duplicate keys on the target (sequence not carried)")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "-" }'; }
met() { awk -v a="$1" -v t="$target_freeze" 'BEGIN { if (a == "") print "-"; else if (a < t) print "met"; else print "NOT met" }'; }
row() { # LABEL KEY: one line of the client table
  echo "| $1 | $(val pl "$2") | $(val native "$2") |"
}
if ((${#failures[@]})); then
  echo "**FAILED:**"
  for f in "${failures[@]}"; do echo "- $f"; done
  echo
fi
cat <<EOF
# Cutover: PeerLock against a scripted native switchover — $(date -u +%F)

PostgreSQL 15 → PostgreSQL 15, dataset ../shared/bench at $ncust customers + $nord orders
($rows rows) plus the application's table, every server on this machine ($(nproc) cores,
shared with other work: load average $pl_load at PeerLock's cutover, $native_load at the native
one). Application: bench/cutover_writer, $threads sessions, $rate transactions/s in all, each
one autocommit statement (update a random customer + insert a row whose id comes from an
identity), reconnecting after any error. Fresh clusters for each tool.

| | PeerLock | native |
|---|---:|---:|
| **measured freeze** (first write refused → first write accepted on the new side), s | **${pl_freeze:--}** | **${native_freeze:--}** |
| issue 6 target: under ${target_freeze} s | $(met "$pl_freeze") | $(met "$native_freeze") |
| **ratio PeerLock / native** | **$(ratio "$pl_freeze" "$native_freeze")** | |
| application's write gap (last ack by the source → first ack by the target), s | $(val pl write_gap) | $(val native write_gap) |
| ratio of the write gaps | $(ratio "$(val pl write_gap)" "$(val native write_gap)") | |
| initial copy until streaming, s | $sync_copy | $native_copy |

PeerLock's freeze is the one \`peerlock cutover\` measures and prints (freeze start until the
proxy forwards to the target; outcome: $pl_outcome). The native freeze is timed by the script
the same way: from just before \`ALTER DATABASE ... default_transaction_read_only\` until the
writer's first write acknowledged by the target (from its own log). The write gap is the same
figure for both, read from the writer's log alone.

## PeerLock: \`peerlock cutover --json\` steps

| step | s | note |
|---|---:|---|
$pl_steps

## Native: the scripted switchover

| step | s |
|---|---:|
| freeze: ALTER DATABASE ... SET default_transaction_read_only = on; pg_terminate_backend(app sessions) | $(secs "$n0" "$n1") |
| drain: until pg_stat_replication.flush_lsn of the subscription ≥ pg_current_wal_lsn() | $(secs "$n1" "$n2") |
| sequences: setval on the target of every sequence, from pg_sequences of the source | $(secs "$n2" "$n3") |
| switch: ALTER SUBSCRIPTION ... DISABLE; the client's endpoint rewritten to the target | $(secs "$n3" "$n4") |
| until the first write acknowledged by the target | $(secs "$n4" "$first_native") |

## Lost writes

Every write the application saw acknowledged (by either side), looked up by its key
(writer, n) in the target after the run, with the id the server had returned.

| | PeerLock | native |
|---|---:|---:|
$(row "acknowledged writes" acked)
$(row "… by the source" acked_source)
$(row "… by the target" acked_target)
$(row "**missing on the target**" missing)
$(row "**on the target with another id**" id_mismatch)
$(row "on the target but never acknowledged (session ended between commit and answer)" unacked_present)
$(row "refused attempts" errors)
$(row "… read-only transaction" refused_readonly)
$(row "… session ended by the server" ended)
$(row "… could not connect" connect_failed)
$(row "… duplicate key (a sequence not carried)" duplicate_key)
$(row "longest pause between acks before the switch, s" max_gap_before)
$(row "longest pause between acks after the switch, s" max_gap_after)
EOF
((${#failures[@]} == 0)) || exit 1
