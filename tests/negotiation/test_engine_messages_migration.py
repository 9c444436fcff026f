"""Migration 0007 turns the English the engine stored before issue #13 into messages: every kind of
sentence of that time is read back into its message id and parameters, and then reads in Spanish
through the gettext catalogue (the wording of the old regex translator, kept in locale/es). Games
in the pre-#13 fixture convert without a single unreadable text."""

from __future__ import annotations

import importlib

import pytest
from django.utils import translation

import game_engine as ge
from negotiation import engine_texts

MIGRATION = importlib.import_module("negotiation.migrations.0007_structured_engine_messages")


@pytest.fixture(scope="module")
def meridian() -> tuple[ge.Scenario, object]:
    sc = ge.load_scenario("meridian-sea")
    return sc, MIGRATION.Names(ge.state_to_json(ge.new_game(sc, game_id="g", seed="s"))["scenario"])


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
        "Calla consintió en albergar la base CAL-1 de Aurel (hasta 8 interceptores, compensación de 1 por turno).",
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
        "Se descubrió que Aurel incumplía un acuerdo (límite de defensa superado en la base AUR-1).",
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
        "La orden 1 (Firmar un tratado) fue rechazada: Meridian Cap necesita la firma de todas las partes este turno (faltan: Borun, Calla).",
    ),
    (
        "order_rejected",
        "Order 2 (BUILD) was rejected: Borun can build at most 4 MRBM per turn (1 left this turn).",
        "La orden 2 (Construir misiles) fue rechazada: Borun puede construir como máximo 4 MRBM por turno (disponibles este turno: 1).",
    ),
]


@pytest.mark.parametrize(("kind", "english", "spanish"), MERIDIAN_SAMPLES)
def test_an_old_english_event_becomes_a_message_that_reads_in_spanish(meridian, kind, english, spanish):
    scenario, names = meridian

    message = MIGRATION.event_message(english, names, None, kind)

    assert message["id"] != MIGRATION.LEGACY
    with translation.override("es"):
        assert engine_texts.texts_for(scenario).say(message) == spanish


def test_names_become_ids_and_counts_become_numbers(meridian):
    _, names = meridian

    assert MIGRATION.event_message("Dresk eliminated 3 SRBM (verified by Aurel, Calla).", names) == {
        "id": "event.reduce_verified", "params": {"cls": "SRBM", "n": 3, "s": "dresk", "states": "aurel,calla"}}


def test_a_text_no_pattern_reads_is_kept_as_written(meridian):
    scenario, names = meridian

    message = MIGRATION.event_message("Something the engine of the time never said.", names)

    assert message == {"id": "text.legacy", "params": {"text": "Something the engine of the time never said."}}
    with translation.override("es"):
        assert engine_texts.texts_for(scenario).say(message) == "Something the engine of the time never said."


def test_an_old_explanation_line_reads_each_reason(meridian):
    scenario, names = meridian
    old = ("Mutual trust fell because Borun built 2 MRBM; Calla revoked consent for CAL-1; the site goes inert "
           "on turn 4 (and 2 more).")

    message = MIGRATION.explanation_message(old, names)

    assert [p["id"] for p in message["parts"]] == ["event.build", "event.consent_revoked"]
    with translation.override("es"):
        assert engine_texts.texts_for(scenario).say(message) == (
            "La confianza mutua bajó porque Borun construyó 2 MRBM; Calla revocó su consentimiento para CAL-1; "
            "la base quedará inactiva en el turno 4 (y 2 más).")
