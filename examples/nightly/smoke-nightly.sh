#!/usr/bin/env bash
# Nightly beta sweep: every wiki, every variant; keeps history in reports/, builds the Allure
# report with trends, writes what changed since last night, and publishes the report directory.
set -uo pipefail
cd /srv/smoke
export SMOKE_BETA_USERNAME SMOKE_BETA_PASSWORD   # from the unit's EnvironmentFile
.venv/bin/smoke run --target beta --workers 4 --run-id "nightly-$(date -u +%Y%m%d)"
code=$?
.venv/bin/smoke diff > reports/latest/changes-since-last-night.md   # previous vs latest
.venv/bin/smoke report --single-file                                  # Allure 3 with history
# Publish (any static web server): the report, the summary and the diff.
rsync -a --delete reports/latest/allure-report/ /var/www/smoke/latest/ 2>/dev/null || true
cp reports/latest/summary.md reports/latest/changes-since-last-night.md /var/www/smoke/latest/ 2>/dev/null || true
exit $code
