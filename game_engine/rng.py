"""Counter-based random numbers keyed by event identity (B6).

A draw depends only on ``(seed, game_id, turn, phase, event_key)``; it never depends on how
many other draws happened before, so one player's order cannot shift another event's draw.
"""

from __future__ import annotations

import hashlib
import math


def u01(seed: str, *key: object) -> float:
    """Uniform in [0, 1) from ``(seed, key...)``; platform- and order-independent."""
    text = "|".join([seed, *map(str, key)])
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def occurs(p: float, seed: str, *key: object) -> bool:
    """Bernoulli event: ``u < p`` with ``p`` rounded to 12 decimals first (B6)."""
    return u01(seed, *key) < round(p, 12)


def normal(seed: str, *key: object) -> float:
    """Standard normal via Box-Muller from the two keyed uniforms ``key|z1`` and ``key|z2``."""
    u1 = u01(seed, *key, "z1")
    u2 = u01(seed, *key, "z2")
    u1 = max(u1, 1e-300)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def seed_commit(seed: str) -> str:
    """SHA-256 commitment published at game start; the seed itself is revealed at the end."""
    return hashlib.sha256(seed.encode()).hexdigest()
