#!/usr/bin/env bash
# Deploy hook: smoke before and after a deploy, failing only on what the deploy broke.
#
#   deploy-hook.sh before             before the deploy: a run that becomes the baseline
#   deploy-hook.sh after [BASELINE]   after it: judged against BASELINE (default: the last `before`)
#   deploy-hook.sh around -- CMD …    before, then CMD (the deploy itself), then after
#
# From scap (a check after the sync) or a service deploy (ORES, …), e.g.
#   /srv/smoke/examples/deploy-hook.sh around -- helmfile -e staging apply
#
# Exit codes: 0 nothing new broke; 1 the deploy broke pages (checks that passed before fail now);
# 3 checks that worked before can no longer be made; 4/5 smoke could not run (configuration,
# environment). `around` does not deploy when the before-run could not be made (no results, or
# exit 4, 5, or 129/130/143 when a signal stopped it); when the deploy command fails, it still runs after (to show what broke) and
# exits with the deploy command's code.
#
# Tested as it stands: tests/integration/test_examples_run.py runs `around` against the local
# wiki farm (SMOKE_TARGET=local).
#
# What to change for a real setup (environment variables; the defaults suit a checkout in
# /srv/smoke set up with `./run setup`):
#   SMOKE_DIR      the smoke checkout with its .venv (default: the checkout holding this script)
#   SMOKE_TARGET   the target in wikis.yaml (default: beta)
#   SMOKE_CONFIG   the wikis.yaml (default: $SMOKE_DIR/wikis.yaml)
#   SMOKE_REPORTS  where runs are written (default: $SMOKE_DIR/reports)
#   SMOKE_ARGS     more `smoke run` options, split on spaces (a selection, `--workers 4`)
#   SMOKE_BETA_USERNAME, SMOKE_BETA_PASSWORD  beta's login, e.g. `set -a; . /etc/smoke/beta.env`
set -uo pipefail

SMOKE_DIR=${SMOKE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SMOKE_TARGET=${SMOKE_TARGET:-beta}
SMOKE_CONFIG=${SMOKE_CONFIG:-$SMOKE_DIR/wikis.yaml}
SMOKE_REPORTS=${SMOKE_REPORTS:-$SMOKE_DIR/reports}
read -ra extra_args <<< "${SMOKE_ARGS:-}"
smoke="$SMOKE_DIR/.venv/bin/smoke"
# The id of the last before-run, for `after` without an argument.
baseline_file="$SMOKE_REPORTS/.deploy-baseline"

smoke_run() {
  "$smoke" run --target "$SMOKE_TARGET" --config "$SMOKE_CONFIG" \
    --reports-dir "$SMOKE_REPORTS" "$@" "${extra_args[@]}"
}

before() {
  local run code=0
  run="deploy-before-$(date -u +%Y%m%d-%H%M%S)"
  rm -f "$baseline_file"  # never judge against an older before-run if this one fails
  smoke_run --run-id "$run" || code=$?
  if [ -f "$SMOKE_REPORTS/$run/results.json" ]; then
    echo "$run" > "$baseline_file"
  fi
  return "$code"
}

after() {
  local baseline=${1:-} run code=0
  if [ -z "$baseline" ]; then
    baseline=$(cat "$baseline_file" 2>/dev/null) || {
      echo "deploy-hook: no before-run in $SMOKE_REPORTS: run \`$0 before\` before the deploy" >&2
      return 4
    }
  fi
  run="deploy-after-$(date -u +%Y%m%d-%H%M%S)"
  smoke_run --run-id "$run" --baseline "$baseline" || code=$?
  if [ -f "$SMOKE_REPORTS/$run/results.json" ]; then
    # The whole diff (new failures named, fixed, still failing), not only the counts line.
    "$smoke" diff --reports-dir "$SMOKE_REPORTS" "$baseline" "$run" || true
    echo "summary: $SMOKE_REPORTS/$run/summary.md"
  fi
  return "$code"
}

# The deploy command itself. This is the place for `smoke watch` (to come): it is to wrap the
# command and check pages *while* the new version rolls out, so that a breakage shows during the
# deploy rather than after it. Until it exists, the command runs as it is.
deploy() {
  "$@"
}

around() {
  local code=0 deployed=0
  [ "${1:-}" = "--" ] && shift
  if [ "$#" -eq 0 ]; then
    echo "deploy-hook: around needs the deploy command: $0 around -- CMD …" >&2
    return 4
  fi
  before || code=$?
  # Exit 1 or 3 with results: failing or uncheckable before the deploy, the baseline, not a
  # reason to stop. Without results (smoke itself crashed) there is nothing to judge against.
  case $code in
    0 | 1 | 3) [ -s "$baseline_file" ] || code=5 ;;
  esac
  case $code in
    0 | 1 | 3) ;;
    *)
      echo "deploy-hook: the before-run could not be made (exit $code): not deploying" >&2
      return "$code"
      ;;
  esac
  deploy "$@" || deployed=$?
  code=0
  after "" || code=$?  # no BASELINE given: the before-run just made
  if [ "$deployed" -ne 0 ]; then
    echo "deploy-hook: the deploy command failed (exit $deployed)" >&2
    return "$deployed"
  fi
  return "$code"
}

case "${1:-}" in
  before) before ;;
  after) after "${2:-}" ;;
  around)
    shift
    around "$@"
    ;;
  *)
    echo "usage: $0 before | after [BASELINE] | around -- DEPLOY COMMAND …" >&2
    exit 4
    ;;
esac
