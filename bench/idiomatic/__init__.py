"""The idiomatic baseline: a pytest-playwright-style suite, run by pytest in a subprocess."""
