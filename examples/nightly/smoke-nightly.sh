#!/usr/bin/env bash
# Nightly sweep: every wiki, every variant of the target. Keeps the history in the reports
# directory, writes what changed since the last nightly run (`smoke diff`), builds the Allure
# report with trends (`smoke report --single-file`) and publishes it with the summary.
# Run by smoke-nightly.service (timer) or the crontab line beside it.
#
# Exit code: smoke run's (0 ok, 1 defects, 3 could not check; 1 and 3 are results, and the unit
# counts them as success), or 5 when the report could not be built or published (nobody would
# see the results), or 4/5 when smoke could not run at all.
#
# Tested as it stands: tests/integration/test_examples_run.py runs it twice against the local
# wiki farm (SMOKE_TARGET=local), with the report and the publishing.
#
# What to change for a real setup (environment variables, e.g. in /etc/smoke/beta.env, or edit
# the defaults below):
#   SMOKE_DIR          the smoke checkout with .venv and tools/allure (default: the checkout
#                      holding this script, /srv/smoke in the unit)
#   SMOKE_TARGET       the target in wikis.yaml (default: beta)
#   SMOKE_CONFIG       the wikis.yaml (default: $SMOKE_DIR/wikis.yaml)
#   SMOKE_REPORTS      where runs and the report history are kept (default: $SMOKE_DIR/reports)
#   SMOKE_ARGS         more `smoke run` options, split on spaces (`--workers 4`, a selection)
#   SMOKE_PUBLISH_DIR  a directory a web server serves (default: /var/www/smoke/latest;
#                      empty: do not publish)
#   SMOKE_BETA_USERNAME, SMOKE_BETA_PASSWORD  beta's login (Watchlist checks)
set -uo pipefail

SMOKE_DIR=${SMOKE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SMOKE_TARGET=${SMOKE_TARGET:-beta}
SMOKE_CONFIG=${SMOKE_CONFIG:-$SMOKE_DIR/wikis.yaml}
SMOKE_REPORTS=${SMOKE_REPORTS:-$SMOKE_DIR/reports}
SMOKE_PUBLISH_DIR=${SMOKE_PUBLISH_DIR-/var/www/smoke/latest}
read -ra extra_args <<< "${SMOKE_ARGS:-}"
smoke="$SMOKE_DIR/.venv/bin/smoke"

run="nightly-$(date -u +%Y%m%d-%H%M%S)"
run_dir="$SMOKE_REPORTS/$run"
code=0
# --deadline: a slow night ends with a verdict well inside the unit's TimeoutStartSec (2 h),
# leaving time for the diff and the report.
"$smoke" run --target "$SMOKE_TARGET" --config "$SMOKE_CONFIG" --reports-dir "$SMOKE_REPORTS" \
  --run-id "$run" --deadline 100m "${extra_args[@]}" || code=$?
if [ ! -f "$run_dir/results.json" ]; then
  echo "smoke-nightly: smoke run wrote no results (exit $code)" >&2
  [ "$code" -ne 0 ] || code=5
  exit "$code"
fi

# What changed since the last nightly run (not since whatever ran last: deploy runs may share
# the reports directory). Run ids sort by time.
previous=""
for dir in "$SMOKE_REPORTS"/nightly-*/; do
  name=$(basename "$dir")
  if [[ "$name" < "$run" ]] && [ -f "$dir/results.json" ]; then
    previous=$name
  fi
done
changes="$run_dir/changes-since-last-night.md"
if [ -n "$previous" ]; then
  # Exit 1 means "new failures": that is in the file, and in smoke run's exit code already.
  "$smoke" diff --reports-dir "$SMOKE_REPORTS" "$previous" "$run" > "$changes" || true
else
  echo "First nightly run in $SMOKE_REPORTS: nothing to compare with." > "$changes"
fi

if ! "$smoke" report --reports-dir "$SMOKE_REPORTS" --single-file "$run"; then
  echo "smoke-nightly: the Allure report of $run could not be built" >&2
  exit 5
fi

# Publish (any static web server): the report, the summary and the changes.
if [ -n "$SMOKE_PUBLISH_DIR" ]; then
  if ! { mkdir -p "$SMOKE_PUBLISH_DIR" \
    && cp "$run_dir/allure-report/index.html" "$SMOKE_PUBLISH_DIR/index.html" \
    && cp "$run_dir/summary.md" "$changes" "$SMOKE_PUBLISH_DIR/"; }; then
    echo "smoke-nightly: could not publish to $SMOKE_PUBLISH_DIR" >&2
    exit 5
  fi
fi
exit "$code"
