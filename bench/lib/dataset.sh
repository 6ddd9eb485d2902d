# shellcheck shell=bash
# Sourced by the benchmarks on the standard dataset (../shared/bench): reads and checks their
# common settings, dying (the caller's `die`) with the variable's name on a bad one. Sets
#   ncust nord       customers and orders rows (NCUST / NORD, else SCALE × 1M / 5M)
#   jobs chunk_rows  parallelism of every tool (JOBS) and the plans' chunk_rows (CHUNK_ROWS)
#   schema_sql data_sql  the dataset's two files, which must exist
# Needs: $shared (the directory beside the repository) and `die`.
bench_dataset_settings() {
  jobs=${JOBS:-2}
  chunk_rows=${CHUNK_ROWS:-100000}
  local scale=${SCALE:-1}
  if ! [[ "$scale" =~ ^[0-9]*\.?[0-9]+$ ]] || ! awk -v s="$scale" 'BEGIN { exit !(s > 0) }'; then
    die "SCALE must be a positive number, got '$scale'"
  fi
  ncust=${NCUST:-$(awk -v s="$scale" 'BEGIN { printf "%d", 1000000 * s + 0.5 }')}
  nord=${NORD:-$(awk -v s="$scale" 'BEGIN { printf "%d", 5000000 * s + 0.5 }')}
  [[ "$ncust" =~ ^[1-9][0-9]*$ ]] || die "NCUST must be a positive integer, got '$ncust'"
  [[ "$nord" =~ ^[1-9][0-9]*$ ]] || die "NORD must be a positive integer, got '$nord'"
  [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive integer, got '$jobs'"
  [[ "$chunk_rows" =~ ^[1-9][0-9]*$ ]] || die "CHUNK_ROWS must be a positive integer, got '$chunk_rows'"

  schema_sql=$shared/bench/pg_schema.sql
  data_sql=$shared/bench/pg_data.sql
  [[ -f "$schema_sql" && -f "$data_sql" ]] ||
    die "the standard dataset is missing: expected $schema_sql and $data_sql (the 'shared' directory beside the repository, $shared)"
  return 0
}
