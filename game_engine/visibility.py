"""What each viewer may see (B1 information sets): ``view_for(state, viewer)``.

A state sees its own true posture, its private estimates and evidence, and public data about
everyone else. Observers (``None``) see only public data. The facilitator sees everything.
After the game ends, everyone sees the truth, the final scores and the seed (the reveal).
"""

from __future__ import annotations

from dataclasses import fields, replace

from game_engine.deterrence import deterrence_thresholds
from game_engine.engine import final_scores
from game_engine.errors import RuleCode, RuleViolation
from game_engine.i18n import localized_scenario, scenario_treaty_name
from game_engine.jsontypes import JSON, JSONDict
from game_engine.messages import msg
from game_engine.orders import in_force, is_party
from game_engine.params import CLASS_ORDER, ITYPE_ORDER
from game_engine.scenario import Scenario, inject_to_json
from game_engine.serialization import evidence_to_json
from game_engine.state import FACILITATOR, GameState, Site, Treaty
from game_engine.views import (
    AgreementView,
    ClassRow,
    ConsentView,
    InterceptorRow,
    LimitsView,
    ObjectiveCardView,
    OwnSite,
    OwnView,
    PublicSite,
    ScenarioRef,
    StateView,
    TreatyView,
    Truth,
    View,
    ViolationView,
)


def _public_interceptors(state: GameState, sid: str) -> dict[str, int]:
    out = dict.fromkeys(ITYPE_ORDER, 0)
    for t, n in state.nations[sid].store.items():
        out[t] += n
    for s in state.sites:
        if s.owner == sid:
            for t, n in s.interceptors.items():
                out[t] += n
    return dict(out)


def _limits(s: Site) -> LimitsView | None:
    if s.limits is None:
        return None
    return LimitsView(
        max_interceptors=s.limits.max_interceptors,
        terminal_only=s.limits.terminal_only,
        no_sensor_sharing=s.limits.no_sensor_sharing,
        note=s.limits.note,
        declared_by=s.limits.declared_by,
    )


def _site_public(s: Site) -> PublicSite:
    return PublicSite(
        id=s.id,
        host=s.host,
        owner=s.owner,
        kind=s.kind,
        capacity=s.capacity,
        interceptors_public=sum(s.interceptors.values()),
        interceptors_by_type={t: s.interceptors.get(t, 0) for t in ITYPE_ORDER},
        radar_q=s.radar_q,
        radar_mode=s.radar_mode,
        sensor_sharing=s.sensor_sharing,
        limits=_limits(s),
        ready_turn=s.ready_turn,
        x=s.geo.x,
        y=s.geo.y,
    )


def treaty_visible(t: Treaty, viewer: str | None) -> bool:
    """Whether ``viewer`` may see treaty ``t``: treaties in force, withdrawing or terminated are
    public; a draft is seen only by its parties and the facilitator (even after the game)."""
    if t.status != "draft":
        return True
    return viewer == FACILITATOR or (viewer is not None and viewer in t.parties)


def _compliance(state: GameState, sid: str) -> float | None:
    scores = [
        t.cs[sid]
        for t in state.treaties
        if sid in t.parties and sid in t.cs and t.status != "draft"
    ]
    if not scores:
        return None
    return round(sum(scores) / len(scores), 6)


def _reputation(state: GameState, sid: str) -> float:
    others = [k for k in state.state_ids if k != sid]
    return round(sum(state.pairs[(k, sid)].tau for k in others) / max(1, len(others)), 6)


def _me(state: GameState, sid: str, *, deterrence: bool = True) -> OwnView:
    nat = state.nations[sid]
    setup = state.scenario.states[state.state_ids.index(sid)]
    others = [k for k in state.state_ids if k != sid]
    sites = tuple(
        OwnSite(
            id=s.id,
            host=s.host,
            owner=s.owner,
            capacity=s.capacity,
            interceptors={t: s.interceptors.get(t, 0) for t in ITYPE_ORDER},
            radar_q=s.radar_q,
            radar_mode=s.radar_mode,
            sensor_sharing=s.sensor_sharing,
            allowed=tuple(s.allowed),
            limits=_limits(s),
            ready_turn=s.ready_turn,
        )
        for s in state.sites
        if sid in (s.owner, s.host)
    )
    cards = tuple(
        ObjectiveCardView(
            id=c.id,
            text=c.text,
            points=c.points,
            by_turn=c.by_turn,
            met_turn=nat.objectives_met.get(c.id),
        )
        for c in setup.objective_cards
    )
    evidence = tuple(
        evidence_to_json(e, with_truth=False) for e in state.evidence if e.holder == sid
    )
    return OwnView(
        id=sid,
        name=state.name_of(sid),
        missiles={c: nat.missiles.get(c, 0) for c in CLASS_ORDER},
        interceptors_store={t: nat.store.get(t, 0) for t in ITYPE_ORDER},
        sites=sites,
        budget=nat.budget,
        income=nat.income,
        ds=nat.ds,
        tech=tuple(nat.tech),
        developing=dict(nat.developing),
        prod_cap={c: nat.prod_cap.get(c, 0) for c in CLASS_ORDER if c in nat.tech},
        cm=nat.cm,
        ntm=nat.ntm,
        conceal=nat.conceal,
        program=nat.program,
        allow_challenge=nat.allow_challenge,
        security=nat.sec,
        arms_pressure=nat.arp,
        threat={k: state.pairs[(sid, k)].threat for k in others},
        trust={k: round(state.pairs[(sid, k)].tau, 6) for k in others},
        clarity={k: state.pairs[(sid, k)].chi for k in others},
        coverage={k: state.pairs[(sid, k)].vcov for k in others},
        estimates={k: dict(state.pairs[(sid, k)].est) for k in others},
        evidence=evidence,
        vp_history=tuple(nat.vp_history),
        objectives=tuple(setup.info.objectives),
        objective_cards=cards,
        secret_briefing=setup.info.secret_briefing,
        deterrence_threshold=dict(deterrence_thresholds(state, sid)) if deterrence else {},
    )


