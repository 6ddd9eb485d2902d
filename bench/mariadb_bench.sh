#!/usr/bin/env bash
# MariaDB -> PostgreSQL benchmark: `peerlock copy` against pgloader on the standard dataset
# (../shared/bench), in one run on one machine, then `peerlock verify` of PeerLock's copy.
# Builds nothing: run `make build` first. Prints a Markdown report on stdout (progress and
# failures on stderr). See bench/README.md.
#   bench/mariadb_bench.sh > bench/results/mariadb_bench-$(date +%F).md   # 1M customers + 5M orders
#   NCUST=20000 NORD=100000 bench/mariadb_bench.sh                        # a quick run
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=bench/lib/measure.sh
source "$root/bench/lib/measure.sh"
# shellcheck source=bench/lib/dataset.sh
source "$root/bench/lib/dataset.sh"

peerlock_bin=${PEERLOCK:-$root/build/peerlock}
bench_dataset_settings
peer_timeout=${PEER_TIMEOUT:-1800}
[[ "$peer_timeout" =~ ^[1-9][0-9]*$ ]] || die "PEER_TIMEOUT must be a positive number of seconds, got '$peer_timeout'"
[[ -x "$peerlock_bin" ]] || die "$peerlock_bin not found: run 'make build' first"

bench_install_deps postgresql-15 postgresql-client-15 mariadb-server mariadb-client pgloader time ||
  die "could not install the packages the benchmark needs"
for tool in psql pgloader mariadb mariadbd; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || die "$tool not found after installing its package"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (package time)"

