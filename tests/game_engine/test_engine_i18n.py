"""Scenario translations: [i18n.<lang>] tables, their schema check and the localized API."""

from __future__ import annotations

from pathlib import Path

import pytest
from ge_helpers import canon, fresh, scenario_dict, scenario_from, toml_dict

import game_engine as ge
from game_engine import cli
from game_engine.i18n import scenario_treaty_name
from game_engine.scenario import bundled_slugs, scenario_to_json

SLUGS = ("meridian-sea", "peninsula-and-straits", "shield-of-the-east")


def test_the_three_bundled_scenarios_are_the_ones_checked_here():
    assert bundled_slugs() == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_every_translatable_field_of_every_bundled_scenario_has_a_spanish_translation(slug):
    sc = ge.load_scenario(slug)
    assert sc.languages == ("en", "es")
    assert ge.missing_translations(sc, "es") == ()
    en = ge.localized_info(sc, "en")
    es = ge.localized_info(sc, "es")
    assert en == sc.info
    assert es.title != en.title and es.summary != en.summary and es.background != en.background
    for a, b in zip(en.states, es.states, strict=True):
        assert a.id == b.id and a.color == b.color and a.npc == b.npc
        assert b.role != a.role and b.public_briefing != a.public_briefing
        assert b.secret_briefing != a.secret_briefing
        assert len(b.objectives) == len(a.objectives)
        assert all(x != y for x, y in zip(a.objectives, b.objectives, strict=True))
        en_cards = sc.states[[s.info.id for s in sc.states].index(a.id)].objective_cards
        es_cards = ge.localized_objective_cards(sc, "es", a.id)
        assert [c.id for c in es_cards] == [c.id for c in en_cards]
        assert all(x.text != y.text for x, y in zip(en_cards, es_cards, strict=True))
    for x, y in zip(sc.injects, ge.localized_injects(sc, "es"), strict=True):
        assert (x.turn, x.targets, x.effect) == (y.turn, y.targets, y.effect)
        assert x.title != y.title and x.text != y.text


def test_a_partial_translation_falls_back_to_english_field_by_field():
    data = scenario_dict()
    data["i18n"] = {
        "fr": {
            "title": "Mer Méridienne",
            "states": {"borun": {"role": "Rival continental", "objectives": ["", "Rester crédible."]}},
            "injects": [{"turn": 2, "title": "Manifestations"}],
        }
    }
    sc = scenario_from(data)
    info = ge.localized_info(sc, "fr")
    assert info.title == "Mer Méridienne"
    assert info.summary == sc.info.summary and info.background == sc.info.background
    borun = next(s for s in info.states if s.id == "borun")
    english = next(s for s in sc.info.states if s.id == "borun")
    assert borun.role == "Rival continental"
    assert (borun.name, borun.public_briefing, borun.secret_briefing) == (
        english.name,
        english.public_briefing,
        english.secret_briefing,
    )
    assert borun.objectives == (english.objectives[0], "Rester crédible.")
    assert [s for s in info.states if s.id != "borun"] == [s for s in sc.info.states if s.id != "borun"]
    injects = ge.localized_injects(sc, "fr")
    assert injects[0].title == "Manifestations" and injects[0].text == sc.injects[0].text
    assert injects[1] == sc.injects[1]
    missing = ge.missing_translations(sc, "fr")
    assert "summary" in missing and "states.borun.name" in missing
    assert "states.borun.objectives[0]" in missing and "states.borun.objectives[1]" not in missing
    assert "injects[0].text" in missing and "injects[0].title" not in missing


@pytest.mark.parametrize("lang", ["es", "ES", "es-MX", "es_ES", " es "])
def test_language_codes_match_case_insensitively_and_regions_fall_back_to_the_language(lang):
    sc = ge.load_scenario("meridian-sea")
    assert ge.localized_info(sc, lang).title == "Mar Meridiano"


@pytest.mark.parametrize("lang", [None, "", "en", "fr", "de-AT", "e"])
def test_unknown_languages_give_english(lang):
    sc = ge.load_scenario("meridian-sea")
    assert ge.localized_info(sc, lang) == sc.info
    assert ge.localized_injects(sc, lang) == sc.injects
    assert ge.localized_scenario(sc, lang) is sc


def test_translations_change_only_texts():
    sc = ge.load_scenario("shield-of-the-east")
    es = ge.localized_scenario(sc, "es")
    assert (es.params, es.relations, es.sites, es.reach, es.i18n) == (
        sc.params,
        sc.relations,
        sc.sites,
        sc.reach,
        sc.i18n,
    )
    # The treaties in force at the start differ in their names only.
    assert [(t.template, t.parties, t.terms) for t in es.treaties] == [
        (t.template, t.parties, t.terms) for t in sc.treaties
    ]
    assert [t.name for t in es.treaties] != [t.name for t in sc.treaties]
    for a, b in zip(sc.states, es.states, strict=True):
        assert a.missiles == b.missiles and a.budget == b.budget
        assert [c.conditions for c in a.objective_cards] == [c.conditions for c in b.objective_cards]


