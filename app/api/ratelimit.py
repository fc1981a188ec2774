"""Per-caller rate limit: an in-process token bucket per subject (one API process serves the
embedded store, so in-process state is the whole picture)."""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    """`per_minute` requests a minute on average, `burst` at once; 0 per minute = unlimited."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, subject: str) -> int:
        """0 when the request may go ahead (a token is taken); else seconds to wait."""
        if self.rate <= 0:
            return 0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(subject, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[subject] = (tokens - 1.0, now)
                return 0
            self._buckets[subject] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
