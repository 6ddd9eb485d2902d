#!/usr/bin/env bash
# CTest fixture `servers` (setup): starts the throwaway PostgreSQL and MariaDB servers of the
# server tests into BUILD_DIR/test-servers/{pg,mariadb}, in fast (non-durable) mode. Both stop
# when the calling process (ctest) exits, even if it never runs the cleanup test.
# Usage: start_test_servers.sh BUILD_DIR [OWNER_PID]   (OWNER_PID defaults to our parent)
set -euo pipefail
build=${1:?usage: start_test_servers.sh BUILD_DIR [OWNER_PID]}
owner=${2:-$PPID}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(cd "$build" && pwd)/test-servers
# Servers an earlier run left behind (its ctest was killed together with the watchdogs).
if [[ -e "$dir" || -L "$dir" ]]; then
  old=$(readlink -f "$dir")
  "$root/scripts/pg-cluster" stop "$old/pg"
  "$root/scripts/mariadb-server" stop "$old/mariadb"
  rm -f "$dir"
  rmdir "$old" 2>/dev/null || true
fi
# The servers run as the postgres / mysql users, who may not be able to enter the checkout
# (a clone under a mode-700 directory): their data lives in a fresh directory under /tmp that
# BUILD_DIR/test-servers points to.
real=$(mktemp -d /tmp/peerlock-test-servers.XXXXXX)
chmod 755 "$real"
ln -sfn "$real" "$dir"
"$root/scripts/pg-cluster" start "$real/pg" --fast --owner-pid "$owner"
"$root/scripts/mariadb-server" start "$real/mariadb" --fast --owner-pid "$owner"
