# shellcheck shell=bash
# Sourced by the server benchmarks (pg_bench.sh, mariadb_bench.sh): timing of one step, the
# correctness checks and the report's number formatting, so every benchmark measures and
# judges the same way. The caller defines:
#   dir      the run's temporary directory (steps run from it; logs go to $dir/logs)
#   say, die print progress on stderr / stop the run with a message
#   settle   runs before every timed step (checkpoints, sync), so a step does not pay for the
#            previous one's dirty pages

declare -A wall=() rss=() status=() load=()
failures=() # what went wrong, printed at the end
checks=()   # "ok: text" or "FAIL: text", in the report

# timed NAME CMD...: runs CMD from $dir under `/usr/bin/time -f '%e %M'` (wall seconds, peak RSS
# in kB, which for a command with children, e.g. a `bash -c` pipeline, is the largest RSS of any
# of them), output to logs/NAME.log. A failure is recorded, reported and the run goes on.
timed() {
  local name=$1 rc=0 line
  shift
  settle
  load[$name]=$(cut -d' ' -f1 /proc/loadavg)
  say "running $name"
  (cd "$dir" && exec /usr/bin/time -o "logs/$name.time" -f '%e %M' "$@") \
    >"$dir/logs/$name.log" 2>&1 </dev/null || rc=$?
  line=$(tail -n 1 "$dir/logs/$name.time" 2>/dev/null || true)
  if [[ "$line" =~ ^([0-9.]+)\ ([0-9]+)$ ]]; then
    wall[$name]=${BASH_REMATCH[1]} rss[$name]=${BASH_REMATCH[2]}
  else
    wall[$name]=- rss[$name]=-
  fi
  status[$name]=$rc
  if ((rc != 0)); then # recorded as a failed check by the step's own "exited 0" check
    say "FAILED: $name exited with status $rc; the end of its output:"
    tail -n 30 "$dir/logs/$name.log" | scrub | sed 's/^/    /' >&2
  fi
  return 0
}
# private_peerlock BINARY: sets $peerlock to a copy of BINARY in $dir, so a rebuild during the run
# does not change what is measured; dies when it does not run.
private_peerlock() {
  cp "$1" "$dir/peerlock"
  peerlock=$dir/peerlock
  "$peerlock" --help >/dev/null 2>&1 || die "$1 does not run (being rebuilt?): retry after the build"
}
# scrub: stdin to stdout with every word of $bench_secrets (passwords) replaced by ***.
bench_secrets=()
scrub() {
  local args=() s
  for s in "${bench_secrets[@]}"; do args+=(-e "s/$s/***/g"); done
  if ((${#args[@]} > 0)); then sed "${args[@]}"; else cat; fi
}
ok() { [[ "${status[$1]:-x}" == 0 ]]; }

# A function to run under `timed` as a `bash -c` script (so /usr/bin/time sees one command).
as_script() { printf 'set -euo pipefail\n%s\n%s "$@"\n' "$(declare -f "$1")" "$1"; }

check() { # check "what" command...: records ok or FAIL
  local what=$1
  shift
  if "$@"; then checks+=("ok: $what"); else
    checks+=("FAIL: $what")
    failures+=("check failed: $what")
    say "check FAILED: $what"
  fi
}

# --- the report's numbers ------------------------------------------------------------------
num() { [[ "${1:-}" =~ ^[0-9.]+$ ]]; }
f2() { num "$1" && awk -v x="$1" 'BEGIN { printf "%.2f", x }' || echo FAILED; }
rate() { num "$2" && awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }' || echo -; }
mb() { num "$1" && awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }' || echo -; }
# ratio A B: wall(A) / wall(B), e.g. "0.83×"; "-" if either did not finish.
ratio() {
  ok "$1" && ok "$2" && num "${wall[$1]}" && num "${wall[$2]}" &&
    awk -v a="${wall[$1]}" -v b="${wall[$2]}" 'BEGIN { printf "%.2f×", (b > 0 ? a / b : 0) }' || echo -
}
wall_of() { ok "$1" && f2 "${wall[$1]}" || echo FAILED; }
row() { # pairing tool step rows ratio
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$(wall_of "$3")" \
    "$(ok "$3" && rate "$4" "${wall[$3]}" || echo -)" "$(mb "${rss[$3]:-}")" "$5"
}
# verdict STEP_A STEP_B MAX: met when wall(A) <= MAX × wall(B)
verdict_ratio() {
  ok "$1" && ok "$2" && awk -v a="${wall[$1]}" -v b="${wall[$2]}" -v m="$3" 'BEGIN { exit !(a <= m * b) }' &&
    echo met || echo "NOT met"
}
# peak_of STEP...: sets pl_peak (kB) and pl_peak_step to the largest peak RSS among the steps.
peak_of() {
  pl_peak=0 pl_peak_step=-
  local s
  for s in "$@"; do
    num "${rss[$s]:-}" || continue
    ((rss[$s] > pl_peak)) && pl_peak=${rss[$s]} pl_peak_step=$s
  done
  return 0
}
# every_step STEP...: the per-step table (exit, wall, peak, load average at the start).
every_step() {
  echo "| step | exit | wall s | peak MB | load avg at start |"
  echo "|---|---:|---:|---:|---:|"
  local s
  for s in "$@"; do
    [[ -n "${status[$s]:-}" ]] || continue
    echo "| $s | ${status[$s]} | ${wall[$s]} | $(mb "${rss[$s]}") | ${load[$s]} |"
  done
}
machine_line() {
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"
}
# peerlock_line ROOT BINARY: the commit and build time of the binary under test.
peerlock_line() {
  local commit dirty
  commit=$(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$1" status --porcelain --untracked-files=no -- src 2>/dev/null | head -n 1)
  echo "commit $commit${dirty:+ with uncommitted src/ changes}, binary built $(date -u -r "$2" '+%Y-%m-%d %H:%M UTC')"
}
