"""What each region map may draw: a player's map shows their own truth and their *estimates* of the
others (never another state's hidden forces, nor a reach arrow for a class built in secret), the
public map the public record only, and the facilitator's map the truth; reach and coverage come from
the game's own scenario; every colour drawn is one the palette tests check."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from negotiation import mapview
from negotiation.models import Game
from negotiation.rendering import MAP_TEMPLATE
from negotiation.viewer import Role, Viewer

TRUE_SRBM = 731  # Borun's true short-range force
ESTIMATE_SRBM = 419  # Aurel's estimate of it
COVERT_HGV = 37  # hypersonic gliders Borun built covertly: on no ledger, in no estimate


@pytest.fixture
def planted(game) -> Game:
    state = dict(game.state)
    for nation in state["nations"]:
        if nation["id"] == "borun":
            nation["missiles"]["SRBM"] = TRUE_SRBM
            nation["missiles"]["HGV"] = COVERT_HGV
    for pair in state["pairs"]:
        if pair["src"] == "aurel" and pair["dst"] == "borun":
            pair["est"]["SRBM"] = ESTIMATE_SRBM
    Game.objects.filter(pk=game.pk).update(state=state)
    game.refresh_from_db()
    return game


def player(game: Game, state_id: str) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=game.pk, state_id=state_id)


def facilitator(game: Game) -> Viewer:
    return Viewer(role=Role.FACILITATOR, game_id=game.pk)


def html(rmap: mapview.RegionMap) -> str:
    return render_to_string(f"{MAP_TEMPLATE}#region-map", {"rmap": rmap})


def reach(rmap: mapview.RegionMap, attacker: str, target: str) -> tuple[str, ...]:
    return next((r.classes for r in rmap.reach if (r.attacker, r.target) == (attacker, target)), ())


def test_a_players_map_never_holds_another_states_hidden_forces(planted):
    rmap = mapview.region_map(planted, player(planted, "aurel"))
    page = html(rmap)

    assert str(TRUE_SRBM) not in page
    assert str(COVERT_HGV) not in page
    assert f"{ESTIMATE_SRBM} SRBM" in page
    # No arrow, filter option or table line for the class Borun built in secret.
    assert "HGV" not in reach(rmap, "borun", "aurel")
    assert "HGV" not in rmap.classes
    assert "HGV" not in page
    # Borun's IRBMs, which Aurel does estimate, do reach Aurel.
    assert reach(rmap, "borun", "aurel") == ("IRBM",)


def test_the_public_map_holds_the_public_record_only(planted):
    rmap = mapview.public_map(planted)
    page = render_to_string(f"{MAP_TEMPLATE}#region-map-public", {"pmap": rmap})

    for secret in (TRUE_SRBM, ESTIMATE_SRBM, COVERT_HGV):
        assert str(secret) not in page
    assert "HGV" not in page
    assert "20 SRBM" in page


def test_the_facilitators_map_holds_the_truth(planted):
    rmap = mapview.region_map(planted, facilitator(planted))
    page = html(rmap)

    assert f"{TRUE_SRBM} SRBM" in page
    assert f"{COVERT_HGV} HGV" in page
    assert "HGV" in reach(rmap, "borun", "aurel")


def test_the_covert_state_sees_its_own_secret_reach(planted):
    rmap = mapview.region_map(planted, player(planted, "borun"))

    assert "HGV" in reach(rmap, "borun", "aurel")
    assert f"{COVERT_HGV} HGV" in html(rmap)


def test_reach_and_coverage_come_from_the_games_own_scenario(planted):
    # A game keeps the scenario it was created with, even if the file changes later.
    assert reach(mapview.region_map(planted, facilitator(planted)), "dresk", "calla") == ("SRBM", "MRBM")
    state = dict(planted.state)
    state["scenario"]["reach"]["dresk"]["calla"] = ["SRBM"]
    for site in state["scenario"]["sites"]:
        if site["id"] == "AUR-1":
            site["coverage"] = [{"defends": "aurel", "against": ["borun"], "value": 0.8}]
    Game.objects.filter(pk=planted.pk).update(state=state)
    planted.refresh_from_db()

    rmap = mapview.region_map(planted, facilitator(planted))

    assert reach(rmap, "dresk", "calla") == ("SRBM",)
    aur = next(s for s in rmap.sites if s.id == "AUR-1")
    assert "meant to defend Aurel against Borun." in aur.summary


@pytest.mark.parametrize("who", ["player", "facilitator", "public"])
def test_every_colour_a_map_draws_is_a_checked_one(planted, who):
    if who == "public":
        rmap = mapview.public_map(planted)
    else:
        rmap = mapview.region_map(planted, player(planted, "aurel") if who == "player" else facilitator(planted))
    allowed = {f.colour for f in mapview.FILLS.values()} | {f.ink for f in mapview.FILLS.values()}
    allowed |= {getattr(mapview.INK, name) for name in mapview.Ink.__slots__}

    used = {c.lower() for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', html(rmap))}

    assert used
    assert used <= allowed, used - allowed


@pytest.mark.parametrize("who", ["player", "facilitator", "public"])
def test_the_legend_shows_every_fill_the_map_uses(planted, who):
    if who == "public":
        rmap = mapview.public_map(planted)
    else:
        rmap = mapview.region_map(planted, player(planted, "aurel") if who == "player" else facilitator(planted))
    page = html(rmap)

    legend = {key for key, _text in rmap.legend}
    assert {s.fill for s in rmap.shapes} <= legend
    for key in legend:
        assert f'id="{rmap.prefix}-{key}"' in page
