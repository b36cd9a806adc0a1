"""The pytest-playwright peer: the real plugin, run by pytest in its own virtualenv."""