def _treaty_view(t: Treaty, scenario: Scenario) -> TreatyView:
    """A treaty as a viewer sees it; a treaty in force at the start is named as ``scenario``
    (localized or not) names it."""
    return TreatyView(
        id=t.id,
        template=t.template,
        name=scenario_treaty_name(scenario, t.id, t.created_turn, t.name),
        parties=tuple(t.parties),
        status="withdrawing" if t.status == "in_force" and t.withdrawing else t.status,
        terms=dict(t.terms),
        terms_hash=t.terms_hash,
        entry_turn=t.entry_turn,
        withdrawing=dict(t.withdrawing),
        withdrawn=tuple(t.withdrawn),
        compliance={k: round(v, 6) for k, v in t.cs.items()},
    )


def _parties(t: Treaty) -> tuple[str, ...]:
    return tuple(x for x in t.parties if is_party(t, x))


def view_for(
    state: GameState, viewer: str | None, *, lang: str | None = None, deterrence: bool = True
) -> View:
    """What ``viewer`` may know: a state id, ``None`` (public observer) or ``FACILITATOR``.

    ``lang`` (e.g. ``"es"``) gives the scenario's texts (title, state names, roles, briefings,
    objectives and objective cards) in that language where the scenario translates them, else
    English; ids and numbers are the same in every language. The engine's own messages are
    shown by the shell in the reader's language (:mod:`game_engine.messages`).
    ``View.to_json()`` is the JSON-safe form.
    ``deterrence=False`` leaves the viewer's own deterrence thresholds out (an empty mapping):
    they are the dearest part of a view, and a bot whose policy never reads them skips them.
    Raises ``RuleViolation(E_UNKNOWN)`` for any other viewer string.
    """
    if viewer is not None and viewer != FACILITATOR and viewer not in state.nations:
        raise RuleViolation(RuleCode.E_UNKNOWN, msg("rule.unknown_viewer", raw=repr(viewer)))
    if lang is not None:
        state = replace(state, scenario=localized_scenario(state.scenario, lang))
    ids = state.state_ids
    states: list[StateView] = []
    for sid in ids:
        nat = state.nations[sid]
        setup = state.scenario.states[ids.index(sid)]
        info = setup.info
        step = state.scenario.params.ds_display_step
        states.append(
            StateView(
                id=sid,
                name=info.name,
                role=info.role,
                color=info.color,
                public_briefing=info.public_briefing,
                npc=info.npc,
                nuclear=nat.nuclear,
                public_ledger={c: nat.public_ledger.get(c, 0) for c in CLASS_ORDER},
                declared=None
                if nat.declared is None
                else {c: nat.declared.get(c, 0) for c in CLASS_ORDER},
                declared_turn=nat.declared_turn,
                compliance=_compliance(state, sid),
                reputation=_reputation(state, sid),
                ds=int(step * round(nat.ds / step)),
                public_interceptors=_public_interceptors(state, sid),
                sites=tuple(_site_public(s) for s in state.sites if sid in (s.owner, s.host)),
                x=setup.geo.x,
                y=setup.geo.y,
                polygon=tuple((a, b) for a, b in setup.geo.polygon),
            )
        )
    shown = [t for t in state.treaties if treaty_visible(t, viewer)]
    treaties = tuple(_treaty_view(t, state.scenario) for t in shown)
    public_evidence = tuple(
        evidence_to_json(e, with_truth=False)
        for e in state.evidence
        if e.published and not e.shared_from
    )
    reveal = state.game_over or viewer == FACILITATOR
    me = (
        _me(state, viewer, deterrence=deterrence)
        if viewer is not None and viewer != FACILITATOR
        else None
    )
    truth: Truth | None = None
    if reveal:
        truth = Truth(
            states={sid: _me(state, sid) for sid in ids},
            violations=tuple(
                ViolationView(
                    id=v.id,
                    state=v.state,
                    treaty=v.treaty,
                    kind=v.kind,
                    clause=v.clause,
                    magnitude=v.magnitude,
                    severity=v.severity,
                    first_turn=v.first_turn,
                    last_turn=v.last_turn,
                    ongoing=v.ongoing,
                    covert=v.covert,
                    published=v.published,
                    detected_by=tuple(v.detected_by),
                )
                for v in state.violations
            ),
            rsi_true=state.rsi_true,
            rsi_true_history=tuple(state.rsi_true_history),
            rsi_components_true=dict(state.rsi_components_true),
            evidence=tuple(evidence_to_json(e) for e in state.evidence),
        )
    crises: tuple[JSONDict, ...] = tuple(dict(c) for c in state.crises)
    return View(
        turn=state.turn,
        max_turns=state.max_turns,
        game_over=state.game_over,
        game_over_reason=state.game_over_reason,
        mode=state.mode,
        seed_commit=state.seed_commit,
        scenario=ScenarioRef(slug=state.scenario.info.slug, title=state.scenario.info.title),
        rsi_pub=state.rsi_pub,
        rsi_components=dict(state.rsi_components),
        rsi_history=tuple(state.rsi_history),
        classes=tuple(CLASS_ORDER),
        class_table={
            c.name: ClassRow(cost=c.cost, w=c.w, kappa=c.kappa, cat1=c.cat1)
            for c in state.scenario.classes
        },
        interceptor_table={
            t.name: InterceptorRow(cost=t.cost, p0=dict(t.p0)) for t in state.scenario.interceptors
        },
        interceptor_types=tuple(ITYPE_ORDER),
        states=tuple(states),
        treaties=treaties,
        agreements=tuple(
            AgreementView(kind=a.kind, a=a.a, b=a.b, since=a.since) for a in state.agreements
        ),
        consents=tuple(
            ConsentView(
                host=c.host,
                owner=c.owner,
                site=c.site,
                max_interceptors=c.max_interceptors,
                max_radar_q=c.max_radar_q,
                forward_allowed=c.forward_allowed,
                sensor_sharing_allowed=c.sensor_sharing_allowed,
                compensation=c.compensation,
                revoke_effective=c.revoke_effective,
            )
            for c in state.consents
        ),
        public_evidence=public_evidence,
        crises=crises,
        in_force=tuple(t.id for t in state.treaties if in_force(t)),
        parties={t.id: _parties(t) for t in shown},
        me=me,
        truth=truth,
        pending_injects=tuple(inject_to_json(i) for i in state.pending_injects)
        if viewer == FACILITATOR
        else None,
        final_scores=dict(final_scores(state)) if state.game_over else None,
        seed=state.seed if state.game_over else None,
    )


