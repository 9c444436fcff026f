"""Treatycraft turn engine: pure, deterministic, standard library only.

The public API is re-exported here; see docs/rules.md and engine-model.md Part B.
"""

from __future__ import annotations

from game_engine.bots import POLICIES, bot_answer_proposal, bot_orders
from game_engine.engine import (
    add_treaty_draft,
    final_scores,
    new_game,
    resolve,
    validate_order,
    validate_orders,
)
from game_engine.errors import MalformedOrder, OrderError, RuleCode, RuleViolation, ScenarioError
from game_engine.events import Event, Resolution
from game_engine.i18n import (
    localized_info,
    localized_injects,
    localized_objective_cards,
    localized_scenario,
    missing_translations,
)
from game_engine.injects import add_inject
from game_engine.messages import Message, english, message_from_json, message_to_json, msg
from game_engine.orders import (
    ORDER_SPECS,
    Command,
    Order,
    OrderSpec,
    ParamSpec,
    order_from_json,
    order_to_json,
)
from game_engine.scenario import Scenario, ScenarioInfo, StateInfo, list_scenarios, load_scenario
from game_engine.serialization import state_from_json, state_to_json
from game_engine.state import FACILITATOR, GameState
from game_engine.views import OwnSite, OwnView, PublicSite, StateView, TreatyView, Truth, View
from game_engine.visibility import view_for, view_json
from game_engine.whatif import expected_outcome

__all__ = [
    "FACILITATOR",
    "ORDER_SPECS",
    "POLICIES",
    "Command",
    "Event",
    "GameState",
    "MalformedOrder",
    "Message",
    "Order",
    "OrderError",
    "OrderSpec",
    "OwnSite",
    "OwnView",
    "ParamSpec",
    "PublicSite",
    "Resolution",
    "RuleCode",
    "RuleViolation",
    "Scenario",
    "ScenarioError",
    "ScenarioInfo",
    "StateInfo",
    "StateView",
    "TreatyView",
    "Truth",
    "View",
    "add_inject",
    "add_treaty_draft",
    "bot_answer_proposal",
    "bot_orders",
    "english",
    "expected_outcome",
    "final_scores",
    "list_scenarios",
    "load_scenario",
    "localized_info",
    "localized_injects",
    "localized_objective_cards",
    "localized_scenario",
    "message_from_json",
    "message_to_json",
    "missing_translations",
    "msg",
    "new_game",
    "order_from_json",
    "order_to_json",
    "resolve",
    "state_from_json",
    "state_to_json",
    "validate_order",
    "validate_orders",
    "view_for",
    "view_json",
]
