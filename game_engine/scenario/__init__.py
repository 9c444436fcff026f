"""Scenarios: typed setup data, the TOML schema and its validator (B2, B9).

A scenario file is TOML; :func:`parse_scenario` turns its table into a :class:`Scenario`
or raises :class:`~game_engine.errors.ScenarioError` listing every problem with its field
path, e.g. ``states[2].missiles.MRBM: must be an integer >= 0``.

types         the setup dataclasses (``Scenario``, ``StateSetup``, ``SiteSetup``...) and vocabularies
reader        the field-path reader that collects every problem
parse         ``parse_scenario``
translations  the ``[i18n.<code>]`` tables
codec         ``scenario_to_json`` and the other JSON forms (the parser reads them back)
files         bundled scenarios and TOML files: ``load_scenario``, ``list_scenarios``
"""

from __future__ import annotations

from game_engine.scenario.codec import inject_to_json, scenario_to_json, translation_to_json
from game_engine.scenario.files import bundled_slugs, list_scenarios, load_scenario, read_toml
from game_engine.scenario.parse import parse_scenario
from game_engine.scenario.translations import LANG_RE
from game_engine.scenario.types import (
    AGREEMENT_KINDS,
    DEFAULT_PREREQ,
    OBJECTIVE_KINDS,
    RADAR_MODES,
    RESERVED_IDS,
    SCHEMA_VERSION,
    TREATY_TEMPLATES,
    AgreementSetup,
    Condition,
    ConsentSetup,
    Coverage,
    Geo,
    Inject,
    InjectEffect,
    InjectText,
    Objective,
    RelationSetup,
    Scenario,
    ScenarioInfo,
    SiteSetup,
    StateInfo,
    StateSetup,
    StateText,
    Translation,
    TreatySetup,
)

__all__ = [
    "AGREEMENT_KINDS",
    "DEFAULT_PREREQ",
    "LANG_RE",
    "OBJECTIVE_KINDS",
    "RADAR_MODES",
    "RESERVED_IDS",
    "SCHEMA_VERSION",
    "TREATY_TEMPLATES",
    "AgreementSetup",
    "Condition",
    "ConsentSetup",
    "Coverage",
    "Geo",
    "Inject",
    "InjectEffect",
    "InjectText",
    "Objective",
    "RelationSetup",
    "Scenario",
    "ScenarioInfo",
    "SiteSetup",
    "StateInfo",
    "StateSetup",
    "StateText",
    "Translation",
    "TreatySetup",
    "bundled_slugs",
    "inject_to_json",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
    "read_toml",
    "scenario_to_json",
    "translation_to_json",
]