def view_json(
    state: GameState, viewer: str | None, *, lang: str | None = None, deterrence: bool = True
) -> JSONDict:
    """``view_for(...).to_json()``: the view as a JSON-safe dict (bots, review exports)."""
    return view_for(state, viewer, lang=lang, deterrence=deterrence).to_json()


_SHARED: list[tuple[GameState, JSONDict, dict[int, JSON]]] = []
"""The bots' shared reading of the most recent state (see :func:`bot_view_json`): the state,
the JSON of every field of its view but ``treaties``, ``parties`` and ``me``, and the JSON of
each treaty by its place in ``state.treaties``."""
_PER_VIEWER = ("treaties", "parties", "me")


def bot_view_json(state: GameState, viewer: str, *, deterrence: bool = True) -> JSONDict:
    """``view_json(state, viewer, deterrence=deterrence)`` for a state's bot, equal to it, with
    what every state sees alike of one game state converted once and shared (speed: the bots of
    a table each read the same state in turn). Only ``me`` and the treaties shown (a draft is
    seen by its parties only) are the viewer's own. The values are shared between the views of
    one state: a reader must not change them (the bots only read). A finished game (the reveal)
    or a viewer other than a state takes :func:`view_json`."""
    if state.game_over or viewer not in state.nations:
        return view_json(state, viewer, deterrence=deterrence)
    held = _SHARED[0] if _SHARED and _SHARED[0][0] is state else None
    if held is None:
        full = view_json(state, viewer, deterrence=deterrence)
        public = {k: v for k, v in full.items() if k not in _PER_VIEWER}
        treaties = full["treaties"]
        assert isinstance(treaties, list)
        shown = [n for n, t in enumerate(state.treaties) if treaty_visible(t, viewer)]
        tj: dict[int, JSON] = dict(zip(shown, treaties, strict=True))
        _SHARED[:] = [(state, public, tj)]
        return full
    _, public, tj = held
    treaties_js: list[JSON] = []
    parties: JSONDict = {}
    for n, t in enumerate(state.treaties):
        if not treaty_visible(t, viewer):
            continue
        js = tj.get(n)
        if js is None:
            js = tj[n] = _treaty_view(t, state.scenario).to_json()
        treaties_js.append(js)
        parties[t.id] = list(_parties(t))
    out: JSONDict = {}
    for name in _VIEW_FIELDS:
        if name == "treaties":
            out[name] = treaties_js
        elif name == "parties":
            out[name] = parties
        elif name == "me":
            out[name] = _me(state, viewer, deterrence=deterrence).to_json()
        else:
            out[name] = public[name]
    return out


_VIEW_FIELDS = tuple(f.name for f in fields(View))
