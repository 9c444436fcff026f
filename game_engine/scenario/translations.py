"""The ``[i18n.<code>]`` tables of a scenario file: parsed into
:class:`~game_engine.scenario.types.Translation` (docs/rules.md#i18n)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from game_engine.scenario.reader import _Reader
from game_engine.scenario.types import (
    Inject,
    InjectText,
    StateSetup,
    StateText,
    Translation,
    TreatySetup,
)

LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_LANG_KEYS: tuple[str, ...] = ("title", "summary", "background", "states", "injects", "treaties")
_STATE_TEXT_KEYS: tuple[str, ...] = (
    "name",
    "role",
    "public_briefing",
    "secret_briefing",
    "objectives",
    "objective_cards",
)
_INJECT_TEXT_KEYS: tuple[str, ...] = ("turn", "title", "text")


def _unknown_keys(r: _Reader, d: Mapping[str, object], path: str, allowed: tuple[str, ...]) -> None:
    for k in sorted(d):
        if k not in allowed:
            r.err(f"{path}{k}", f"unknown key (expected one of {', '.join(allowed)})")


def _i18n(
    r: _Reader,
    data: Mapping[str, object],
    states: Sequence[StateSetup],
    injects: Sequence[Inject],
    treaties: Sequence[TreatySetup] = (),
) -> dict[str, Translation]:
    """The ``[i18n.<lang>]`` tables: translations of the player-facing texts (schema-checked)."""
    by_id = {s.info.id: s for s in states}
    out: dict[str, Translation] = {}
    tab = r.table(data, "i18n", "")
    for lang in sorted(tab):
        p = f"i18n.{lang}."
        if not LANG_RE.match(lang):
            r.err(p[:-1], "language code must be lowercase, like 'es' or 'pt-br'")
            continue
        if lang == "en":
            r.err(p[:-1], "English is the base text of the file; translate into other languages")
            continue
        lt = r.table(tab, lang, "i18n.")
        _unknown_keys(r, lt, p, _LANG_KEYS)
        texts: dict[str, StateText] = {}
        st_tab = r.table(lt, "states", p)
        for sid in sorted(st_tab):
            sp = f"{p}states.{sid}."
            if sid not in by_id:
                r.err(sp[:-1], f"unknown state {sid!r}")
                continue
            setup = by_id[sid]
            t = r.table(st_tab, sid, f"{p}states.")
            _unknown_keys(r, t, sp, _STATE_TEXT_KEYS)
            objectives = r.strs(t, "objectives", sp)
            if objectives and len(objectives) != len(setup.info.objectives):
                r.err(
                    f"{sp}objectives",
                    f"must have {len(setup.info.objectives)} item(s), like the English list",
                )
            cards_tab = r.table(t, "objective_cards", sp)
            card_ids = {c.id for c in setup.objective_cards}
            cards: dict[str, str] = {}
            for cid in sorted(cards_tab):
                if cid not in card_ids:
                    r.err(f"{sp}objective_cards.{cid}", f"unknown objective card {cid!r}")
                    continue
                cards[cid] = r.str_(cards_tab, cid, f"{sp}objective_cards.")
            texts[sid] = StateText(
                name=r.str_(t, "name", sp, ""),
                role=r.str_(t, "role", sp, ""),
                public_briefing=r.str_(t, "public_briefing", sp, ""),
                secret_briefing=r.str_(t, "secret_briefing", sp, ""),
                objectives=objectives,
                objective_cards=cards,
            )
        inj_texts: list[InjectText] = []
        inj_tabs = r.tables(lt, "injects", p)
        if len(inj_tabs) > len(injects):
            r.err(
                f"{p}injects",
                f"has {len(inj_tabs)} entries but the scenario has {len(injects)} injects",
            )
        for n, it in enumerate(inj_tabs[: len(injects)]):
            ip = f"{p}injects[{n}]."
            _unknown_keys(r, it, ip, _INJECT_TEXT_KEYS)
            turn = r.int_(it, "turn", ip, None, 1, 100)
            if "turn" in it and turn != injects[n].turn:
                r.err(
                    f"{ip}turn", f"must be {injects[n].turn}, the turn of injects[{n}] (same order)"
                )
            inj_texts.append(
                InjectText(
                    turn=turn, title=r.str_(it, "title", ip, ""), text=r.str_(it, "text", ip, "")
                )
            )
        treaty_names = r.strs(lt, "treaties", p)
        if len(treaty_names) > len(treaties):
            r.err(
                f"{p}treaties",
                f"has {len(treaty_names)} names but the scenario has {len(treaties)} treaties",
            )
        out[lang] = Translation(
            title=r.str_(lt, "title", p, ""),
            summary=r.str_(lt, "summary", p, ""),
            background=r.str_(lt, "background", p, ""),
            states={sid: texts[sid] for sid in by_id if sid in texts},
            injects=tuple(inj_texts),
            treaties=treaty_names[: len(treaties)],
        )
    return out


