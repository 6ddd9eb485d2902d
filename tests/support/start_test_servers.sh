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
mkdir -p "$dir"
# Servers an earlier run left behind (its ctest was killed together with the watchdogs).
"$root/scripts/pg-cluster" stop "$dir/pg"
"$root/scripts/mariadb-server" stop "$dir/mariadb"
"$root/scripts/pg-cluster" start "$dir/pg" --fast --owner-pid "$owner"
"$root/scripts/mariadb-server" start "$dir/mariadb" --fast --owner-pid "$owner"
