#!/usr/bin/env bash
# The GitHub Action's scan step, runnable outside GitHub with the same variables.
#
# Inputs (environment):
#   LAUNCHGUARD_BIN       path to the launchguard binary (default: launchguard on PATH)
#   INPUT_PATH            what to scan (default .)
#   INPUT_MODE            auto | tree | history | diff (default auto)
#   INPUT_FAIL_ON         severity threshold for failing (default high)
#   INPUT_BASELINE        baseline file (optional)
#   INPUT_RULES           extra rule files or directories, space separated (optional)
#   INPUT_SARIF_FILE      where to write SARIF (default launchguard.sarif)
#   INPUT_CATEGORY        code scanning category (default launchguard)
#   GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_OUTPUT  as set by GitHub
# Writes the SARIF file, then records `exit-code` (0 clean, 1 findings, 2 error) in
# $GITHUB_OUTPUT (if set) and exits 0 unless the scan itself errored: failing the job on
# findings is left to a later step, after the SARIF is uploaded.
set -uo pipefail

bin=${LAUNCHGUARD_BIN:-launchguard}
path=${INPUT_PATH:-.}
mode=${INPUT_MODE:-auto}
fail_on=${INPUT_FAIL_ON:-high}
sarif=${INPUT_SARIF_FILE:-launchguard.sarif}
category=${INPUT_CATEGORY:-launchguard}
event=${GITHUB_EVENT_NAME:-}
zero=0000000000000000000000000000000000000000

json_field() { # json_field FILE dotted.path -> value or empty
  python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v.get(k) if isinstance(v, dict) else None
print(v if isinstance(v, str) else "")
PY
}

is_git=false
git -C "$path" rev-parse --git-dir >/dev/null 2>&1 && is_git=true
shallow=true
$is_git && [ "$(git -C "$path" rev-parse --is-shallow-repository 2>/dev/null)" = "false" ] && shallow=false

# The commit range of this event, if any.
base=""; head=${GITHUB_SHA:-}
if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "${GITHUB_EVENT_PATH}" ]; then
  case "$event" in
    pull_request|pull_request_target)
      base=$(json_field "$GITHUB_EVENT_PATH" pull_request.base.sha)
      head=$(json_field "$GITHUB_EVENT_PATH" pull_request.head.sha) ;;
    push)
      base=$(json_field "$GITHUB_EVENT_PATH" before)
      head=$(json_field "$GITHUB_EVENT_PATH" after) ;;
  esac
fi
[ "$base" = "$zero" ] && base=""

if [ "$mode" = auto ]; then
  if $is_git && ! $shallow && [ -n "$base" ] && [ "$base" != "$head" ] && git -C "$path" cat-file -e "$base^{commit}" 2>/dev/null; then
    mode=diff
  elif $is_git && ! $shallow; then
    mode=history
  else
    mode=tree
  fi
fi
if [ "$mode" = diff ] && { [ -z "$base" ] || [ "$base" = "$head" ] || ! git -C "$path" cat-file -e "$base^{commit}" 2>/dev/null; }; then
  echo "launchguard: no usable commit range (base '${base:-none}', head '${head:-none}'): scanning the working tree instead" >&2
  mode=tree
fi

args=(scan --format sarif --output "$sarif" --category "$category" --fail-on "$fail_on" --no-progress)
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
for r in ${INPUT_RULES:-}; do args+=(--rules "$r"); done
case "$mode" in
  tree) args+=("$path") ;;
  history) args+=(--history "$path") ;;
  diff) args+=(--history "$path" --since-commit "$base") ;;
  *) echo "launchguard: unknown mode '$mode' (auto, tree, history, diff)" >&2; exit 2 ;;
esac

echo "launchguard: mode=$mode ${base:+range=$base..$head}" >&2
"$bin" "${args[@]}"
code=$?
[ -n "${GITHUB_OUTPUT:-}" ] && echo "exit-code=$code" >> "$GITHUB_OUTPUT"
[ -n "${GITHUB_OUTPUT:-}" ] && echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
if [ "$code" -ge 2 ]; then
  echo "launchguard: the scan failed (exit $code)" >&2
  exit "$code"
fi
exit 0
