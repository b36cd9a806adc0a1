"""How one page load is captured: timeouts and probes, resolved per wiki by the plan."""

from __future__ import annotations

from dataclasses import dataclass

from smoke.model.values import DEFAULT_NAVIGATION_TIMEOUT_S, DEFAULT_READY_TIMEOUT_S


@dataclass
class CaptureSettings:
    navigation_timeout_s: float = DEFAULT_NAVIGATION_TIMEOUT_S
    ready_timeout_s: float = DEFAULT_READY_TIMEOUT_S
    settle_ms: int = 100  # extra wait after ready, for errors thrown just after initialisation
    refetch_probe: bool = True
    # Take the variants plan.loading allows through the page's filters app (docs/loading.md);
    # False (--full-loads): every check loads its URL.
    in_app: bool = True
