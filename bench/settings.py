"""Settings of the benchmark servers: the project's own settings, plus a second channel-layer
alias "core" (channels_redis RedisChannelLayer, the Channels default) so the baseline consumer can
run on the default layer inside the same Daphne even when the game uses another backend.

Nothing else differs: the game under test runs exactly as configured by the environment.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_CAPACITY, CHANNEL_LAYERS, REDIS_URL, redis_layer_host

if REDIS_URL:
    CHANNEL_LAYERS["core"] = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [redis_layer_host(REDIS_URL)], "capacity": CHANNEL_CAPACITY, "expiry": 60},
    }
