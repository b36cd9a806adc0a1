"""bench: measures `smoke run` from outside (wall, CPU, PSS) against baselines and degraded farms.

Run as ``.venv/bin/python -m bench.sweep [--scenario baselines|degraded] …`` from the repository
root; see bench/README.md. Nothing in ``smoke`` imports this package.
"""
