#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format (Google base, 100 columns).
set -euo pipefail
root=${1:?usage: check_format.sh ROOT}
cd "$root"
mapfile -t files < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 2>/dev/null || find src tests -name '*.cc' -o -name '*.h')
((${#files[@]})) || exit 0
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files match .clang-format"
