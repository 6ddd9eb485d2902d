#!/usr/bin/env bash
# Backup benchmark (roadmap phase 8): `peerlock backup` + `peerlock restore --verify` against
# the DBA's native pair, `pg_dump -Fc` + `pg_restore -j2`, in one run on one machine, on the
# standard dataset (../shared/bench). Both restore into a fresh empty database of the same
# cluster. Reports time and size of each backup, time of each restore, the ratio PeerLock /
# native, and checks both restored databases hold the source's row counts. PeerLock's restore
# time is given without and with its verification (every table's count and digest against the
# manifest), which the native pair does not do.
# Prints a Markdown report on stdout (progress on stderr); exits 1 when a restore differs, 2
# when it cannot run. Builds nothing: `make build` first.
#   bench/backup_bench.sh > bench/results/backup_bench-$(date +%F).md   # 1M rows
#   ROWS=6000000 bench/backup_bench.sh                                 # 1M customers, 5M orders
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

peerlock=${PEERLOCK:-$root/build/peerlock}
rows=${ROWS:-1000000}
[[ $rows =~ ^[0-9]+$ && $rows -ge 600 ]] || die "ROWS must be a whole number of at least 600"
ncust=$((rows / 6)) # the dataset's own proportions: one customer for every five orders
nord=$((rows - ncust))
schema_sql=$shared/bench/pg_schema.sql
data_sql=$shared/bench/pg_data.sql
[[ -f "$schema_sql" && -f "$data_sql" ]] || die "the standard dataset is missing in $shared/bench"
[[ -x "$peerlock" ]] || die "$peerlock not found: run 'make build' first"
bench_install_deps postgresql-15 postgresql-client-15 ||
  die "could not install the packages the benchmark needs"
pg_bin=/usr/lib/postgresql/15/bin

dir=$(mktemp -d "${TMPDIR:-/tmp}/backupbench.XXXXXX")
chmod 755 "$dir"
cleanup() {
  "$root/scripts/pg-cluster" stop "$dir/pg" >/dev/null 2>&1 || true
  if [[ -n ${KEEP:-} ]]; then say "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

"$root/scripts/pg-cluster" start "$dir/pg" --owner-pid $$ >/dev/null || die "cannot start a cluster"
port=$(<"$dir/pg/port")
export PGPASSWORD
PGPASSWORD=$(<"$dir/pg/password")
on() {
  local db=$1
  shift
  PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U peerlock -d "$db" "$@"
}
counts() { on "$1" -c "SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders)"; }

say "loading $ncust customers and $nord orders"
on postgres -c "CREATE DATABASE bench" -c "CREATE DATABASE native_restore" \
  -c "CREATE DATABASE peerlock_restore"
on bench -f "$schema_sql" >/dev/null
on bench -v ncust="$ncust" -v nord="$nord" -f "$data_sql" >/dev/null
on bench -c "CHECKPOINT"
expected=$(counts bench)
url() { echo "postgresql://peerlock@127.0.0.1:$port/$1"; }
cat >"$dir/plan.yaml" <<PLAN
source: {url: "sqlite://$dir/unused.db"}
target: {url: "$(url bench)", password_env: PGPASSWORD}
PLAN

say "native: pg_dump -Fc"
t0=$(now)
"$pg_bin/pg_dump" -Fc -h 127.0.0.1 -p "$port" -U peerlock -d bench -f "$dir/native.dump"
native_backup=$(secs "$t0" "$(now)")
native_bytes=$(stat -c %s "$dir/native.dump")
say "native: pg_restore -j2"
t0=$(now)
"$pg_bin/pg_restore" -j2 --no-owner --no-privileges --exit-on-error -h 127.0.0.1 -p "$port" \
  -U peerlock -d native_restore "$dir/native.dump"
native_restore=$(secs "$t0" "$(now)")

say "peerlock backup"
t0=$(now)
"$peerlock" -q backup --plan "$dir/plan.yaml" --out "$dir/peerlock-backup" >/dev/null
peerlock_backup=$(secs "$t0" "$(now)")
peerlock_bytes=$(stat -c %s "$dir"/peerlock-backup/*.zst)
say "peerlock restore --verify"
t0=$(now)
"$peerlock" -q restore --plan "$dir/plan.yaml" "$dir/peerlock-backup" --into "$(url peerlock_restore)" \
  --verify --json >"$dir/drill.json"
peerlock_drill=$(secs "$t0" "$(now)")
read -r restore_only verify_only check_only verified < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("%.2f %.2f %.2f %s" % (d["restore_seconds"], d["verify_seconds"], d["check_seconds"],
                             "yes" if d["restore_verified"] else "NO"))' "$dir/drill.json")

restore_total=$(awk -v a="$restore_only" -v b="$check_only" 'BEGIN { printf "%.2f", a + b }')
native_counts=$(counts native_restore)
peerlock_counts=$(counts peerlock_restore)
status=0
[[ $native_counts == "$expected" && $peerlock_counts == "$expected" && $verified == yes ]] || status=1

cat <<REPORT
# Backup benchmark: PeerLock against pg_dump -Fc / pg_restore -j2

$(date -u +%F), $(nproc) cores, PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'),
$ncust customers + $nord orders (the standard dataset, $(on bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")).
One cluster; each restore goes into a fresh empty database of it.

| | native | PeerLock | PeerLock / native |
|---|---|---|---|
| backup, seconds | $native_backup (\`pg_dump -Fc\`) | $peerlock_backup (\`peerlock backup\`: \`pg_dump -Fc -Z0\` in an exported snapshot, zstd, digests) | $(ratio "$peerlock_backup" "$native_backup") |
| backup, bytes | $native_bytes (gzip level 6) | $peerlock_bytes (zstd level 3) | $(ratio "$peerlock_bytes" "$native_bytes") |
| restore, seconds | $native_restore (\`pg_restore -j2\`) | $restore_total (unpack and SHA-256 $check_only + \`pg_restore -j2\` $restore_only) | $(ratio "$restore_total" "$native_restore") |
| restore drill, seconds | — (nothing verified) | $peerlock_drill in all: unpack + check, restore, verify $verify_only s | |

Row counts (customers orders): source \`$expected\`, native restore \`$native_counts\`,
PeerLock restore \`$peerlock_counts\`; PeerLock's verify of every table's digest: $verified.
REPORT
exit $status
