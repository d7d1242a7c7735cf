"""gspread's HTTP client with a bounded, jittered exponential back-off, and a log of requests.

gspread's own `BackOffHTTPClient` retries 429s for ever (its counter resets, its
wait caps at 128 s) and never retries a dropped connection. This one retries
429, 408 and 5xx answers and connection errors at most `attempts` times, waits
between half and all of `base * 2**n` seconds (capped; "equal jitter": daemons
throttled together do not come back together, and the waits add up to more
than Google's one-minute quota window within the attempts), honours a
`Retry-After` header, and gives up once the waits would pass `budget` seconds:
the pass then fails with a plain message and the daemon tries again later.
Sleep and randomness are injectable so tests run in no time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 10
    base: float = 1.0
    cap: float = 32.0
    budget: float = 180.0
    """Most seconds spent waiting in one request's retries: past a whole quota minute, plus some."""


@dataclass
class RequestLog:
    """Every HTTP request sent (retries included), as (method, host, path)."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, method: str, url: str) -> None:
        parts = urlsplit(url)
        self.entries.append((method.upper(), parts.hostname or "", parts.path))

    def count(self, host: str | None = None) -> int:
        return sum(1 for _, h, _ in self.entries if host is None or h == host)


class BoundedBackOffClient(HTTPClient):
    """`gspread.http_client.HTTPClient` whose `request` retries within `RetryPolicy`."""

    def __init__(
        self,
        auth: Any,
        session: requests.Session | None = None,
        *,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        log: RequestLog | None = None,
    ) -> None:
        super().__init__(auth, session)
        self.policy = policy
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.log = log or RequestLog()
        self.set_timeout((10.0, 60.0))

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        waited = 0.0
        for attempt in range(self.policy.attempts):
            self.log.add(method, endpoint)
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except APIError as e:
                if e.response.status_code not in RETRY_STATUS:
                    raise
                failure: Exception = e
                delay = _retry_after(e.response)
            except (requests.ConnectionError, requests.Timeout) as e:
                failure, delay = e, None
            if delay is None:
                step = min(self.policy.cap, self.policy.base * 2**attempt)
                delay = step / 2 + self.rng.uniform(0, step / 2)
            if attempt + 1 == self.policy.attempts or waited + delay > self.policy.budget:
                raise failure
            self.sleep(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
