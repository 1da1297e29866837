"""The model x benchmark grid that the sweep's Markdown table and the HTML report both lay out."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def grid(by: dict, models: Iterable[str], benches: Iterable[str], cell: Callable) -> list[tuple[str, list[str]]]:
    """``[(model, [cell(by.get((model, bench))) for each bench])]``; ``cell`` gets None for an empty cell."""
    benches = list(benches)
    return [(m, [cell(by.get((m, b))) for b in benches]) for m in models]
