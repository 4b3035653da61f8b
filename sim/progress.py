"""Progress of long runs on a terminal: steps done and time left; silent when output is not a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    """A one-line progress display on stderr, updated at most a few times a second."""

    def __init__(self, total: int, label: str, stream=None) -> None:
        self.total = max(1, total)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self._start = time.perf_counter()
        self._shown = 0.0

    def advance(self, k: int = 1) -> None:
        self.done += k
        now = time.perf_counter()
        if self.enabled and (now - self._shown > 0.25 or self.done >= self.total):
            self._shown = now
            elapsed = now - self._start
            left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
            self.stream.write(f"\r{self.label}: {self.done}/{self.total} ({self.done / self.total:.0%}), {left:.0f} s left ")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()
