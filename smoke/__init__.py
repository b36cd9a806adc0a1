"""smoke: synthetic page-load smoke tests for MediaWiki wikis with ORES filters."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
