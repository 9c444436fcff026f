"""A treaty's terms are shown in words: every term the engine knows has a label in the reader's
language, and the treaties a scenario starts with read without an engine key."""

from __future__ import annotations

import pytest
from django.utils import translation

import game_engine
from game_engine.pipeline.diplomacy import _TERM_KINDS
from negotiation import proposalforms
from negotiation.channels import fixed_channel


def test_every_treaty_term_the_engine_knows_has_a_label():
    assert set(_TERM_KINDS) - set(proposalforms.LABELS) == set()


@pytest.mark.parametrize("slug", ["meridian-sea", "shield-of-the-east", "peninsula-and-straits"])
def test_a_scenarios_starting_treaties_read_without_engine_keys(slug):
    scenario = game_engine.load_scenario(slug)
    names = {s.info.id: s.info.name for s in scenario.states}
    for treaty in scenario.treaties:
        with translation.override("es"):
            lines = proposalforms.clause_lines(treaty.template, dict(treaty.terms), names)
        for key in _TERM_KINDS:
            assert not any(line.startswith(f"{key}:") for line in lines), (treaty.name, lines)


def test_the_line_to_the_facilitator_is_named_in_the_readers_language():
    with translation.override("es"):
        _kind, title, _members = fixed_channel("fac:usa", ("usa",), {"usa": "EE. UU."})
    assert title == "EE. UU. – facilitador"
