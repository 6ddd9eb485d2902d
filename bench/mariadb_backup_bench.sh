#!/usr/bin/env bash
# MariaDB backup benchmark (roadmap phase 8): `peerlock backup` + `peerlock restore --verify`
# against the DBA's native pair, `mariadb-dump --single-transaction` + the `mariadb` client, in
# one run on one machine, on the standard dataset (../shared/bench, built in PostgreSQL and
# carried into MariaDB by PeerLock as setup). Both backups run while a sysbench workload writes
# (5-change transactions at a fixed rate): PeerLock holds commits while its snapshot and the
# dump's open, so the report gives how long it held them and the workload's latency during each
# backup. Both restores go into a fresh empty database of the same server.
# Prints a Markdown report on stdout (progress on stderr); exits 1 when a restore differs, 2
# when it cannot run. Builds nothing: `make build` first.
#   bench/mariadb_backup_bench.sh > bench/results/mariadb_backup_bench-$(date +%F).md  # 1M rows
#   ROWS=6000000 bench/mariadb_backup_bench.sh                          # 1M customers, 5M orders
#   RATE=200 ...   the workload's transactions per second (default 200)
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

peerlock_bin=${PEERLOCK:-$root/build/peerlock}
rows=${ROWS:-1000000}
rate=${RATE:-200}
[[ $rows =~ ^[0-9]+$ && $rows -ge 600 ]] || die "ROWS must be a whole number of at least 600"
[[ $rate =~ ^[1-9][0-9]*$ ]] || die "RATE must be a positive number of transactions per second"
ncust=$((rows / 6)) # the dataset's own proportions: one customer for every five orders
nord=$((rows - ncust))
schema_sql=$shared/bench/pg_schema.sql
data_sql=$shared/bench/pg_data.sql
[[ -f "$schema_sql" && -f "$data_sql" ]] || die "the standard dataset is missing in $shared/bench"
[[ -x "$peerlock_bin" ]] || die "$peerlock_bin not found: run 'make build' first"
bench_install_deps postgresql-15 postgresql-client-15 mariadb-server mariadb-client sysbench ||
  die "could not install the packages the benchmark needs"

dir=$(mktemp -d "${TMPDIR:-/tmp}/mariadbbackupbench.XXXXXX")
chmod 755 "$dir" # run as root, the servers run as `postgres` / `mysql` and must reach it
cleanup() {
  "$root/scripts/pg-cluster" stop "$dir/pg" >/dev/null 2>&1 || true
  "$root/scripts/mariadb-server" stop "$dir/maria" >/dev/null 2>&1 || true
  if [[ -n ${KEEP:-} ]]; then say "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# A copy of the binary, so a rebuild during the run does not change what is measured.
cp "$peerlock_bin" "$dir/peerlock"
peerlock=$dir/peerlock

"$root/scripts/pg-cluster" start "$dir/pg" --owner-pid $$ >/dev/null || die "cannot start PostgreSQL"
"$root/scripts/mariadb-server" start "$dir/maria" --owner-pid $$ >/dev/null ||
  die "cannot start MariaDB (see $dir/maria/error.log)"
PG_PORT=$(<"$dir/pg/port") PG_PW=$(<"$dir/pg/password")
MARIA_PORT=$(<"$dir/maria/port") MARIA_PW=$(<"$dir/maria/password")
export PG_PW MARIA_PW
maria() { MYSQL_PWD=$MARIA_PW mariadb --no-defaults -h 127.0.0.1 -P "$MARIA_PORT" -u peerlock "$@"; }
counts() { maria -N -D "$1" -e "SELECT CONCAT((SELECT COUNT(*) FROM customers), ' ', (SELECT COUNT(*) FROM orders))"; }
maria_url() { echo "mysql://peerlock@127.0.0.1:$MARIA_PORT/$1"; }

say "building the standard dataset: $ncust customers, $nord orders; carrying it into MariaDB"
PGPASSWORD=$PG_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U peerlock -d postgres \
  -c "CREATE DATABASE bench" >/dev/null
PGPASSWORD=$PG_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U peerlock -d bench \
  -v ncust="$ncust" -v nord="$nord" -f "$schema_sql" -f "$data_sql" >/dev/null 2>&1 ||
  die "building the dataset failed"
maria -e "CREATE DATABASE bench; CREATE DATABASE native_restore; CREATE DATABASE peerlock_restore"
cat >"$dir/load.yaml" <<PLAN
source: {url: "postgresql://peerlock@127.0.0.1:$PG_PORT/bench", password_env: PG_PW}
target: {url: "$(maria_url bench)", password_env: MARIA_PW}
PLAN
"$peerlock" -q copy --plan "$dir/load.yaml" --state "$dir/load-state" >/dev/null ||
  die "carrying the dataset into MariaDB failed"
"$root/scripts/pg-cluster" stop "$dir/pg" >/dev/null # its work is done: both cores for MariaDB
expected=$(counts bench)
cat >"$dir/plan.yaml" <<PLAN
source: {url: "sqlite://$dir/unused.db"}
target: {url: "$(maria_url bench)", password_env: MARIA_PW}
PLAN

# The workload: 5 changes per transaction, at a fixed rate, until stopped. The orders it inserts
# get ids far above the dataset's, from BASE on (each run its own).
workload() { # BASE
  cat <<EOF
function thread_init(thread_id) con = sysbench.sql.driver():connect(); n = 0; tid = thread_id end
function thread_done() con:disconnect() end
function event()
  local c = sysbench.rand.uniform(1, $ncust)
  local o = sysbench.rand.uniform(1, $nord)
  n = n + 1
  con:query("BEGIN")
  con:query("UPDATE customers SET balance = balance + 1 WHERE id = " .. c)
  con:query("INSERT INTO orders VALUES (" .. ($1 + tid * 1000000000 + n) .. ", " .. c .. ", 9.99, 'new', NOW(), NULL, NULL)")
  con:query("UPDATE orders SET status = 'paid' WHERE id = " .. o)
  con:query("DELETE FROM orders WHERE id = " .. (o + 1))
  con:query("UPDATE customers SET active = NOT active WHERE id = " .. (c + 1))
  con:query("COMMIT")
end
EOF
}
# under_load NAME BASE CMD...: runs CMD while the workload writes (its ids from BASE). The
# workload's worst one-second 99th-percentile latency (ms) during CMD goes to $dir/NAME.load,
# CMD's seconds to NAME.seconds. sysbench reports every second and is stopped with SIGTERM (a background job ignores SIGINT).
under_load() {
  local name=$1 t0 wl
  workload "$2" >"$dir/$name.lua"
  shift 2
  sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MARIA_PORT" \
    --mysql-user=peerlock --mysql-password="$MARIA_PW" --mysql-db=bench \
    --mysql-ignore-errors=1213,1205 --threads=4 --rate="$rate" --time=0 --percentile=99 \
    --report-interval=1 "$dir/$name.lua" run >"$dir/$name.sysbench" 2>&1 &
  wl=$!
  t0=$(now)
  "$@"
  secs "$t0" "$(now)" >"$dir/$name.seconds"
  kill -TERM "$wl" 2>/dev/null || true
  wait "$wl" 2>/dev/null || true
  awk '/lat \(ms,99%\):/ { for (i = 1; i < NF; i++) if ($i ~ /99%\)/) v = $(i + 1) + 0;
                             if (v > worst) worst = v; n++ }
       END { if (n) printf "%.1f\n", worst; else print "-" }' "$dir/$name.sysbench" >"$dir/$name.load"
}

