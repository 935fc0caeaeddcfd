"""Connections kept between uses (the broker's, the mail server's): opening one costs more than using it.

Per key (the caller's: process, server and settings), a list of idle connections; a thread takes one,
uses it alone and gives it back, or closes it if it failed. The lists outlive threads, so no socket is
left for the garbage collector, and what is still idle when the process ends is closed.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable
from typing import Any


class KeptConnections:
    def __init__(self, close: Callable[[Any], None]) -> None:
        self._close = close
        self._idle: dict[tuple[Any, ...], list[tuple[Any, float]]] = {}
        self._lock = threading.Lock()
        atexit.register(self.close_all)

    def take(self, key: tuple[Any, ...]) -> tuple[Any, float] | None:
        """An idle connection and the monotonic moment it was last given back, or None."""
        with self._lock:
            idle = self._idle.get(key)
            return idle.pop() if idle else None

    def give_back(self, key: tuple[Any, ...], connection: Any) -> None:
        with self._lock:
            self._idle.setdefault(key, []).append((connection, time.monotonic()))

    def close(self, connection: Any) -> None:
        """Close, whatever state it is in: a broken connection may refuse even that, and is dropped anyway."""
        try:
            self._close(connection)
        except Exception:  # noqa: BLE001, S110
            pass

    def close_all(self) -> None:
        with self._lock:
            idle = [connection for connections in self._idle.values() for connection, _ in connections]
            self._idle.clear()
        for connection in idle:
            self.close(connection)
