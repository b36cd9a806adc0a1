"""Which way a check is loaded: from its URL (a full page load) or in the filters app.

Most checks of one RecentChanges or Watchlist page differ only in their ORES filters. A user
changing those filters does not reload the page: the filters app refetches the list from the
same special page with the new parameters (``action=render``). smoke does the same for such
variants once the page's filters app is up in the worker's page (docs/loading.md), and keeps the
full load for everything whose server-side render is the point:

- every page's first load in a worker, and every check of a page without the filters app
  (Contributions);
- a variant with any parameter the app does not take from the URL as a filter change: the
  legacy ``hidenondamaging`` (a server-side boolean filter), ``enhanced`` (grouped rows, a
  different server-side renderer and a sticky preference the app would override), anything else
  (``limit``/``days`` are sticky too, unknown parameters are not ours to guess);
- the ``plain`` variant (no parameters), which is how each page is first loaded.

Pure: decided from the check alone, so the plan, the bench and the docs agree.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import parse_qsl, urlsplit

from smoke.model.checks import ORES_MODELS, Check


class Loading(StrEnum):
    """How a check's page was loaded, as results.json and the summary say it."""

    FULL = "full"  # goto(url): a new document, the server renders the whole page
    IN_APP = "in-app"  # a filter change in the page's filters app: the list refetched


# Parameters the filters app reads from the URL as filter state: the ORES groups and their
# highlight colours (``highlight`` itself is client-side).
_HIGHLIGHT_COLOR = re.compile(r"^.+__.+_color$")
_PAGE_PARAMS = frozenset({"title"})


def _in_app_param(key: str) -> bool:
    return key in ORES_MODELS or key == "highlight" or _HIGHLIGHT_COLOR.match(key) is not None


def may_load_in_app(check: Check) -> bool:
    """Whether ``check`` may be taken through the filters app of its page (see the module doc)."""
    if not check.page.has_filters_app:
        return False
    keys = {key for key, _ in parse_qsl(urlsplit(check.url).query, keep_blank_values=True)}
    variant_keys = keys - _PAGE_PARAMS
    return bool(variant_keys) and all(_in_app_param(key) for key in variant_keys)


def page_key(url: str) -> str:
    """The special page a URL shows, without its variant: what an in-app change keeps."""
    parts = urlsplit(url)
    title = dict(parse_qsl(parts.query)).get("title", "")
    return f"{parts.scheme}://{parts.netloc}{parts.path}?title={title}"
