"""A per-process memo for values that are pure functions of their key.

The pages keep a few things they would otherwise rebuild on every request — rendered rows,
built URLs, statements, the overview's figures under a database stamp — each keyed by
everything it depends on, so a kept value is never stale. Bounded: when full it starts over
(the keys in use come back at once), so a process never grows without limit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class Memo(Generic[V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V], *, size: int | None = None) -> V:
        """The value kept for ``key``, or ``make()`` kept for it. ``size`` overrides the
        bound (a configured one); 0 keeps nothing."""
        found = self._values.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = make()
        bound = self.size if size is None else size
        if bound:
            with self._lock:
                if len(self._values) >= bound:
                    self._values.clear()
                self._values[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
