"""Typed id -> object registries with aliases and "did you mean" suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Generic, TypeVar

from .errors import UnknownIdError

T = TypeVar("T")


def suggest(name: str, candidates: list[str], n: int = 3) -> list[str]:
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


class Registry(Generic[T]):
    """A mapping of ids to entries; ``kind`` names the entries in error messages."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._aliases: dict[str, tuple[str, str]] = {}  # alias -> (target id, note)

    def register(self, name: str, entry: T, aliases: dict[str, str] | None = None) -> T:
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._entries[name] = entry
        for alias, note in (aliases or {}).items():
            self._aliases[alias] = (name, note)
        return entry

    def resolve(self, name: str) -> tuple[str, str | None]:
        """Return (canonical id, alias note or None); raise UnknownIdError with suggestions."""
        if name in self._entries:
            return name, None
        if name in self._aliases:
            target, note = self._aliases[name]
            return target, note
        choices = suggest(name, list(self._entries) + list(self._aliases))
        hint = f"; did you mean {', '.join(repr(c) for c in choices)}?" if choices else ""
        raise UnknownIdError(
            f"unknown {self.kind} {name!r}{hint} (`repro ls {self.kind}s` lists them)"
        )

    def get(self, name: str) -> T:
        return self._entries[self.resolve(name)[0]]

    def __contains__(self, name: str) -> bool:
        return name in self._entries or name in self._aliases

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def items(self):
        return self._entries.items()

    def aliases_of(self, name: str) -> list[str]:
        return [a for a, (t, _) in self._aliases.items() if t == name]
