"""Reading many wikis at once without crowding one host: hosts in parallel, each host in turn.

Items are grouped by host; a small thread pool takes one host at a time and works through that
host's items one after the other. Wikis on different hosts (production, beta) are read a few at
a time; wikis sharing a host (a staging farm) are read strictly one by one. The reader's
per-host lock (:class:`smoke.survey.http.PoliteReader`) guarantees the same for any other use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from smoke.survey.http import host_of

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_WORKERS = 4


def by_host(
    items: Sequence[T],
    url_of: Callable[[T], str],
    work: Callable[[T], R],
    *,
    workers: int = DEFAULT_WORKERS,
) -> dict[int, R]:
    """``work(item)`` for every item, at most one item per host at a time; index -> result."""
    queues: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        queues.setdefault(host_of(url_of(item)), []).append(index)
    results: dict[int, R] = {}

    def drain(indexes: list[int]) -> None:
        for index in indexes:
            results[index] = work(items[index])

    if not queues:
        return results
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(queues)))) as pool:
        for future in [pool.submit(drain, indexes) for indexes in queues.values()]:
            future.result()  # re-raises a bug in `work` instead of losing it
    return results
