"""The security dilemma in every bundled scenario (issue 14; B5.3-B5.5, Jervis).

Paired runs from the same start and seed (dilemma_scripts.py): a major deployment within the
rival's reach - a loaded site, the radar forward with sensor sharing - must raise the rival's
threat by several points and its arms-race pressure, in expected mode and in stochastic mode
over several seeds; declared limits, observers and a data exchange must take most of it back.
"""

from __future__ import annotations

import dataclasses

import pytest
from dilemma_scripts import CASES, TURNS, measure, play_world
from ge_helpers import fresh, play

import game_engine as ge
from game_engine import metrics as m

SLUGS = tuple(CASES)


def _worlds(slug: str, mode: str, seed: str) -> dict[str, tuple[float, float]] | None:
    """Rival's (threat, ARP) per world; None if a stochastic catastrophe ended one early."""
    case = CASES[slug]
    out: dict[str, tuple[float, float]] = {}
    for world in ("base", "major", "reassured"):
        state, results = play_world(case, world, mode, seed)
        assert not any(e.kind == "order_rejected" for r in results for e in r.events), world
        if len(results) < TURNS:
            return None
        out[world] = measure(state, case)
    return out


@pytest.mark.parametrize("slug", SLUGS)
def test_a_major_deployment_raises_the_rivals_threat_and_pressure(slug):
    w = _worlds(slug, "expected", "s1")
    assert w is not None
    (t_base, arp_base), (t_major, arp_major) = w["base"], w["major"]
    assert t_major - t_base >= 5.0, (t_base, t_major)
    assert arp_major - arp_base >= 0.01, (arp_base, arp_major)


@pytest.mark.parametrize("slug", SLUGS)
def test_limits_observers_and_data_exchange_take_most_of_it_back(slug):
    w = _worlds(slug, "expected", "s1")
    assert w is not None
    rise = w["major"][0] - w["base"][0]
    assert w["reassured"][0] - w["base"][0] <= 0.5 * rise
    assert w["reassured"][1] < w["major"][1]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_dilemma_holds_in_stochastic_mode_over_several_seeds(slug):
    rises: list[float] = []
    for n in range(2, 8):
        seed = f"s{n}"
        w = _worlds(slug, "stochastic", seed)
        if w is None:
            continue  # a crisis escalated in one of the three worlds: no pair to compare
        rise = w["major"][0] - w["base"][0]
        assert rise > 2.0, (seed, w)
        assert w["reassured"][0] - w["base"][0] <= 0.5 * rise, (seed, w)
        assert w["major"][1] > w["base"][1], (seed, w)  # the rival's arms-race pressure too
        assert w["reassured"][1] < w["major"][1], (seed, w)
        rises.append(rise)
    assert len(rises) >= 4
    assert sum(rises) / len(rises) >= 5.0


def test_posture_erosion_reads_forward_radar_sharing_and_loads_and_ignores_allies():
    s = fresh(slug="shield-of-the-east")
    w = m.World(
        scenario=s.scenario,
        turn=s.turn,
        nations=s.nations,
        pairs=s.pairs,
        sites={x.id: x for x in s.sites},
        consents=s.consents,
        treaties={t.id: t for t in s.treaties},
        agreements=s.agreements,
    )
    base = m.posture_erosion(w, "russia", "usa")
    assert base > 0  # DEV and the sea-based site are loaded and cover the USA against Russia
    assert m.posture_erosion(w, "poland", "usa") == 0.0  # an ally reads nothing into them
    dev = w.sites["DEV"]
    w.sites = {**w.sites, "DEV": dataclasses.replace(dev, radar_mode="forward")}
    fwd = m.posture_erosion(w, "russia", "usa")
    dev2 = w.sites["DEV"]
    w.sites = {**w.sites, "DEV": dataclasses.replace(dev2, sensor_sharing=True)}
    both = m.posture_erosion(w, "russia", "usa")
    assert base < fwd < both <= s.scenario.params.er_max


def test_a_hosted_site_that_comes_online_loaded_is_an_incident_once():
    """Loading Redzikowo on its ready turn is a "new hosted site" incident for Russia; a first
    consent with a load in the same turn is counted once, not twice."""
    case = CASES["shield-of-the-east"]
    _, base = play_world(case, "base")
    _, major = play_world(case, "major")
    online = [e for e in major[1].events if e.kind == "hosted_site_online"]
    assert [e.data["site"] for e in online] == ["RED"]
    assert not any(e.kind == "hosted_site_online" for r in base for e in r.events)
    ev_base = base[1].state.pairs[("russia", "usa")].ev
    ev_major = major[1].state.pairs[("russia", "usa")].ev
    assert ev_major - ev_base == pytest.approx(base[1].state.scenario.params.inc_hosted_site, abs=1e-6)

    s = fresh()
    host = {"type": "CONSENT_HOSTING", "owner": "aurel", "site": "CAL-1", "max_interceptors": 12}
    load = {"type": "DEPLOY", "site": "CAL-1", "itype": "MIDCOURSE", "qty": 12}
    r = play(s, {"calla": [host], "aurel": [load]})
    quiet = ge.resolve(s, {}, "seed-1")
    p = s.scenario.params
    d_ev = r.state.pairs[("borun", "aurel")].ev - quiet.state.pairs[("borun", "aurel")].ev
    assert d_ev == pytest.approx(p.inc_hosted_site, abs=1e-6)
    assert not any(e.kind == "hosted_site_online" for e in r.events)
