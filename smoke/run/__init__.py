"""Running checks: the pytest plugin, executing one check with retries, and ``smoke run``."""