# --- the work directory, the servers and the cleanup ---------------------------------------
dir=$(mktemp -d "${TMPDIR:-/tmp}/mariadbbench.XXXXXX")
chmod 755 "$dir" # run as root, the servers run as `postgres` / `mysql` and must reach their directories
mkdir "$dir/logs"
cleanup() {
  "$root/scripts/pg-cluster" stop "$dir/pgsrc" >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster" stop "$dir/dst" >/dev/null 2>&1 || true
  "$root/scripts/mariadb-server" stop "$dir/maria" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so the EXIT trap stops the servers on Ctrl-C too

private_peerlock "$peerlock_bin"

say "starting the PostgreSQL (dataset, target) and MariaDB servers"
# --owner-pid: the servers also go away if this script is killed with SIGKILL. Durable settings
# (no --fast) everywhere: the figures are meant to be those of a real server.
"$root/scripts/pg-cluster" start "$dir/pgsrc" --owner-pid $$ >/dev/null ||
  die "could not start the PostgreSQL cluster that builds the dataset"
"$root/scripts/pg-cluster" start "$dir/dst" --owner-pid $$ >/dev/null ||
  die "could not start the target PostgreSQL cluster"
"$root/scripts/mariadb-server" start "$dir/maria" --owner-pid $$ >/dev/null ||
  die "could not start the MariaDB server (see $dir/maria/error.log)"
PGSRC_PORT=$(<"$dir/pgsrc/port") DST_PORT=$(<"$dir/dst/port") MARIA_PORT=$(<"$dir/maria/port")
# The plans name these variables (password_env); psql and mariadb get them per command.
# pgloader only takes a MySQL password inside its URL: the report is scrubbed of it.
PGSRC_PW=$(<"$dir/pgsrc/password") DST_PW=$(<"$dir/dst/password") MARIA_PW=$(<"$dir/maria/password")
export PGSRC_PORT DST_PORT MARIA_PORT PGSRC_PW DST_PW MARIA_PW
bench_secrets=("$PGSRC_PW" "$DST_PW" "$MARIA_PW")
pgsrc_url=postgresql://peerlock@127.0.0.1:$PGSRC_PORT/bench
dst_base=postgresql://peerlock@127.0.0.1:$DST_PORT
maria_url=mysql://peerlock@127.0.0.1:$MARIA_PORT/bench

pgsrc_psql() { PGPASSWORD=$PGSRC_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGSRC_PORT" -U peerlock "$@"; }
dst_psql() { PGPASSWORD=$DST_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DST_PORT" -U peerlock "$@"; }
maria_sql() { MYSQL_PWD=$MARIA_PW mariadb --no-defaults -h 127.0.0.1 -P "$MARIA_PORT" -u peerlock --batch --skip-column-names "$@"; }

for side in pgsrc dst; do # see pg_bench.sh: no background vacuum inside another step's timing
  "${side}_psql" -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
done

settle() { # before every timed step: flush what the previous step left dirty
  pgsrc_psql -d postgres -c CHECKPOINT
  dst_psql -d postgres -c CHECKPOINT
  maria_sql -e "FLUSH TABLES" >/dev/null
  sync
}

fresh_db() { dst_psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\""; }
drop_db() { dst_psql -d postgres -c "DROP DATABASE IF EXISTS \"$1\""; }

# --- checks --------------------------------------------------------------------------------
# Row counts "customers orders" of target database $1, tables in schema $2 ("- -" if unreadable).
dst_counts() {
  dst_psql -d "$1" -At -c "SELECT (SELECT count(*) FROM \"$2\".customers) || ' ' || (SELECT count(*) FROM \"$2\".orders)" 2>/dev/null ||
    echo "- -"
}
maria_counts() {
  maria_sql bench -e "SELECT CONCAT((SELECT count(*) FROM customers), ' ', (SELECT count(*) FROM orders))" 2>/dev/null ||
    echo "- -"
}
counts_equal() { [[ "$(dst_counts "$1" "$2")" == "$src_ncust $src_nord" ]]; }
# The target's index and foreign-key counts for the two tables, as "N indexes, M foreign keys".
dst_keys() {
  dst_psql -d "$1" -At -c "SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = '$2'
      AND tablename IN ('customers', 'orders')) || ' indexes, '
    || (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = '$2' AND c.contype = 'f') || ' foreign keys'" 2>/dev/null || echo "-"
}
# Column types of the target's two tables, "table.column type" joined by ", ".
dst_types() {
  dst_psql -d "$1" -At -c "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ', '
      ORDER BY table_name, ordinal_position) FROM information_schema.columns
      WHERE table_schema = '$2' AND table_name IN ('customers', 'orders')" 2>/dev/null || echo "-"
}

write_plan() { # NAME SOURCE_URL SOURCE_PW_ENV TARGET_URL TARGET_PW_ENV
  mkdir -p "$dir/$1"
  {
    echo "source: {url: \"$2\", password_env: $3}"
    echo "target: {url: \"$4\", password_env: $5}"
    echo "copy: {workers: $jobs, chunk_rows: $chunk_rows}"
  } >"$dir/$1/plan.yaml"
}

# --- the dataset: built in PostgreSQL, carried into MariaDB by PeerLock (setup) ------------
say "building the standard dataset: $ncust customers, $nord orders"
pgsrc_psql -d postgres -c "CREATE DATABASE bench"
gen_start=$(date +%s.%N)
pgsrc_psql -d bench -v ncust="$ncust" -v nord="$nord" -f "$schema_sql" -f "$data_sql" \
  >"$dir/logs/dataset.log" 2>&1 || { tail -n 30 "$dir/logs/dataset.log" >&2; die "building the dataset failed"; }
gen_seconds=$(awk -v s="$gen_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
read -r src_ncust src_nord < <(pgsrc_psql -d bench -At -c \
  "SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders)")
rows=$((src_ncust + src_nord))

maria_sql -e "CREATE DATABASE bench"
write_plan pl_tomaria "$pgsrc_url" PGSRC_PW "$maria_url" MARIA_PW
timed peerlock_to_maria "$peerlock" copy --plan "$dir/pl_tomaria/plan.yaml"
check "peerlock_to_maria: exited 0" ok peerlock_to_maria
check "peerlock_to_maria: MariaDB row counts equal the dataset's ($(maria_counts))" \
  test "$(maria_counts)" == "$src_ncust $src_nord"
# PeerLock makes MariaDB tables with the NO PAD binary collation (utf8mb4_nopad_bin, id 1070),
# which pgloader 3.6.9's MySQL driver does not know: it stops in its debugger. The source gets
# the server's default collation instead, as a database made by an application would have.
maria_sql bench -e "ALTER TABLE customers CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
  ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" ||
  die "could not give the MariaDB tables the server's default collation"
# The dataset's server is not needed any more: stop it, so it takes no memory or CPU from the
# timed steps.
"$root/scripts/pg-cluster" stop "$dir/pgsrc" >/dev/null
pgsrc_psql() { :; } # settle has nothing to checkpoint there now
maria_size=$(maria_sql -e "SELECT CONCAT(ROUND(SUM(data_length + index_length) / 1048576), ' MB')
  FROM information_schema.tables WHERE table_schema = 'bench'")
maria_types=$(maria_sql -e "SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name, ' ', column_type)
  ORDER BY table_name, ordinal_position SEPARATOR ', ') FROM information_schema.columns
  WHERE table_schema = 'bench' AND table_name IN ('customers', 'orders')")
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- MariaDB -> PostgreSQL -----------------------------------------------------------------
# pgloader twice: with its defaults, as a user would start (at full scale it runs out of its
# 1 GB Lisp heap on this dataset), then with a command file that bounds its batches, which
# finishes: the peer PeerLock is compared with. Only the second must succeed.
fresh_db pgloader
timed pgloader_defaults env PGPASSWORD="$DST_PW" timeout "$peer_timeout" pgloader \
  --root-dir "$dir/pgloader-work" "mysql://peerlock:$MARIA_PW@127.0.0.1:$MARIA_PORT/bench" \
  "$dst_base/pgloader"
defaults_outcome="finished ($(dst_counts pgloader bench | tr " " "+") rows)"
if ! ok pgloader_defaults; then
  defaults_outcome="failed (exit ${status[pgloader_defaults]})"
  grep -q "Heap exhausted" "$dir/logs/pgloader_defaults.log" &&
    defaults_outcome+=": heap exhausted"
fi
drop_db pgloader

fresh_db pgloader
(umask 077 && cat >"$dir/pgloader.load" <<LOAD
LOAD DATABASE
  FROM mysql://peerlock:$MARIA_PW@127.0.0.1:$MARIA_PORT/bench
  INTO $dst_base/pgloader
WITH workers = $jobs, concurrency = 1, prefetch rows = 10000, batch rows = 10000,
     rows per range = 50000;
LOAD
)
# timeout: pgloader waits in its debugger, forever, on some errors.
timed pgloader env PGPASSWORD="$DST_PW" timeout "$peer_timeout" pgloader \
  --root-dir "$dir/pgloader-work" "$dir/pgloader.load"
# pgloader puts a MySQL database's tables into a schema named after it.
check "pgloader: exited 0" ok pgloader
check "pgloader: target row counts equal the source's ($(dst_counts pgloader bench))" counts_equal pgloader bench
pgloader_keys=$(dst_keys pgloader bench)
pgloader_types=$(dst_types pgloader bench)
drop_db pgloader

fresh_db peerlock
write_plan pl_maria "$maria_url" MARIA_PW "$dst_base/peerlock" DST_PW
timed peerlock_copy "$peerlock" copy --plan "$dir/pl_maria/plan.yaml"
check "peerlock_copy: exited 0" ok peerlock_copy
check "peerlock_copy: target row counts equal the source's ($(dst_counts peerlock public))" counts_equal peerlock public
peerlock_keys=$(dst_keys peerlock public)
peerlock_types=$(dst_types peerlock public)
timed peerlock_verify "$peerlock" verify --plan "$dir/pl_maria/plan.yaml" --workers "$jobs"
check "peerlock_verify: MariaDB -> PostgreSQL copy verified equal, every row's canonical digest (exit 0)" \
  ok peerlock_verify
drop_db peerlock
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ----------------------------------------------------------------------------
peak_of peerlock_copy peerlock_verify
report=$dir/report.md
{
  echo "# PeerLock MariaDB → PostgreSQL benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- dataset: the standard one (\`../shared/bench\`), $src_ncust customers + $src_nord orders =" \
    "$rows rows, built in PostgreSQL in ${gen_seconds} s and carried into MariaDB by \`peerlock copy\`" \
    "(setup, not compared); $maria_size in MariaDB"
  echo "- machine: $(machine_line); load average (1/5/15 min) $load_start at the start, $load_end at the end"
  echo "- MariaDB $(maria_sql -e 'SELECT VERSION()') from \`scripts/mariadb-server\` and PostgreSQL" \
    "$(dst_psql -d postgres -At -c 'SHOW server_version' | cut -d' ' -f1) from \`scripts/pg-cluster\`," \
    "both durable; pgloader $(pgloader --version 2>/dev/null | awk 'NR == 1 { gsub(/"/, "", $3); print $3 }')" \
    "(run twice: see the table)"
  echo "- peerlock: $(peerlock_line "$root" "$peerlock_bin"); $jobs workers, chunk_rows $chunk_rows"
  echo "- wall = \`/usr/bin/time %e\`; peak = \`%M\`, the largest client process (server memory not" \
    "counted); rows/s = rows moved (or compared) / wall"
  echo
  if ((${#failures[@]} > 0)); then
    echo "**${#failures[@]} check(s) FAILED** (see Correctness): the figures of a wrong or failed run do not count."
  else
    echo "All ${#checks[@]} correctness checks passed (see Correctness)."
  fi
  echo
  echo "| pairing | tool | wall s | rows/s | peak MB | PeerLock / peer |"
  echo "|---|---|---:|---:|---:|---:|"
  row "MariaDB → PG" "pgloader (defaults): $defaults_outcome" pgloader_defaults "$rows" \
    "$(ratio peerlock_copy pgloader_defaults)"
  row "MariaDB → PG" "pgloader, batches bounded (workers = $jobs, prefetch/batch rows = 10000)" \
    pgloader "$rows" "$(ratio peerlock_copy pgloader)"
  row "MariaDB → PG" "**peerlock copy**" peerlock_copy "$rows" ""
  row "verify MariaDB ↔ PG" "**peerlock verify** (every row, canonical digests)" peerlock_verify "$rows" ""
  row "(setup) PG → MariaDB" "peerlock copy, the MariaDB source above" peerlock_to_maria "$rows" ""
  echo
  echo "## Targets (issue 4)"
  echo
  echo "| target | measured | |"
  echo "|---|---|---|"
  echo "| MariaDB → PG ≤ 0.5× pgloader (batches bounded) | $(ratio peerlock_copy pgloader) | $(verdict_ratio peerlock_copy pgloader 0.5) |"
  echo "| peak memory < 512 MB (copy and verify) | $(mb "$pl_peak") MB ($pl_peak_step) |" \
    "$( ((pl_peak > 0 && pl_peak < 512 * 1024)) && echo met || echo "NOT met") |"
  echo "| a verify of the result that passes | exit ${status[peerlock_verify]:-none} |" \
    "$(ok peerlock_verify && echo met || echo "NOT met") |"
  echo
  echo "## What each tool made"
  echo
  echo "- MariaDB source columns: $maria_types"
  echo "- pgloader's target (schema \`bench\`): $pgloader_keys; $pgloader_types"
  echo "- PeerLock's target (schema \`public\`): $peerlock_keys; $peerlock_types"
  echo
  echo "## Correctness"
  echo
  for c in "${checks[@]}"; do echo "- $c"; done
  echo
  echo "## Every step"
  echo
  every_step peerlock_to_maria pgloader_defaults pgloader peerlock_copy peerlock_verify
  echo
  echo "## PeerLock's own output"
  for s in peerlock_copy peerlock_verify; do
    echo
    echo "\`$s\`:"
    echo
    echo '```text'
    tail -n 25 "$dir/logs/$s.log"
    echo '```'
  done
  echo
  echo "pgloader's summary:"
  echo
  echo '```text'
  tail -n 25 "$dir/logs/pgloader.log"
  echo '```'
} >"$report"

# Never print a password, whatever a tool wrote into its output.
scrub <"$report"

if ((${#failures[@]} > 0)); then
  say "${#failures[@]} failure(s):"
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
