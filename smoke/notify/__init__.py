"""Telling people: Prometheus metrics (textfile, Pushgateway) and Alertmanager alerts of a run."""
