"""Explicit JSON snapshots of the game state (P8, B6): one codec module per type.

reader     ``Fields`` (typed field access naming the bad field) and ``canonical_json``
nation, pair, site, treaty, evidence
           ``<type>_to_json`` / ``<type>_from_json`` for each part of the state
state      ``state_to_json`` / ``state_from_json``: the whole snapshot
"""

from __future__ import annotations

from game_engine.serialization.evidence import evidence_to_json
from game_engine.serialization.reader import SCHEMA_VERSION, canonical_json
from game_engine.serialization.state import state_from_json, state_to_json

__all__ = ["SCHEMA_VERSION", "canonical_json", "evidence_to_json", "state_from_json", "state_to_json"]
