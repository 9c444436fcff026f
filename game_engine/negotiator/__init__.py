"""Bots that negotiate (issue #15): pure policies that table, amend, counter, sign and reject
treaty texts and answer confidence-building measures, from a bot's own knowledge only.

- :mod:`.types`: the typed proposals a bot reads and the moves (with message intents) it makes;
- :mod:`.appraise`: what a text is worth to a state (expected-outcome projection + posture);
- :mod:`.policy`: ``decide`` - one negotiation policy per bot;
- :mod:`.orders`: the negotiating bots' orders (Richardson, the deterring cheater, reactions);
- :mod:`.table`: a headless table where bots bargain (``simulate``, ``balance``, playtest).
"""

from __future__ import annotations

from game_engine.negotiator.orders import negotiating_bot_orders
from game_engine.negotiator.policy import NEGOTIATING_POLICIES, STYLES, decide
from game_engine.negotiator.table import (
    TableResult,
    hosting_deployments,
    match_observers,
    renewal_orders,
    reserve_store,
    run_table,
)
from game_engine.negotiator.types import (
    CBM,
    CBM_KINDS,
    HOSTING,
    HOSTING_INTENTS,
    INTENTS,
    Act,
    CbmOffer,
    Intent,
    Move,
    Offer,
    Record,
    move_from_dict,
)

__all__ = [
    "CBM",
    "CBM_KINDS",
    "HOSTING",
    "HOSTING_INTENTS",
    "INTENTS",
    "NEGOTIATING_POLICIES",
    "STYLES",
    "Act",
    "CbmOffer",
    "Intent",
    "Move",
    "Offer",
    "Record",
    "TableResult",
    "decide",
    "hosting_deployments",
    "match_observers",
    "move_from_dict",
    "negotiating_bot_orders",
    "renewal_orders",
    "reserve_store",
    "run_table",
]
