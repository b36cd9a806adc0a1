#!/usr/bin/env bash
# One-line deploy hook: call after any deploy (MediaWiki via scap, or a service such as ORES).
# Usage: deploy-hook.sh BASELINE_RUN_ID    (the run made just before the deploy)
# Exit code: 0 nothing new broke; 1 the deploy broke pages; 3 checks could not be made.
exec /srv/smoke/.venv/bin/smoke run --target beta --baseline "${1:?baseline run id}" --reports-dir /srv/smoke/reports "${@:2}"
#
# In scap's config (scap.cfg / a checks.yaml stage), or after `helmfile apply`:
#   /srv/smoke/examples/deploy-hook.sh "$(readlink /srv/smoke/reports/latest)"
