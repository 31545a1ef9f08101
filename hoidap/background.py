"""A refresh that runs in the background, never twice at once: the index and the answerer follow the store this
way, while questions go on with what they have."""
from __future__ import annotations

import threading
from collections.abc import Callable


class BackgroundRefresh:
    def __init__(self, target: Callable[[], None], name: str):
        self.target, self.name = target, name
        self._lock = threading.Lock()  # not the refresh's own: starting one never waits for one under way
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start `target` in a daemon thread, unless the last one is still running (it will see the change)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self.target, name=self.name, daemon=True)
                self._thread.start()
