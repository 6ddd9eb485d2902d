#!/usr/bin/env bash
# CTest fixture `servers` (cleanup): stops what start_test_servers.sh started and removes
# BUILD_DIR/test-servers. Usage: stop_test_servers.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: stop_test_servers.sh BUILD_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$build/test-servers
# The servers know themselves by the real path of the /tmp directory the link points to.
[[ -L "$dir" ]] && dir=$(readlink -f "$dir")
status=0
"$root/scripts/pg-cluster" stop "$dir/pg" || status=3
"$root/scripts/mariadb-server" stop "$dir/mariadb" || status=3
rm -f "$build/test-servers"
rmdir "$dir" 2>/dev/null || true
exit $status
