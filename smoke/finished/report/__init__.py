"""``smoke report``: the Allure 3 HTML report of one run, with history, environment, categories.

Allure 3 (the npm package ``allure``, pinned in ``tools/allure/package.json``, installed with
``npm ci --prefix tools/allure``) renders; smoke prepares what it reads and owns the one piece of
state that outlives a run, the history file. Nothing in ``reports/<run>/allure-results/`` is
modified: a report can be rebuilt at any time from the same results.

One module per job; a module imports only modules listed after it (an import-linter contract
in pyproject.toml keeps it so):

* :mod:`~smoke.finished.report.build` — finding the run and Allure, running it, swapping the output;
* :mod:`~smoke.finished.report.allurerc` — the ``allurerc.mjs`` config of a build;
* :mod:`~smoke.finished.report.environment` — the report's "Metadata" (environment.properties);
* :mod:`~smoke.finished.report.history` — ``reports/allure-history.jsonl`` and its rules;
* :mod:`~smoke.finished.report.categories` — Allure categories and the Graphs page's charts;
* :mod:`~smoke.finished.report.run_data` — what the run was: results.json, Allure results, start;
* :mod:`~smoke.finished.report.tasks` — Phabricator task ids of known issues.
"""
