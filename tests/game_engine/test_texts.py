"""Engine texts in Spanish (game_engine/texts.py): every event kind, explanation component and rule
code has a translation; real resolutions translate without falling back to English; translating
changes nothing the engine stores."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from ge_helpers import canon, fresh, orders_for

import game_engine as ge
from game_engine.events import event_to_json
from game_engine.pipeline.stability import COMPONENT_LABEL
from game_engine.scenario import bundled_slugs
from game_engine.texts import components, event_kinds, ledger_keys, rule_codes

ENGINE_DIR = Path(ge.__file__).parent


def _emitted_kinds() -> dict[str, str]:
    """Every event kind the engine source can emit (``ctx.emit("kind", ...)``), with its place."""
    kinds: dict[str, str] = {}
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
                and node.args
            ):
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.name}:{node.lineno}: emit() needs a literal event kind"
                )
                kinds.setdefault(first.value, f"{path.name}:{node.lineno}")
    return kinds


def _literal_rule_messages() -> list[tuple[str, str]]:
    """(code, message) of every RuleViolation the engine raises with a fixed message."""
    out: list[tuple[str, str]] = []
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        if path.name in ("serialization.py", "injects.py", "cli.py"):
            continue  # snapshot and facilitator-tool errors, never shown to a player
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            if not (isinstance(node.func, ast.Name) and node.func.id == "RuleViolation"):
                continue
            code, msg = node.args[0], node.args[1]
            if isinstance(code, ast.Attribute) and isinstance(msg, ast.Constant):
                out.append((code.attr, str(msg.value)))
    return out


def test_the_engine_emits_events_found_by_the_source_scan():
    kinds = _emitted_kinds()
    assert {"build", "order_rejected", "game_over", "inject", "declassified"} <= set(kinds)


def test_every_event_kind_the_engine_can_emit_has_a_spanish_template():
    missing = {k: where for k, where in _emitted_kinds().items() if k not in event_kinds("es")}

    assert missing == {}, f"event kinds without a Spanish template in game_engine/texts.py: {missing}"


def test_every_explanation_component_has_a_spanish_label():
    missing = sorted(set(COMPONENT_LABEL) - set(components("es")))

    assert missing == [], f"explanation components without a Spanish label: {missing}"


def test_every_budget_ledger_line_has_a_spanish_label():
    keys = set()
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "ledger_add"
                and len(node.args) > 1
            ):
                key = node.args[1]
                assert isinstance(key, ast.Constant), f"{path.name}:{node.lineno}: literal ledger key"
                keys.add(key.value)
    tx = ge.texts_for("es")

    assert "order_costs" in keys
    assert sorted(keys - set(ledger_keys("es"))) == []
    assert tx.ledger_label("order_costs") == "coste de las órdenes"
    assert ge.texts_for("en").ledger_label("order_costs") == "order costs"


def test_every_rule_code_has_a_spanish_sentence():
    missing = sorted(set(ge.RuleCode) - set(rule_codes("es")))

    assert missing == [], f"rule codes without a Spanish sentence: {missing}"


@pytest.mark.parametrize(("code", "message"), _literal_rule_messages())
def test_every_fixed_rule_message_has_its_own_spanish_sentence(code, message):
    tx = ge.texts_for("es")

    out = tx.translate_rule_error(code, message)

    assert out is not None and out != message, message


def _play(slug: str, mode: str, turns: int = 10) -> list[ge.Resolution]:
    state = fresh(mode=mode, seed=f"seed-{slug}", slug=slug)
    policies = ge.POLICIES
    out = []
    for turn in range(turns):
        if state.game_over:
            break
        ids = state.scenario.state_ids
        raw = {
            sid: ge.bot_orders(policies[(n + turn) % len(policies)], state, sid, f"bot-{turn}")
            for n, sid in enumerate(ids)
        }
        res = ge.resolve(state, orders_for(state, raw), f"turn-{turn}")
        out.append(res)
        state = res.state
    return out


@pytest.mark.parametrize("mode", ["expected", "stochastic"])
@pytest.mark.parametrize("slug", bundled_slugs())
def test_real_resolutions_of_the_bundled_scenarios_translate_without_english_fallback(slug, mode):
    sc = ge.load_scenario(slug)
    tx = ge.texts_for("es", sc)
    kinds = set()

    for res in _play(slug, mode):
        for e in res.events:
            kinds.add(e.kind)
            out = tx.translate_event(e.kind, e.text, e.data)
            assert out is not None, f"{e.kind}: {e.text}"
            assert out != e.text, f"{e.kind}: {e.text}"
        for item in res.explanation:
            out = tx.translate_explanation(str(item["component"]), str(item["text"]))
            assert out is not None, item["text"]
            assert out != item["text"]
        for report in res.private_reports.values():
            for row in report["rejected"]:
                out = tx.translate_rule_error(row["code"], row["message"])
                assert out is not None and out != row["message"], row["message"]
        if res.state.game_over:
            assert tx.game_over(res.state.game_over_reason) != res.state.game_over_reason

    assert {"build", "declare"} & kinds


MERIDIAN_SAMPLES = [
    ("build", "Borun built 2 MRBM.", "Borun construyó 2 MRBM."),
    ("build_covert", "Borun secretly built 2 SRBM.", "Borun construyó en secreto 2 SRBM."),
    ("reduce", "Dresk eliminated 1 SRBM.", "Dresk eliminó 1 SRBM."),
    (
        "reduce",
        "Dresk eliminated 3 SRBM (verified by Aurel, Calla).",
        "Dresk eliminó 3 SRBM (verificado por Aurel, Calla).",
    ),
    ("buy_interceptors", "Calla bought 1 TERMINAL interceptors.", "Calla compró 1 interceptor TERMINAL."),
    (
        "deploy",
        "Aurel deployed 8 MIDCOURSE interceptors at AUR-1.",
        "Aurel desplegó 8 interceptores MIDCOURSE en AUR-1.",
    ),
    (
        "withdraw_deployment",
        "Aurel withdrew 2 MIDCOURSE interceptors from CAL-1.",
        "Aurel retiró 2 interceptores MIDCOURSE de CAL-1.",
    ),
    (
        "radar",
        "Aurel upgraded the radar at AUR-1 to quality 0.75.",
        "Aurel mejoró el radar de AUR-1 hasta una calidad de 0,75.",
    ),
    (
        "radar_mode",
        "Aurel switched the radar at CAL-1 to forward mode.",
        "Aurel pasó el radar de CAL-1 a modo avanzado.",
    ),
    (
        "sensor_sharing",
        "Aurel turned sensor sharing off at CAL-1.",
        "Aurel desactivó el intercambio de sensores en CAL-1.",
    ),
    (
        "site_inert",
        "CAL-1 is no longer operated by Aurel: Calla revoked its consent.",
        "Aurel ya no opera la base CAL-1: Calla revocó su consentimiento.",
    ),
    (
        "limits_broken",
        "The declared limits at CAL-1 lapsed: the radar was switched to forward mode.",
        "Los límites declarados en CAL-1 decayeron: el radar pasó a modo avanzado.",
    ),
    (
        "limits_broken",
        "The declared limits at CAL-1 lapsed: 12 interceptors exceed the pledge of 8.",
        "Los límites declarados en CAL-1 decayeron: 12 interceptores superan el compromiso de 8.",
    ),
    (
        "consent",
        "Calla consented to Aurel's site CAL-1 (up to 8 interceptors, compensation 1/turn).",
        "Calla consintió en albergar la base CAL-1 de Aurel (hasta 8 interceptores, compensación de 1 punto por turno).",
    ),
    (
        "consent_revoked",
        "Calla revoked consent for CAL-1; the site goes inert on turn 5.",
        "Calla revocó su consentimiento para CAL-1; la base quedará inactiva en el turno 5.",
    ),
    (
        "consent_revoked",
        "Public opposition forced Calla to revoke consent for CAL-1 (inert from turn 4).",
        "La oposición pública obligó a Calla a revocar su consentimiento para CAL-1 (inactiva desde el turno 4).",
    ),
    ("payment", "Aurel paid 5 points to Calla (aid).", "Aurel pagó 5 puntos a Calla (aid)."),
    ("payment", "Aurel paid 1 points to Calla.", "Aurel pagó 1 punto a Calla."),
    (
        "economic_pressure",
        "Aurel put economic pressure on Borun (4 points).",
        "Aurel ejerció presión económica sobre Borun (4 puntos).",
    ),
    ("concealment", "Borun set concealment to 0.3.", "Borun fijó su ocultación en 0,3."),
    (
        "concealment_lapsed",
        "Borun could not pay concealment upkeep; concealment fell back.",
        "Borun no pudo pagar el mantenimiento de su ocultación; la ocultación bajó.",
    ),
    ("research", "Dresk improved its countermeasures.", "Dresk mejoró sus contramedidas."),
    ("research", "Dresk improved its radar discrimination.", "Dresk mejoró la discriminación de su radar."),
    (
        "research",
        "Dresk advanced its nuclear programme to stage 2.",
        "Dresk avanzó su programa nuclear hasta la etapa 2.",
    ),
    (
        "research",
        "Dresk started a IRBM programme (1 tests needed).",
        "Dresk inició un programa de IRBM (1 prueba necesaria).",
    ),
    (
        "nuclear_test",
        "Dresk has become a nuclear-armed state.",
        "Dresk se ha convertido en un Estado con armas nucleares.",
    ),
    ("test", "Borun tested a HGV missile (not notified).", "Borun probó un misil HGV (prueba sin notificar)."),
    ("declare", "Calla declared no missiles.", "Calla declaró no tener misiles."),
    ("export", "Borun transferred 2 SRBM to Dresk.", "Borun transfirió 2 SRBM a Dresk."),
    (
        "export_covert",
        "Borun secretly transferred MRBM production technology to Dresk.",
        "Borun transfirió en secreto la tecnología de producción de MRBM a Dresk.",
    ),
    (
        "agreement",
        "Aurel and Borun set up a hotline.",
        "Aurel y Borun establecieron una línea directa.",
    ),
    ("exercise", "Aurel and Calla held a joint exercise.", "Aurel y Calla realizaron un ejercicio conjunto."),
    ("observers", "Calla hosted observers from Borun at CAL-1.", "Calla recibió a observadores de Borun en CAL-1."),
    ("policy", "Borun will accept challenge inspections.", "Borun aceptará las inspecciones por denuncia."),
    (
        "limits",
        "Calla declared limits at CAL-1: see note.",
        "Calla declaró límites en CAL-1: ver la nota.",
    ),
    (
        "inspection_clean",
        "Aurel's 1 inspection visit(s) in Borun found no violation.",
        "La visita de inspección de Aurel en Borun no encontró ninguna violación.",
    ),
    (
        "challenge",
        "Aurel carried out a challenge inspection in Borun.",
        "Aurel realizó una inspección por denuncia en Borun.",
    ),
    (
        "challenge_refused",
        "Borun refused a challenge inspection requested by Aurel.",
        "Borun rechazó una inspección por denuncia solicitada por Aurel.",
    ),
    (
        "evidence",
        "Your intelligence services suspect Borun of a cap violation (evidence E2, quality 0.61).",
        "Tus servicios de inteligencia sospechan que Borun ha cometido una violación por exceso sobre un límite (prueba E2, calidad 0,61).",
    ),
    (
        "evidence",
        "Your inspectors suspect Borun of a violation (evidence E3, quality 0.90).",
        "Tus inspectores sospechan que Borun ha cometido una violación (prueba E3, calidad 0,90).",
    ),
    (
        "evidence_shared",
        "Aurel shared evidence about Borun with Calla (now E4).",
        "Aurel compartió con Calla pruebas sobre Borun (ahora E4).",
    ),
    (
        "accusation",
        "Aurel published evidence that Borun breached its commitments (quality 0.80).",
        "Aurel publicó pruebas de que Borun incumplió sus compromisos (calidad 0,80).",
    ),
    (
        "accusation_refuted",
        "An inspection did not confirm Aurel's accusation against Borun.",
        "Una inspección no confirmó la acusación de Aurel contra Borun.",
    ),
    (
        "violation_public",
        "Borun was found in breach of Meridian Cap (MRBM above the cap by 2).",
        "Se descubrió que Borun incumplía Meridian Cap (MRBM por encima del límite en 2).",
    ),
    (
        "violation_public",
        "Aurel was found in breach of an agreement (defense limit exceeded (site:AUR-1)).",
        "Se descubrió que Aurel incumplía un acuerdo (límite de defensa superado (base AUR-1)).",
    ),
    (
        "treaty_in_force",
        "Meridian Cap entered into force (Aurel, Borun).",
        "Meridian Cap entró en vigor (Aurel, Borun).",
    ),
    ("treaty_in_force", "Cap (2 parties) entered into force.", "Cap (2 parties) entró en vigor."),
    ("treaty_expired", "Meridian Cap expired.", "Meridian Cap expiró."),
    ("treaty_renewed", "Meridian Cap was renewed until turn 9.", "Meridian Cap se renovó hasta el turno 9."),
    (
        "withdrawal_notice",
        "Borun gave notice to leave Meridian Cap; effective turn 6.",
        "Borun notificó su retirada de Meridian Cap, efectiva en el turno 6.",
    ),
    ("treaty_withdrawal", "Borun abruptly left Meridian Cap.", "Borun abandonó Meridian Cap de forma abrupta."),
    ("treaty_withdrawal", "Borun left Meridian Cap.", "Borun abandonó Meridian Cap."),
    (
        "treaty_withdrawal",
        "Borun's withdrawal from Meridian Cap took effect.",
        "La retirada de Borun de Meridian Cap se hizo efectiva.",
    ),
    (
        "crisis",
        "A crisis broke out between Borun and Calla; it was contained.",
        "Estalló una crisis entre Borun y Calla; fue contenida.",
    ),
    (
        "catastrophe",
        "A crisis between Borun and Calla escalated into a strategic catastrophe. The game is over.",
        "Una crisis entre Borun y Calla escaló hasta una catástrofe estratégica. La partida ha terminado.",
    ),
    (
        "declassified",
        "Declassified: Borun had secretly breached Meridian Cap (cap, MRBM).",
        "Desclasificado: Borun había incumplido en secreto Meridian Cap (exceso sobre un límite, MRBM).",
    ),
    ("game_over", "Strategic catastrophe: a crisis escalated.", "Catástrofe estratégica: una crisis escaló."),
    (
        "order_rejected",
        "Order 1 (SIGN) was rejected: Meridian Cap needs every party's signature this turn (missing: Borun, Calla).",
        "La orden 1 (SIGN) fue rechazada: Meridian Cap necesita la firma de todas las partes este turno (faltan: Borun, Calla).",
    ),
    (
        "order_rejected",
        "Order 2 (BUILD) was rejected: Borun can build at most 4 MRBM per turn (1 left this turn).",
        "La orden 2 (BUILD) fue rechazada: Borun puede construir como máximo 4 MRBM por turno (le queda 1 este turno).",
    ),
]


@pytest.mark.parametrize(("kind", "english", "spanish"), MERIDIAN_SAMPLES)
def test_each_engine_sentence_reads_in_spanish(kind, english, spanish):
    tx = ge.texts_for("es", ge.load_scenario("meridian-sea"))

    assert tx.event(kind, english) == spanish


def test_state_names_come_out_in_the_scenarios_translation():
    tx = ge.texts_for("es", ge.load_scenario("peninsula-and-straits"))

    assert tx.event("build", "DPRK built 2 SRBM.") == "Corea del Norte construyó 2 SRBM."


def test_scheduled_injects_use_the_scenarios_translation_and_a_facilitators_own_stays_as_written():
    sc = ge.load_scenario("meridian-sea")
    tx = ge.texts_for("es", sc)
    inj, es = sc.injects[0], ge.localized_injects(sc, "es")[0]

    assert tx.event("inject", f"{inj.title}: {inj.text}") == f"{es.title}: {es.text}"
    assert tx.event("inject", "Storm: ports close.") == "Storm: ports close."


def test_unknown_kinds_and_sentences_fall_back_to_the_english_text():
    tx = ge.texts_for("es", ge.load_scenario("meridian-sea"))

    assert tx.translate_event("brand_new_kind", "Something new happened.") is None
    assert tx.event("brand_new_kind", "Something new happened.") == "Something new happened."
    assert tx.event("build", "Borun built a castle.") == "Borun built a castle."
    assert tx.explanation("S_new", "New thing rose.") == "New thing rose."


def test_english_and_languages_without_a_catalog_return_the_engine_text_unchanged():
    for lang in (None, "", "en", "en-GB", "fr"):
        tx = ge.texts_for(lang, ge.load_scenario("meridian-sea"))

        assert not tx.translating
        assert tx.event("build", "Borun built 2 MRBM.") == "Borun built 2 MRBM."
        assert tx.rule_error("E_BUDGET", "No money.") == "No money."


def test_regional_language_codes_use_the_spanish_catalog():
    tx = ge.texts_for("es-MX")

    assert tx.event("build", "Borun built 2 MRBM.") == "Borun construyó 2 MRBM."


def test_a_rule_error_with_an_unknown_message_still_gets_its_codes_spanish_sentence():
    tx = ge.texts_for("es")

    assert tx.rule_error("E_BUDGET", "Something else.") == "No hay presupuesto suficiente para esta orden."
    assert tx.rule_error("E_NOT_A_CODE", "Something else.") == "Something else."


def test_a_rejected_order_with_an_unknown_message_uses_the_code_from_the_event_data():
    tx = ge.texts_for("es")

    out = tx.event("order_rejected", "Order 1 (BUILD) was rejected: A brand new rule.", {"code": "E_QUOTA"})

    assert out == "La orden 1 (BUILD) fue rechazada: Se ha superado la cuota de inspecciones del tratado."


def test_order_and_parameter_labels_go_through_the_shells_label_translator():
    labels = {"Build missiles": "Construir misiles", "Quantity": "Cantidad"}
    tx = ge.texts_for("es", labels=lambda s: labels.get(s, s))

    assert (
        tx.rule_error("E_BUDGET", "Borun cannot afford build missiles: costs 30, budget left 10.")
        == "Borun no puede pagar la orden «construir misiles»: cuesta 30 y al presupuesto le quedan 10."
    )
    assert tx.rule_error("E_BAD_PARAM", "Quantity must be at least 1.") == "«Cantidad» debe ser al menos 1."
    assert tx.event("order_rejected", "Order 1 (BUILD) was rejected: Quantity must be at least 1.") == (
        "La orden 1 (Construir misiles) fue rechazada: «Cantidad» debe ser al menos 1."
    )


def test_explanations_translate_each_reason_and_the_count_of_the_rest():
    tx = ge.texts_for("es", ge.load_scenario("meridian-sea"))
    text = (
        "Mutual trust fell because Borun gave notice to leave Meridian Cap; effective turn 6; "
        "A crisis broke out between Borun and Calla; it was contained; Borun built 2 MRBM (and 2 more)."
    )

    assert tx.explanation("S_trust", text) == (
        "La confianza mutua bajó porque Borun notificó su retirada de Meridian Cap, efectiva en el turno 6; "
        "Estalló una crisis entre Borun y Calla; fue contenida; Borun construyó 2 MRBM (y 2 más)."
    )
    assert tx.explanation("P_inc", "Incidents took 2.5 points off the index: incidents this turn.") == (
        "Los incidentes restaron 2,5 puntos al índice: los incidentes de este turno."
    )
    assert tx.explanation("S_race", "Arms-race restraint rose as threat perceptions, trust and estimates shifted.") == (
        "La contención de la carrera armamentística subió al cambiar las percepciones de amenaza, "
        "la confianza y las estimaciones."
    )


def test_an_explanation_with_an_untranslatable_reason_stays_english():
    tx = ge.texts_for("es", ge.load_scenario("meridian-sea"))
    text = "Mutual trust fell because something odd happened."

    assert tx.translate_explanation("S_trust", text) is None
    assert tx.explanation("S_trust", text) == text


def test_translating_changes_nothing_the_engine_stores():
    raw = {"borun": [{"type": "BUILD", "class": "MRBM", "qty": 2}, {"type": "TEST", "class": "HGV"}]}
    state = fresh()
    first = ge.resolve(state, orders_for(state, raw), "seed-x")
    before = canon([event_to_json(e) for e in first.events]), ge.state_to_json(first.state)
    tx = ge.texts_for("es", state.scenario)

    for e in first.events:
        tx.event(e.kind, e.text, e.data)
    for item in first.explanation:
        tx.explanation(str(item["component"]), str(item["text"]))
    second = ge.resolve(state, orders_for(state, raw), "seed-x")

    assert (canon([event_to_json(e) for e in first.events]), ge.state_to_json(first.state)) == before
    assert canon([event_to_json(e) for e in second.events]) == before[0]
    assert canon(ge.state_to_json(second.state)) == canon(before[1])
    assert all(e.text.isascii() for e in second.events)


def test_a_private_reports_event_texts_translate_without_their_kind():
    state = fresh()
    raw = {"borun": [{"type": "BUILD", "class": "SRBM", "qty": 1, "covert": True}]}
    res = ge.resolve(state, orders_for(state, raw), "seed-x")
    tx = ge.texts_for("es", state.scenario)

    assert res.private_reports["borun"]["events"] == ["Borun secretly built 1 SRBM."]
    assert tx.event_of_any_kind("Borun secretly built 1 SRBM.") == "Borun construyó en secreto 1 SRBM."
    assert tx.event_of_any_kind("Something else.") == "Something else."


def _fragments(node: ast.expr) -> list[list[str]]:
    """The fixed pieces of an English sentence the engine builds: one list per variant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [[node.value]]
    if isinstance(node, ast.JoinedStr):
        return [[v.value for v in node.values if isinstance(v, ast.Constant) and str(v.value).strip()]]
    if isinstance(node, ast.IfExp):
        return _fragments(node.body) + _fragments(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strip":
        return _fragments(node.func.value)
    if isinstance(node, ast.BinOp):
        return [a + b for a in _fragments(node.left) for b in _fragments(node.right)]
    return []  # a variable (the game-over reason): covered by the resolutions above


def _fits(fragments: list[str], patterns: list[str]) -> bool:
    """Some pattern holds every fixed piece, in order (fields are {slots} in the pattern)."""
    for pattern in patterns:
        pos = 0
        for piece in fragments:
            found = pattern.find(piece.rstrip("."), pos) if piece.strip(". ") else pos
            if found < 0:
                break
            pos = found + len(piece.rstrip("."))
        else:
            return True
    return False


def _engine_sentences(attr: str) -> list[tuple[str, str, ast.expr]]:
    """(place, key, text node) of every ``ctx.emit(kind, audience, text)`` or rule error."""
    out = []
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        if path.name in ("serialization.py", "injects.py", "cli.py", "texts.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.name}:{node.lineno}"
            func = node.func
            if attr == "emit" and isinstance(func, ast.Attribute) and func.attr == "emit":
                kind = node.args[0]
                assert isinstance(kind, ast.Constant)
                out.append((where, str(kind.value), node.args[2]))
            elif attr == "rule" and isinstance(func, ast.Name) and func.id == "RuleViolation":
                code = node.args[0]
                if isinstance(code, ast.Attribute) and len(node.args) > 1:
                    out.append((where, code.attr, node.args[1]))
            elif attr == "rule" and isinstance(func, ast.Name) and func.id == "_bad" and node.args:
                out.append((where, "E_BAD_PARAM", node.args[0]))
            elif attr == "rule" and isinstance(func, ast.Name) and func.id == "pairup":
                out.append((where, "E_NO_COUNTERPART", node.args[2]))
        if attr == "rule":  # refusals found when orders are matched: (code, message) pairs
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                    code, msg = node.elts
                    by_code = isinstance(code, ast.Call) and "RuleCode" in ast.unparse(code)
                    if (by_code or (isinstance(code, ast.Name) and code.id == "nc")) and isinstance(
                        msg, ast.JoinedStr | ast.Constant
                    ):
                        out.append((f"{path.name}:{node.lineno}", ast.unparse(code), msg))
    return out


NOT_FOR_PLAYERS = {
    "mode must be one of ",  # new_game arguments, a programming error
    "game_id and seed must be non-empty strings",
}


def test_every_sentence_the_engine_emits_fits_a_spanish_template_of_its_kind():
    from game_engine.texts import CATALOGS

    events = CATALOGS["es"].events
    misfits = [
        (where, kind, pieces)
        for where, kind, node in _engine_sentences("emit")
        for pieces in _fragments(node)
        if kind != "inject" and not _fits(pieces, [p for p, _ in events.get(kind, ())])
    ]

    assert misfits == [], f"engine sentences no Spanish template fits (game_engine/texts.py): {misfits}"


def test_every_rule_error_the_engine_raises_fits_a_spanish_sentence():
    from game_engine.texts import CATALOGS

    rules = CATALOGS["es"].rules
    every = [p for entries in rules.values() for p, _ in entries]
    misfits = [
        (where, code, pieces)
        for where, code, node in _engine_sentences("rule")
        for pieces in _fragments(node)
        if pieces and pieces[0] not in NOT_FOR_PLAYERS and not _fits(pieces, every)
    ]

    assert misfits == [], f"rule errors no Spanish sentence fits (game_engine/texts.py): {misfits}"