native_dump() {
  MYSQL_PWD=$MARIA_PW mariadb-dump --no-defaults -h 127.0.0.1 -P "$MARIA_PORT" -u peerlock \
    --single-transaction --quick --no-tablespaces --routines --events --triggers --hex-blob \
    --result-file="$dir/native.sql" bench
}
peerlock_backup() {
  "$peerlock" -v backup --plan "$dir/plan.yaml" --state "$dir/state" --out "$dir/peerlock-backup" \
    >/dev/null 2>"$dir/peerlock-backup.log"
}
say "native: mariadb-dump --single-transaction, under the workload"
under_load native 10000000000 native_dump
say "peerlock backup, under the workload"
under_load peerlock 20000000000 peerlock_backup
held=$(grep -o 'commits were held for [0-9]* ms' "$dir/peerlock-backup.log" | grep -o '[0-9]*' || echo -)
native_bytes=$(stat -c %s "$dir/native.sql")
peerlock_bytes=$(stat -c %s "$dir"/peerlock-backup/*.zst)
native_p99=$(<"$dir/native.load") peerlock_p99=$(<"$dir/peerlock.load")

say "native: mariadb < dump"
t0=$(now)
maria native_restore <"$dir/native.sql"
native_restore=$(secs "$t0" "$(now)")
say "peerlock restore --verify"
t0=$(now)
MYSQL_PWD=$MARIA_PW "$peerlock" -q restore --plan "$dir/plan.yaml" --state "$dir/state" "$dir/peerlock-backup" \
  --into "$(maria_url peerlock_restore)" --verify --json >"$dir/drill.json"
peerlock_drill=$(secs "$t0" "$(now)")
read -r restore_only verify_only check_only verified < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("%.2f %.2f %.2f %s" % (d["restore_seconds"], d["verify_seconds"], d["check_seconds"],
                             "yes" if d["restore_verified"] else "NO"))' "$dir/drill.json")
restore_total=$(awk -v a="$restore_only" -v b="$check_only" 'BEGIN { printf "%.2f", a + b }')
status=0
[[ $verified == yes && $(counts peerlock_restore) != "" && $(counts native_restore) != "" ]] || status=1

cat <<REPORT
# MariaDB backup benchmark: PeerLock against mariadb-dump / mariadb

$(date -u +%F), $(nproc) cores, MariaDB $(maria -N -e "SELECT VERSION()"),
$ncust customers + $nord orders (the standard dataset; row counts before the workload:
\`$expected\`). Both backups ran while sysbench wrote 5-change transactions at $rate/s
(4 threads); each restore went into a fresh empty database of the same server.

| | native | PeerLock | PeerLock / native |
|---|---|---|---|
| backup, seconds | $(cat "$dir/native.seconds") (\`mariadb-dump --single-transaction\`) | $(cat "$dir/peerlock.seconds") (\`peerlock backup\`: the same dump, commits held while it and PeerLock's snapshot open, zstd, digests) | $(ratio "$(cat "$dir/peerlock.seconds")" "$(cat "$dir/native.seconds")") |
| backup, bytes | $native_bytes (plain SQL) | $peerlock_bytes (zstd level 3) | $(ratio "$peerlock_bytes" "$native_bytes") |
| workload during the backup: worst one-second p99 latency, ms | $native_p99 | $peerlock_p99 (commits held $held ms) | |
| restore, seconds | $native_restore (\`mariadb < dump\`) | $restore_total (unpack and SHA-256 $check_only + \`mariadb\` $restore_only) | $(ratio "$restore_total" "$native_restore") |
| restore drill, seconds | — (nothing verified) | $peerlock_drill in all: unpack + check, restore, verify $verify_only s | |

Row counts (customers orders) restored: native \`$(counts native_restore)\` (its own
snapshot), PeerLock \`$(counts peerlock_restore)\`; PeerLock's verify of every table's count
and digest against the manifest, read in PeerLock's snapshot: $verified.
REPORT
exit $status
