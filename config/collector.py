"""The server process's garbage collector, tuned for a process that holds a thousand sockets.

With 1,030 sockets open, one Daphne process holds about 370,000 objects the collector tracks (the
sockets' protocol objects, the parsed game states and the kept render parts). CPython's default
thresholds (700, 10, 10) run a full collection each time the long-lived objects have grown by a
quarter: at 1,000 chat deliveries a second that was every 10-15 s, each one stopping the whole
process for 200-380 ms (measured with a ``gc.callbacks`` probe, docs/performance.md, "3 Dec, afternoon"),
which every message and every turn result in flight waits out.

So the server (not the tests, not the management commands) does what long-running CPython servers
do: after its modules, settings and routes are loaded it collects once and freezes what survives
(``gc.freeze``: about 105,000 objects that live as long as the process, never scanned again), and
it raises the thresholds so that young objects are collected in larger, rarer batches and a full
collection waits for many of them. Garbage in reference cycles is still collected; it waits
longer (at most ``threshold[0]`` new container objects before the youngest generation is
collected).
"""

from __future__ import annotations

import gc

from django.core.exceptions import ImproperlyConfigured

SERVER_GC_THRESHOLD = (50_000, 20, 100)
"""Collector thresholds of a server process (generation 0's allocations, then how many
collections of the younger generation before the older one) [measured: docs/performance.md]."""


def parse_threshold(value: str) -> tuple[int, int, int] | None:
    """``TREATYCRAFT_SERVER_GC``: "tuned" (the default), "off" (CPython's own collector, untouched),
    or three positive integers "a,b,c". Anything else is a configuration error that names it."""
    text = value.strip().lower()
    if text in {"", "tuned"}:
        return SERVER_GC_THRESHOLD
    if text == "off":
        return None
    parts = text.split(",")
    try:
        numbers = tuple(int(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 3 or min(numbers) < 1:
        raise ImproperlyConfigured(
            f"TREATYCRAFT_SERVER_GC={value!r}: use 'tuned', 'off' or three positive integers "
            "such as '50000,20,100'"
        )
    return (numbers[0], numbers[1], numbers[2])


def tune_for_server(threshold: tuple[int, int, int] | None) -> int:
    """Collect once, freeze the survivors and set ``threshold`` (None: leave the collector as it
    is). Returns how many objects were frozen."""
    if threshold is None:
        return 0
    gc.collect()
    gc.freeze()
    gc.set_threshold(*threshold)
    return gc.get_freeze_count()
