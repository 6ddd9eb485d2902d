#!/usr/bin/env bash
# Fails when an #include crosses the layer rule of DESIGN.md: a layer may include only itself
# and the layers to its left. Usage: check_layers.sh <src-dir>
set -euo pipefail
src=${1:?usage: check_layers.sh SRC_DIR}

# layer -> layers it may include (besides itself)
declare -A allowed=(
  [base]=""
  [core]="base"
  [proxy]="base"
  [connector]="base core"
  [connectors]="base core connector"
  [convert]="base core connector"
  [state]="base core connector"
  [plan]="base core connector convert state proxy"
  [engine]="base core connector convert state plan proxy"
  [control]="base core connector convert state plan engine proxy"
  [server]="base core connector convert state plan engine control proxy"
  [cli]="base core connector connectors convert state plan engine control proxy"
)

status=0
while IFS= read -r -d '' file; do
  rel=${file#"$src"/}
  layer=${rel%%/*}
  [[ -v allowed[$layer] ]] || { echo "$rel: folder '$layer' is not a known layer"; status=1; continue; }
  while IFS= read -r inc; do
    target=${inc%%/*}
    [[ "$inc" == */* ]] || continue
    [[ -d "$src/$target" ]] || continue          # a system or library header
    [[ "$target" == "$layer" ]] && continue
    if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
      echo "$rel includes \"$inc\": layer '$layer' may not use '$target'"
      status=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find "$src" \( -name '*.h' -o -name '*.cc' \) -print0)
# One concrete connector must not include another's files.
while IFS= read -r -d '' file; do
  rel=${file#"$src"/connectors/}
  dialect=${rel%%/*}
  if grep -Eq '#include "connectors/' "$file" && grep -E '#include "connectors/' "$file" | grep -vq "connectors/$dialect/"; then
    echo "connectors/$rel includes another dialect's connector"; status=1
  fi
done < <(find "$src/connectors" -name '*.h' -print0 -o -name '*.cc' -print0)
[[ $status == 0 ]] && echo "layering: every include follows the layer rule"
exit $status
