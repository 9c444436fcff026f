"""Translations of a scenario's player-facing texts (``[i18n.<lang>]`` tables; docs/rules.md#i18n).

English is the base text of every scenario file. A translation may leave any field empty; the
functions here then fall back to English field by field. Language codes are matched without
regard to case or ``_``/``-``, and a regional code falls back to its language (``es-MX`` ->
``es``). Only texts are translated: ids, numbers and rules are the same in every language.
"""

from __future__ import annotations

from dataclasses import replace

from game_engine.scenario import (
    Inject,
    Objective,
    Scenario,
    ScenarioInfo,
    StateSetup,
    StateText,
    Translation,
)


def language_of(scenario: Scenario, lang: str | None) -> str | None:
    """The scenario's translation code that serves ``lang``, or None for English."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-")
    if code in scenario.i18n:
        return code
    primary = code.split("-", 1)[0]
    return primary if primary in scenario.i18n else None


def _pick(translated: str, english: str) -> str:
    return translated if translated.strip() else english


def _state(setup: StateSetup, t: StateText | None) -> StateSetup:
    if t is None:
        return setup
    info = setup.info
    cards = tuple(
        replace(c, text=_pick(t.objective_cards.get(c.id, ""), c.text))
        for c in setup.objective_cards
    )
    objectives = info.objectives
    if len(t.objectives) == len(info.objectives):
        objectives = tuple(_pick(a, b) for a, b in zip(t.objectives, info.objectives, strict=True))
    return replace(
        setup,
        info=replace(
            info,
            name=_pick(t.name, info.name),
            role=_pick(t.role, info.role),
            public_briefing=_pick(t.public_briefing, info.public_briefing),
            secret_briefing=_pick(t.secret_briefing, info.secret_briefing),
            objectives=objectives,
        ),
        objective_cards=cards,
    )


def _injects(injects: tuple[Inject, ...], t: Translation) -> tuple[Inject, ...]:
    out: list[Inject] = []
    for n, inj in enumerate(injects):
        if n < len(t.injects):
            it = t.injects[n]
            inj = replace(inj, title=_pick(it.title, inj.title), text=_pick(it.text, inj.text))
        out.append(inj)
    return tuple(out)


def localized_scenario(scenario: Scenario, lang: str | None) -> Scenario:
    """The same scenario with its player-facing texts in ``lang`` (English where untranslated).

    Everything else (ids, numbers, rules) is unchanged, so views built from it differ only in
    their texts. Unknown languages give the English scenario.
    """
    code = language_of(scenario, lang)
    if code is None:
        return scenario
    t = scenario.i18n[code]
    states = tuple(_state(s, t.states.get(s.info.id)) for s in scenario.states)
    info = replace(
        scenario.info,
        title=_pick(t.title, scenario.info.title),
        summary=_pick(t.summary, scenario.info.summary),
        background=_pick(t.background, scenario.info.background),
        states=tuple(s.info for s in states),
    )
    treaties = tuple(
        replace(tr, name=_pick(t.treaties[n], tr.name)) if n < len(t.treaties) else tr
        for n, tr in enumerate(scenario.treaties)
    )
    return replace(
        scenario, info=info, states=states, injects=_injects(scenario.injects, t), treaties=treaties
    )


def scenario_treaty_name(scenario: Scenario, treaty_id: str, created_turn: int, name: str) -> str:
    """A treaty's name as ``scenario`` (localized) gives it: the treaties in force at the start
    (ids T1, T2... in the order of ``[[treaties]]``, created at turn 0) are named by the scenario;
    every other treaty keeps the name its authors gave it."""
    if created_turn != 0 or not treaty_id.startswith("T") or not treaty_id[1:].isdigit():
        return name
    n = int(treaty_id[1:]) - 1
    if 0 <= n < len(scenario.treaties) and scenario.treaties[n].name:
        return scenario.treaties[n].name
    return name


def localized_info(scenario: Scenario, lang: str | None) -> ScenarioInfo:
    """What the lobby shows about ``scenario``, in ``lang`` where translated (else English):
    title, summary, background and each state's name, role, briefings and objectives."""
    return localized_scenario(scenario, lang).info


def localized_injects(scenario: Scenario, lang: str | None) -> tuple[Inject, ...]:
    """The scheduled injects with titles and texts in ``lang`` where translated (else English);
    same order, turns, targets and effects as ``scenario.injects``."""
    return localized_scenario(scenario, lang).injects


def localized_objective_cards(
    scenario: Scenario, lang: str | None, state_id: str
) -> tuple[Objective, ...]:
    """One state's secret objective cards with their texts in ``lang`` (else English)."""
    for s in localized_scenario(scenario, lang).states:
        if s.info.id == state_id:
            return s.objective_cards
    raise KeyError(state_id)


def missing_translations(scenario: Scenario, lang: str) -> tuple[str, ...]:
    """Field paths of English texts that have no ``lang`` translation (empty when complete).

    Paths look like ``title``, ``states.usa.secret_briefing``, ``states.usa.objectives[1]``,
    ``states.usa.objective_cards.usa-red``, ``treaties[0]``, ``injects[2].text``.
    """
    code = language_of(scenario, lang)
    t = scenario.i18n[code] if code is not None else Translation()
    out: list[str] = []
    info = scenario.info
    for key, en, tr in (
        ("title", info.title, t.title),
        ("summary", info.summary, t.summary),
        ("background", info.background, t.background),
    ):
        if en.strip() and not tr.strip():
            out.append(key)
    for setup in scenario.states:
        sid = setup.info.id
        st = t.states.get(sid, StateText())
        p = f"states.{sid}."
        for key, en, tr in (
            ("name", setup.info.name, st.name),
            ("role", setup.info.role, st.role),
            ("public_briefing", setup.info.public_briefing, st.public_briefing),
            ("secret_briefing", setup.info.secret_briefing, st.secret_briefing),
        ):
            if en.strip() and not tr.strip():
                out.append(p + key)
        for n, en in enumerate(setup.info.objectives):
            tr = st.objectives[n] if n < len(st.objectives) else ""
            if en.strip() and not tr.strip():
                out.append(f"{p}objectives[{n}]")
        out.extend(
            f"{p}objective_cards.{card.id}"
            for card in setup.objective_cards
            if card.text.strip() and not st.objective_cards.get(card.id, "").strip()
        )
    for n, treaty in enumerate(scenario.treaties):
        tr = t.treaties[n] if n < len(t.treaties) else ""
        if treaty.name.strip() and not tr.strip():
            out.append(f"treaties[{n}]")
    for n, inj in enumerate(scenario.injects):
        it = t.injects[n] if n < len(t.injects) else None
        for key, en, tr in (
            ("title", inj.title, it.title if it else ""),
            ("text", inj.text, it.text if it else ""),
        ):
            if en.strip() and not tr.strip():
                out.append(f"injects[{n}].{key}")
    return tuple(out)
