#!/usr/bin/env bash
# CTest fixture `servers` (cleanup): stops what start_test_servers.sh started and removes
# BUILD_DIR/test-servers. Usage: stop_test_servers.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: stop_test_servers.sh BUILD_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$build/test-servers
status=0
"$root/scripts/pg-cluster" stop "$dir/pg" || status=3
"$root/scripts/mariadb-server" stop "$dir/mariadb" || status=3
rmdir "$dir" 2>/dev/null || true
exit $status