def test_a_localized_view_has_the_same_keys_and_numbers_with_spanish_texts():
    s = fresh(slug="peninsula-and-straits")
    en = ge.view_json(s, "dprk")
    es = ge.view_json(s, "dprk", lang="es")
    assert en == ge.view_json(s, "dprk")  # no language: unchanged English view
    assert set(es) == set(en) and set(es["me"]) == set(en["me"])
    assert es["me"]["name"] == "Corea del Norte"
    assert es["me"]["secret_briefing"].startswith("Tu seguridad depende")
    assert es["me"]["objective_cards"][0]["text"].startswith("Al final de la partida")
    assert es["scenario"]["title"] == "Península y Estrechos"
    assert [x["name"] for x in es["states"]][1] == "Corea del Sur"
    # The treaties in force at the start are named in the reader's language.
    assert [t["name"] for t in en["treaties"]] == ["Missile export-control regime", "Non-Proliferation Treaty"]
    assert [t["name"] for t in es["treaties"]] == [
        "Régimen de control de exportaciones de misiles",
        "Tratado de No Proliferación",
    ]
    assert es["rsi_pub"] == en["rsi_pub"] and es["me"]["missiles"] == en["me"]["missiles"]
    assert "secret_briefing" not in canon(ge.view_json(s, "rok", lang="es")["states"])
    # Another state's secret briefing never appears in a localized view either.
    assert es["me"]["secret_briefing"] not in canon(ge.view_json(s, "rok", lang="es"))


def test_translations_survive_scenario_and_snapshot_round_trips():
    sc = ge.load_scenario("meridian-sea")
    assert scenario_from(scenario_to_json(sc)) == sc
    s = fresh()
    again = ge.state_from_json(ge.state_to_json(s))
    assert again.scenario.i18n == sc.i18n
    assert ge.view_json(again, "calla", lang="es") == ge.view_json(s, "calla", lang="es")


def _errors(i18n: object) -> tuple[str, ...]:
    data = toml_dict()
    data["i18n"] = i18n
    with pytest.raises(ge.ScenarioError) as info:
        scenario_from(data)
    return info.value.errors


@pytest.mark.parametrize(
    ("i18n", "expected"),
    [
        ("spanish", "i18n: must be a table"),
        ({"ES": {"title": "x"}}, "i18n.ES: language code must be lowercase, like 'es' or 'pt-br'"),
        ({"en": {"title": "x"}}, "i18n.en: English is the base text of the file"),
        ({"es": {"tittle": "x"}}, "i18n.es.tittle: unknown key"),
        ({"es": {"title": 3}}, "i18n.es.title: must be a string"),
        ({"es": {"states": {"atlantis": {"name": "x"}}}}, "i18n.es.states.atlantis: unknown state 'atlantis'"),
        ({"es": {"states": {"borun": {"nombre": "x"}}}}, "i18n.es.states.borun.nombre: unknown key"),
        (
            {"es": {"states": {"borun": {"objectives": ["solo uno"]}}}},
            "i18n.es.states.borun.objectives: must have 2 item(s), like the English list",
        ),
        (
            {"es": {"states": {"borun": {"objective_cards": {"nope": "x"}}}}},
            "i18n.es.states.borun.objective_cards.nope: unknown objective card 'nope'",
        ),
        ({"es": {"injects": [{"turn": 3, "title": "x"}]}}, "i18n.es.injects[0].turn: must be 2"),
        ({"es": {"injects": [{"title": "x"}]}}, "i18n.es.injects[0].turn: is required"),
        (
            {"es": {"injects": [{"turn": 2}, {"turn": 4}, {"turn": 6}]}},
            "i18n.es.injects: has 3 entries but the scenario has 2 injects",
        ),
        ({"es": {"treaties": "Tratado"}}, "i18n.es.treaties: must be a list of strings"),
        ({"es": {"treaties": ["a", "b", "c"]}}, "i18n.es.treaties: has 3 names but the scenario has 2 treaties"),
    ],
)
def test_the_translation_schema_is_checked_with_field_paths(i18n, expected):
    errors = _errors(i18n)
    assert any(e.startswith(expected) for e in errors), errors


def test_cli_validate_reports_translation_coverage(tmp_path: Path, capsys):
    good = Path(ge.__file__).parent / "scenarios" / "meridian-sea.toml"
    assert cli.main(["validate", str(good)]) == 0
    assert "translation es: complete" in capsys.readouterr().out
    text = good.read_text().replace('title = "Protestas en la costa"\n', "")
    partial = tmp_path / "partial.toml"
    partial.write_text(text)
    assert cli.main(["validate", str(partial)]) == 0
    out = capsys.readouterr().out
    assert "translation es: 1 text(s) fall back to English" in out and "injects[0].title" in out
    untranslated = tmp_path / "untranslated.toml"
    untranslated.write_text(text.replace('"Tratado de No Proliferación"]', '""]'))
    assert cli.main(["validate", str(untranslated)]) == 0
    assert "treaties[1]" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace("[i18n.es.states.borun]", "[i18n.es.states.bornu]"))
    assert cli.main(["validate", str(bad)]) == 1
    assert "i18n.es.states.bornu: unknown state 'bornu'" in capsys.readouterr().out


def test_only_the_treaties_in_force_at_the_start_take_the_scenarios_names():
    es = ge.localized_scenario(ge.load_scenario("shield-of-the-east"), "es")
    assert scenario_treaty_name(es, "T2", 0, "Missile export-control regime") == (
        "Régimen de control de exportaciones de misiles"
    )
    # A treaty the players tabled keeps the name they gave it, in every language.
    assert scenario_treaty_name(es, "T4", 3, "Baltic cap") == "Baltic cap"
    assert scenario_treaty_name(es, "T1", 2, "Our own text") == "Our own text"
