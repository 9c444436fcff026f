"""The turn pipeline (B4), one module per phase, in the order ``turn.resolve`` runs them:

==============  =====================================================================
module          phase
==============  =====================================================================
context         ``Ctx``: the mutable working copy of one turn; ``thaw``
intake          0  orders checked, matched with their counterparts; injects applied
diplomacy       1  signatures, entry into force, withdrawals, consents, agreements
economy         2  income, spending, production, research
forces          3-4  deployments, radars, exports; missile tests
verification    5-6  transparency (declarations, data exchange); inspections, NTM, evidence
compliance      7  accounting against caps, compliance scores; end-of-game audit
perception      8  trust forgetting, estimates, threat
stability       9-10  exchange model, security, FSI, arms race, the RSI and its explanation
crisis          11  crises and escalation
domestic        12  domestic support, forced revocation of consents
scoring         13  compliance score, objective cards, victory points
==============  =====================================================================

``initial.new_game`` builds turn 1; ``turn.resolve`` resolves one turn; ``terms`` and
``violations`` hold helpers shared by several phases. The public entry points are re-exported by
:mod:`game_engine.engine` and :mod:`game_engine`.

Every phase is pure in the engine's sense: it reads and writes only the ``Ctx`` it is given.
Random events use :mod:`game_engine.rng` keyed by event identity; in expected mode every draw is
replaced by its probability (``Ctx.chance`` returns a weight in [0, 1]).
"""

from __future__ import annotations
