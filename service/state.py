"""Per-app state: the GraphStore and a results cache keyed by graph version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from graph_schema.store import GraphStore

__all__ = ["AppState", "ResultCache"]


class ResultCache:
    """A small thread-safe LRU cache. Keys include the graph version, so a write to the
    graph makes every older entry unreachable (they age out of the LRU)."""

    def __init__(self, maxsize: int = 128):
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value


class AppState:
    def __init__(self, store: GraphStore, *, cache_size: int = 256):
        from service.usecases import Context

        self.store = store
        self.cache = ResultCache(cache_size)
        #: the use cases' context: every page and API route computes through it
        self.ctx = Context(store, self.cache)

    def cached(self, name: str, params: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (graph version, name, params).

        ``name`` identifies what is computed: two callers that cache different results must
        use different names (the API's start with ``api-``).
        """
        key = (self.store.graph_version(), name, params)
        return self.cache.get_or_compute(key, compute)
