"""The engine's messages (game_engine/messages.py, game_engine/catalogue.py): every message the
source can say is in the catalogue with the parameters its template needs; every catalogue string
has a Spanish translation in locale/es (read here with the standard library's gettext, no Django);
real resolutions of every bundled scenario render in English and Spanish with nothing left over;
the JSON codec round-trips; rule errors carry their message."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from ge_helpers import fresh, orders_for

import game_engine as ge
from game_engine.catalogue import CATALOGUE
from game_engine.messages import (
    LEGACY,
    Message,
    english,
    legacy,
    message_from_json,
    message_to_json,
    msg,
    render,
)
from game_engine.scenario import bundled_slugs

ENGINE_DIR = Path(ge.__file__).parent
ROOT = ENGINE_DIR.parent
MO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.mo"
SLOT = re.compile(r"\{([a-z]+\d*)\}")


@dataclass(frozen=True)
class Spanish:
    """game_engine.messages.Translator reading the compiled Spanish catalogue directly."""

    names: dict[str, str]
    cat: gettext.GNUTranslations

    def gettext(self, text: str) -> str:
        return self.cat.gettext(text)

    def pgettext(self, context: str, text: str) -> str:
        return self.cat.pgettext(context, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.cat.ngettext(singular, plural, n)

    def state(self, sid: str) -> str:
        return self.names.get(sid, sid)

    def number(self, x: str) -> str:
        return x.replace(".", ",")

    def label(self, english: str) -> str:
        return self.cat.gettext(english)


@pytest.fixture(scope="module")
def spanish_catalogue() -> gettext.GNUTranslations:
    with MO.open("rb") as f:
        return gettext.GNUTranslations(f)


def _msg_calls() -> list[tuple[str, ast.Call]]:
    """Every ``msg("literal id", ...)`` and ``c.fail(code, "id", ...)`` in the engine source."""
    out = []
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        if path.name in DEVELOPER_TEXTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            where = f"{path.name}:{node.lineno}"
            literal = name in ("msg", "bad", "_bad") and node.args and isinstance(node.args[0], ast.Constant)
            if literal or (name in ("fail", "violation") and len(node.args) > 1):
                out.append((where, node))
    return out


MESSAGE_ID = re.compile(r"^[a-z_]+\.[A-Za-z_.]+$")
DEVELOPER_TEXTS = {"injects.py", "serialization.py", "initial.py"}
"""Errors for the facilitator's inject tool and for a programmer (bad snapshot, bad new_game
arguments): plain English, passed on as text by the services."""


def _id_of(node: ast.Call) -> str | None:
    for arg in node.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and MESSAGE_ID.match(arg.value):
            return arg.value
    return None


def test_every_message_the_engine_source_says_is_in_the_catalogue_with_its_parameters():
    calls = _msg_calls()
    problems = []
    for where, node in calls:
        mid = _id_of(node)
        if mid is None:
            continue  # an id built from data (explain.{verb}_because, word.mode.{mode}): rendered below
        entry = CATALOGUE.get(mid)
        if entry is None:
            problems.append((where, mid, "not in the catalogue"))
            continue
        given = {k.arg for k in node.keywords if k.arg}
        if any(k.arg is None for k in node.keywords):
            continue
        needed = set(SLOT.findall(entry.text)) | set(SLOT.findall(entry.plural or ""))
        has_parts = len([a for a in node.args if not isinstance(a, ast.Constant)]) > 0
        missing = needed - given - ({"parts"} if has_parts or "parts" in needed else set())
        if missing:
            problems.append((where, mid, f"missing {sorted(missing)}"))
    assert len(calls) > 150
    assert problems == []


def test_no_engine_module_writes_an_english_sentence_into_an_event():
    """emit() takes a message, never an f-string or a literal sentence."""
    bad = []
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "emit" and len(node.args) > 2:
                said = node.args[2]
                if isinstance(said, ast.JoinedStr | ast.Constant | ast.BinOp):
                    bad.append(f"{path.name}:{node.lineno}")
    assert bad == []


def test_every_catalogue_string_has_a_spanish_translation(spanish_catalogue):
    same_in_spanish = {"{n} {cls}", "{cls}", "{raw}", "{text}", "{title}: {text}", "terminal"}
    untranslated = []
    for mid, e in CATALOGUE.items():
        if e.plural is not None:
            out = spanish_catalogue.ngettext(e.text, e.plural, 2)
            base = e.plural
        elif e.context:
            out, base = spanish_catalogue.pgettext(e.context, e.text), e.text
        else:
            out, base = spanish_catalogue.gettext(e.text), e.text
        if out == base and base not in same_in_spanish:
            untranslated.append(mid)
        assert set(SLOT.findall(out)) <= set(SLOT.findall(e.text)) | set(SLOT.findall(e.plural or "")) | {"parts"}, mid
    assert untranslated == []


def test_a_message_round_trips_through_json_and_old_strings_are_legacy_messages():
    m = msg("explain.rose_because", msg("event.build", s="aurel", n=2, cls="MRBM"), w="component.S_trust")

    assert message_from_json(message_to_json(m)) == m
    assert message_to_json(msg("event.build", s="aurel", n=2, cls="MRBM")) == {
        "id": "event.build", "params": {"cls": "MRBM", "n": 2, "s": "aurel"}}
    assert message_from_json("Aurel built 2 MRBM.") == legacy("Aurel built 2 MRBM.")
    assert english(legacy("Aurel built 2 MRBM.")) == "Aurel built 2 MRBM."
    with pytest.raises(ValueError):
        message_from_json({"id": "event.build", "params": {"s": ["a list"]}})


def test_english_uses_the_plural_the_count_asks_for():
    names = {"aurel": "Aurel", "borun": "Borun"}

    assert english(msg("event.payment", s="aurel", n=1, s2="borun"), names) == "Aurel paid 1 point to Borun."
    assert english(msg("event.payment", s="aurel", n=3, s2="borun"), names) == "Aurel paid 3 points to Borun."


def test_spanish_renders_names_words_numbers_plurals_and_nested_reasons(spanish_catalogue):
    es = Spanish({"aurel": "Aurel", "borun": "Borún"}, spanish_catalogue)
    why = msg("explain.fell_because_more", msg("event.build", s="borun", n=2, cls="MRBM"),
              msg("event.radar_mode", s="aurel", site="AUR-1", w="word.mode.forward"),
              msg("event.accusation", s="aurel", s2="borun", t="Tratado X", x="0.75"),
              w="component.S_crisis", n=2)

    assert render(why, es) == (
        "La estabilidad ante un primer ataque bajó porque Borún construyó 2 MRBM; Aurel pasó el radar de "
        "AUR-1 a modo avanzado; Aurel publicó pruebas de que Borún incumplió Tratado X (calidad 0,75) (y 2 más).")
    assert render(msg("event.payment", s="aurel", n=1, s2="borun"), es) == "Aurel pagó 1 punto a Borún."
    assert render(msg("rule.research_needs", msg("word.class", cls="IRBM"), msg("word.class", cls="MRBM"),
                      cls="ICBM"), es) == "La investigación de ICBM necesita antes la tecnología IRBM o MRBM."


def test_a_rule_error_carries_its_message_and_reads_as_english_text():
    with pytest.raises(ge.RuleViolation) as info:
        ge.validate_order(fresh(), "borun", {"type": "BUILD", "class": "MRBM", "qty": 400})

    assert info.value.msg.id == "rule.build_capacity"
    assert info.value.msg.get("s") == "borun"
    assert info.value.message.startswith("Borun can build at most")
    assert info.value.message.msg is info.value.msg


def _play(slug: str, mode: str, turns: int = 10) -> list[ge.Resolution]:
    state = fresh(mode=mode, seed=f"seed-{slug}", slug=slug)
    out = []
    for turn in range(turns):
        if state.game_over:
            break
        ids = state.scenario.state_ids
        raw = {sid: ge.bot_orders(ge.POLICIES[(n + turn) % len(ge.POLICIES)], state, sid, f"bot-{turn}")
               for n, sid in enumerate(ids)}
        res = ge.resolve(state, orders_for(state, raw), f"turn-{turn}")
        out.append(res)
        state = res.state
    return out


def _all_messages(r: ge.Resolution) -> list[Message]:
    said = [e.msg for e in r.events]
    said += [message_from_json(x["text"]) for x in r.explanation]
    for rep in r.private_reports.values():
        said += [message_from_json(x["message"]) for x in rep["rejected"]]
        said += [message_from_json(x) for x in rep["events"]]
    return said


@pytest.mark.parametrize("mode", ["expected", "stochastic"])
@pytest.mark.parametrize("slug", bundled_slugs())
def test_real_resolutions_of_the_bundled_scenarios_render_in_english_and_spanish(slug, mode, spanish_catalogue):
    sc = ge.load_scenario(slug)
    names = {i.id: i.name for i in sc.info.states}
    es = Spanish(names, spanish_catalogue)
    ids = set()
    for r in _play(slug, mode):
        for m in _all_messages(r):
            ids.add(m.id)
            en = english(m, names)
            assert "{" not in en and m.id in CATALOGUE and m.id != LEGACY, m
            assert "{" not in render(m, es), m
    assert {"event.build", "event.order_rejected"} & ids

