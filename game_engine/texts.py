"""Engine texts in the player's language: events, score explanations, rule errors, game over.

The engine writes these texts in English while it resolves a turn, and they are stored that way
(the turn record, the log and replays stay byte-identical and English). They are translated here
at display time, given the viewer's language. Every such text comes from a fixed English sentence
with a few fields (state names, counts, site ids, treaty names), so a catalog entry is that
sentence as a pattern (``"{s} built {q} {cls}."``) and the translated sentence built from the same
fields; state names come out in the scenario's translation (docs/rules.md#i18n).

Keys: event ``kind`` (:class:`game_engine.events.Event`), explanation ``component``
(``COMPONENT_LABEL``) and :class:`game_engine.errors.RuleCode`. A text that matches no entry of its
key is shown in English, unchanged (an old or unexpected text is never lost); a rule error with an
unknown message still gets its code's general sentence. Treaty names, memos and the facilitator's
own injects are user text and are never translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from game_engine.errors import RuleCode
from game_engine.i18n import localized_info, localized_injects
from game_engine.orders import ORDER_SPECS, SPEC_BY_TYPE
from game_engine.scenario import Scenario

Fields = Mapping[str, str]
Render = str | Callable[[Fields], str]
Entry = tuple[str, Render]
"""An English pattern with ``{field}`` slots, and its translation (a format string or a function)."""

Labels = Callable[[str], str]
"""Translates an English label of the engine (order and parameter labels); the shell passes gettext."""


def _n(n: str, one: str, many: str) -> str:
    return f"{n} {one if n in ('1', '-1') else many}"


def _y(nxt: str) -> str:
    """Spanish "and": "e" before an /i/ sound (Isla, Hidra), else "y"."""
    low = nxt.lower()
    return (
        "e" if (low.startswith(("i", "hi")) and not low.startswith(("hia", "hie", "hio"))) else "y"
    )


# --------------------------------------------------------------------------------- Spanish


_ES_SUB: Mapping[str, Mapping[str, str] | tuple[Entry, ...]] = {
    # closed vocabularies (English -> Spanish); entries, when the sub-text has fields
    "mode": {"terminal": "terminal", "forward": "avanzado"},
    "onoff": {"on": "activó", "off": "desactivó"},
    "notified": {"notified": "notificada", "not notified": "sin notificar"},
    "policy": {"accept": "aceptará", "refuse": "rechazará"},
    "tech": {
        "cm": "contramedidas",
        "discrimination": "discriminación",
        "program": "programa nuclear",
    },
    "agreement": {
        "a hotline": "una línea directa",
        "a launch-notification agreement": "un acuerdo de notificación de lanzamientos",
        "a data-exchange agreement": "un acuerdo de intercambio de datos",
    },
    "vkind": {
        "cap": "exceso sobre un límite",
        "defense": "límites de defensa",
        "test": "prueba no notificada",
        "export": "exportación controlada",
        "misdeclare": "declaración falsa",
        "program": "programa nuclear",
        "withdrawal": "retirada abrupta",
    },
    "breached": {
        "an agreement": "un acuerdo",
        "its launch-notification agreement": "su acuerdo de notificación de lanzamientos",
    },
    "aglabel": {
        "hotline": "la línea directa",
        "notification": "la notificación de lanzamientos",
        "data exchange": "el intercambio de datos",
    },
    "commitments": {"its commitments": "sus compromisos"},
    "reason": (
        ("{s} revoked its consent", "{s} revocó su consentimiento"),
        ("no active consent", "no hay ningún consentimiento en vigor"),
    ),
    "why": (
        (
            "{n} interceptors exceed the pledge of {m}",
            "{n} interceptores superan el compromiso de {m}",
        ),
        ("the radar was switched to forward mode", "el radar pasó a modo avanzado"),
        ("sensor sharing was switched on", "se activó el intercambio de sensores"),
    ),
    "desc": (
        ("{clause} above the cap by {x}", "{clause} por encima del límite en {x}"),
        ("defense limit exceeded ({dclause})", "límite de defensa superado ({dclause})"),
        ("unnotified missile test", "prueba de misil sin notificar"),
        ("controlled missile export", "exportación de misiles controlada"),
        ("false declaration", "declaración falsa"),
        ("nuclear programme step", "paso del programa nuclear"),
        ("abrupt withdrawal", "retirada abrupta"),
    ),
    "clause": (("weighted", "arsenal ponderado"), ("{cls}", "{cls}")),
    "dclause": (
        ("total", "total"),
        ("sites", "número de bases"),
        ("foreign_basing", "bases en el extranjero"),
        ("radar_mode", "modo del radar"),
        ("site:{site}", "base {site}"),
    ),
    "what": (
        ("{cls} production technology", "la tecnología de producción de {cls}"),
        ("{q} {cls}", "{q} {cls}"),
    ),
    "bits": (("see note", "ver la nota"), ("{bitlist}", "{bitlist}")),
    "bit": (
        (
            "at most {n} interceptors",
            lambda g: "como máximo " + _n(g["n"], "interceptor", "interceptores"),
        ),
        ("terminal-mode radar only", "radar solo en modo terminal"),
        ("no sensor sharing", "sin intercambio de sensores"),
    ),
    "verifiedby": (("{states}", "{states}"),),
}


def _interceptors(g: Fields, key: str = "q") -> str:
    return f"{_n(g[key], 'interceptor', 'interceptores')} {g['itype']}"


_ES_EVENTS: Mapping[str, tuple[Entry, ...]] = {
    "site_inert": (
        (
            "{site} is no longer operated by {s}: {reason}.",
            "{s} ya no opera la base {site}: {reason}.",
        ),
    ),
    "limits_broken": (
        (
            "The declared limits at {site} lapsed: {why}.",
            "Los límites declarados en {site} decayeron: {why}.",
        ),
    ),
    "violation_public": (
        (
            "{s} was found in breach of {breached} ({desc}).",
            "Se descubrió que {s} incumplía {breached} ({desc}).",
        ),
        (
            "{s} was found in breach of {t} ({desc}).",
            "Se descubrió que {s} incumplía {t} ({desc}).",
        ),
    ),
    "evidence": (
        (
            "Your intelligence services suspect {s} of a violation (evidence {e}, quality {x}).",
            "Tus servicios de inteligencia sospechan que {s} ha cometido una violación (prueba {e}, calidad {x}).",
        ),
        (
            "Your inspectors suspect {s} of a violation (evidence {e}, quality {x}).",
            "Tus inspectores sospechan que {s} ha cometido una violación (prueba {e}, calidad {x}).",
        ),
        (
            "Your intelligence services suspect {s} of a {vkind} violation (evidence {e}, quality {x}).",
            "Tus servicios de inteligencia sospechan que {s} ha cometido una violación por {vkind} (prueba {e}, calidad {x}).",
        ),
    ),
    "treaty_in_force": (
        ("{tp} entered into force ({states}).", "{tp} entró en vigor ({states})."),
        ("{t} entered into force.", "{t} entró en vigor."),
    ),
    "consent": (
        (
            "{s} consented to {s2}'s site {site} (up to {n} interceptors, compensation {m}/turn).",
            lambda g: (
                f"{g['s']} consintió en albergar la base {g['site']} de {g['s2']} "
                f"(hasta {_n(g['n'], 'interceptor', 'interceptores')}, compensación de "
                f"{_n(g['m'], 'punto', 'puntos')} por turno)."
            ),
        ),
    ),
    "hosted_site_online": (
        (
            "{s}'s site {site} in {s2} is now operational.",
            "La base {site} de {s} en {s2} ya está operativa.",
        ),
    ),
    "payment": (
        (
            "{s} paid {n} points to {s2} ({memo}).",
            lambda g: f"{g['s']} pagó {_n(g['n'], 'punto', 'puntos')} a {g['s2']} ({g['memo']}).",
        ),
        (
            "{s} paid {n} points to {s2}.",
            lambda g: f"{g['s']} pagó {_n(g['n'], 'punto', 'puntos')} a {g['s2']}.",
        ),
    ),
    "economic_pressure": (
        (
            "{s} put economic pressure on {s2} ({n} points).",
            lambda g: (
                f"{g['s']} ejerció presión económica sobre {g['s2']} ({_n(g['n'], 'punto', 'puntos')})."
            ),
        ),
    ),
    "concealment": (("{s} set concealment to {x}.", "{s} fijó su ocultación en {x}."),),
    "concealment_lapsed": (
        (
            "{s} could not pay concealment upkeep; concealment fell back.",
            "{s} no pudo pagar el mantenimiento de su ocultación; la ocultación bajó.",
        ),
    ),
    "ntm": (
        (
            "{s} raised its intelligence capability to {x}.",
            "{s} elevó su capacidad de inteligencia (MTN) a {x}.",
        ),
    ),
    "buy_interceptors": (
        ("{s} bought {q} {itype} interceptors.", lambda g: f"{g['s']} compró {_interceptors(g)}."),
    ),
    "radar": (
        (
            "{s} upgraded the radar at {site} to quality {x}.",
            "{s} mejoró el radar de {site} hasta una calidad de {x}.",
        ),
    ),
    "radar_mode": (
        (
            "{s} switched the radar at {site} to {mode} mode.",
            "{s} pasó el radar de {site} a modo {mode}.",
        ),
    ),
    "sensor_sharing": (
        (
            "{s} turned sensor sharing {onoff} at {site}.",
            "{s} {onoff} el intercambio de sensores en {site}.",
        ),
    ),
    "export_covert": (
        ("{s} secretly transferred {what} to {s2}.", "{s} transfirió en secreto {what} a {s2}."),
    ),
    "export": (("{s} transferred {what} to {s2}.", "{s} transfirió {what} a {s2}."),),
    "test": (
        (
            "{s} tested a {cls} missile ({notified}).",
            "{s} probó un misil {cls} (prueba {notified}).",
        ),
    ),
    "declare": (
        ("{s} declared no missiles.", "{s} declaró no tener misiles."),
        ("{s} declared {counts}.", "{s} declaró {counts}."),
    ),
    "limits": (
        ("{s} declared limits at {site}: {bits}.", "{s} declaró límites en {site}: {bits}."),
    ),
    "policy": (
        ("{s} will {policy} challenge inspections.", "{s} {policy} las inspecciones por denuncia."),
    ),
    "inspection_clean": (
        (
            "{s}'s {n} inspection visit(s) in {s2} found no violation.",
            lambda g: (
                f"La visita de inspección de {g['s']} en {g['s2']} no encontró ninguna violación."
                if g["n"] == "1"
                else f"Las {g['n']} visitas de inspección de {g['s']} en {g['s2']} no encontraron "
                "ninguna violación."
            ),
        ),
    ),
    "evidence_shared": (
        (
            "{s} shared evidence about {s2} with {s3} (now {e}).",
            "{s} compartió con {s3} pruebas sobre {s2} (ahora {e}).",
        ),
    ),
    "accusation": (
        (
            "{s} published evidence that {s2} breached {commitments} (quality {x}).",
            "{s} publicó pruebas de que {s2} incumplió {commitments} (calidad {x}).",
        ),
        (
            "{s} published evidence that {s2} breached {t} (quality {x}).",
            "{s} publicó pruebas de que {s2} incumplió {t} (calidad {x}).",
        ),
    ),
    "accusation_refuted": (
        (
            "An inspection did not confirm {s}'s accusation against {s2}.",
            "Una inspección no confirmó la acusación de {s} contra {s2}.",
        ),
    ),
    "consent_revoked": (
        (
            "Public opposition forced {s} to revoke consent for {site} (inert from turn {n}).",
            "La oposición pública obligó a {s} a revocar su consentimiento para {site} "
            "(inactiva desde el turno {n}).",
        ),
        (
            "{s} revoked consent for {site}; the site goes inert on turn {n}.",
            "{s} revocó su consentimiento para {site}; la base quedará inactiva en el turno {n}.",
        ),
    ),
    "order_rejected": (
        ("Order {n} ({otype}) was rejected: {msg}", "La orden {n} ({otype}) fue rechazada: {msg}"),
    ),
    "treaty_expired": (("{t} expired.", "{t} expiró."),),
    "withdrawal_notice": (
        (
            "{s} gave notice to leave {t}; effective turn {n}.",
            "{s} notificó su retirada de {t}, efectiva en el turno {n}.",
        ),
    ),
    "treaty_renewed": (("{t} was renewed until turn {n}.", "{t} se renovó hasta el turno {n}."),),
    "agreement": (
        (
            "{s} and {s2} set up {agreement}.",
            lambda g: f"{g['s']} {_y(g['s2'])} {g['s2']} establecieron {g['agreement']}.",
        ),
    ),
    "research": (
        (
            "{s} started a {cls} programme ({n} tests needed).",
            lambda g: (
                f"{g['s']} inició un programa de {g['cls']} "
                f"({_n(g['n'], 'prueba necesaria', 'pruebas necesarias')})."
            ),
        ),
        ("{s} improved its countermeasures.", "{s} mejoró sus contramedidas."),
        ("{s} improved its radar discrimination.", "{s} mejoró la discriminación de su radar."),
        (
            "{s} completed its {cls} programme and can now build {cls2}.",
            "{s} completó su programa de {cls} y ya puede construir {cls2}.",
        ),
        (
            "{s} advanced its nuclear programme to stage {n}.",
            "{s} avanzó su programa nuclear hasta la etapa {n}.",
        ),
    ),
    "nuclear_test": (
        (
            "{s} has become a nuclear-armed state.",
            "{s} se ha convertido en un Estado con armas nucleares.",
        ),
    ),
    "reduce": (
        (
            "{s} eliminated {q} {cls} (verified by {states}).",
            "{s} eliminó {q} {cls} (verificado por {states}).",
        ),
        ("{s} eliminated {q} {cls}.", "{s} eliminó {q} {cls}."),
    ),
    "build_covert": (("{s} secretly built {q} {cls}.", "{s} construyó en secreto {q} {cls}."),),
    "build": (("{s} built {q} {cls}.", "{s} construyó {q} {cls}."),),
    "deploy": (
        (
            "{s} deployed {q} {itype} interceptors at {site} without declared limits.",
            lambda g: (
                f"{g['s']} desplegó {_interceptors(g)} en {g['site']} sin límites declarados."
            ),
        ),
        (
            "{s} deployed {q} {itype} interceptors at {site}.",
            lambda g: f"{g['s']} desplegó {_interceptors(g)} en {g['site']}.",
        ),
    ),
    "withdraw_deployment": (
        (
            "{s} withdrew {q} {itype} interceptors from {site}.",
            lambda g: f"{g['s']} retiró {_interceptors(g)} de {g['site']}.",
        ),
    ),
    "challenge": (
        (
            "{s} carried out a challenge inspection in {s2}.",
            "{s} realizó una inspección por denuncia en {s2}.",
        ),
    ),
    "challenge_refused": (
        (
            "{s} refused a challenge inspection requested by {s2}.",
            "{s} rechazó una inspección por denuncia solicitada por {s2}.",
        ),
    ),
    "crisis": (
        (
            "A crisis broke out between {s} and {s2}; it was contained.",
            lambda g: f"Estalló una crisis entre {g['s']} {_y(g['s2'])} {g['s2']}; fue contenida.",
        ),
    ),
    "catastrophe": (
        (
            "A crisis between {s} and {s2} escalated into a strategic catastrophe. The game is over.",
            lambda g: (
                f"Una crisis entre {g['s']} {_y(g['s2'])} {g['s2']} escaló hasta una catástrofe "
                "estratégica. La partida ha terminado."
            ),
        ),
    ),
    "treaty_withdrawal": (
        ("{s}'s withdrawal from {t} took effect.", "La retirada de {s} de {t} se hizo efectiva."),
        ("{s} abruptly left {t}.", "{s} abandonó {t} de forma abrupta."),
        ("{s} left {t}.", "{s} abandonó {t}."),
    ),
    "observers": (
        (
            "{s} hosted observers from {s2} at {site}.",
            "{s} recibió a observadores de {s2} en {site}.",
        ),
        ("{s} hosted observers from {s2}.", "{s} recibió a observadores de {s2}."),
    ),
    "exercise": (
        (
            "{s} and {s2} held a joint exercise.",
            lambda g: f"{g['s']} {_y(g['s2'])} {g['s2']} realizaron un ejercicio conjunto.",
        ),
    ),
    "declassified": (
        (
            "Declassified: {s} had secretly breached {t} ({vkind}, {raw}).",
            "Desclasificado: {s} había incumplido en secreto {t} ({vkind}, {raw}).",
        ),
    ),
    "game_over": (
        (
            "Strategic catastrophe: a crisis escalated.",
            "Catástrofe estratégica: una crisis escaló.",
        ),
        ("All {n} turns have been played.", "Se han jugado los {n} turnos."),
        ("The facilitator ended the game.", "El facilitador terminó la partida."),
    ),
    # "inject" is translated from the scenario's own translation (see _inject).
    "inject": (),
}

_ES_RULES: Mapping[str, tuple[Entry, ...]] = {
    RuleCode.E_NO_TECH: (
        (
            "{s} has no production technology for {cls}.",
            "{s} no tiene tecnología de producción de {cls}.",
        ),
        (
            "{s} neither owns {cls} nor has a {cls2} programme to test.",
            "{s} no tiene {cls} ni un programa de {cls2} que probar.",
        ),
        (
            "{s} has no {cls} technology to export.",
            "{s} no tiene tecnología de {cls} que exportar.",
        ),
        (
            "{rtech} research needs {need} technology first.",
            "La investigación de {rtech} necesita antes la tecnología {need}.",
        ),
    ),
    RuleCode.E_CAPACITY: (
        (
            "{s} can build at most {n} {cls} per turn ({m} left this turn).",
            lambda g: (
                f"{g['s']} puede construir como máximo {g['n']} {g['cls']} por turno "
                f"({'le queda' if g['m'] == '1' else 'le quedan'} {g['m']} este turno)."
            ),
        ),
        (
            "The radar at {site} cannot exceed quality {x}.",
            "El radar de {site} no puede superar una calidad de {x}.",
        ),
        ("NTM cannot exceed {x}.", "Los MTN no pueden superar {x}."),
        ("Concealment cannot exceed {x}.", "La ocultación no puede superar {x}."),
        ("Countermeasures are already at the maximum.", "Las contramedidas ya están al máximo."),
        ("Discrimination is already at the maximum.", "La discriminación ya está al máximo."),
    ),
    RuleCode.E_BUDGET: (
        (
            "{s} cannot afford {q} {itype} interceptors: costs {n}, budget left {m}.",
            lambda g: (
                f"{g['s']} no puede pagar {_interceptors(g)}: cuestan {g['n']} y al presupuesto "
                f"le quedan {g['m']}."
            ),
        ),
        (
            "{s} cannot afford {q} {cls}: costs {n}, budget left {m}.",
            "{s} no puede pagar {q} {cls}: cuestan {n} y al presupuesto le quedan {m}.",
        ),
        (
            "{s} cannot afford {lowlabel}: costs {n}, budget left {m}.",
            "{s} no puede pagar la orden «{lowlabel}»: cuesta {n} y al presupuesto le quedan {m}.",
        ),
    ),
    RuleCode.E_NEGATIVE: (
        (
            "Declared {cls} cannot be negative.",
            "La cantidad declarada de {cls} no puede ser negativa.",
        ),
        ("{label} cannot be negative.", "«{label}» no puede ser negativo."),
        (
            "{s} has only {n} {cls}; cannot eliminate {q}.",
            "{s} solo tiene {n} {cls}; no puede eliminar {q}.",
        ),
        ("{s} has only {n} {cls} to export.", "{s} solo tiene {n} {cls} para exportar."),
        (
            "{s} has only {n} {itype} interceptors in store; cannot deploy {q}.",
            lambda g: (
                f"{g['s']} solo tiene {_interceptors(g, 'n')} en el almacén; no puede desplegar {g['q']}."
            ),
        ),
        (
            "{site} has only {n} {itype} interceptors to withdraw.",
            lambda g: f"{g['site']} solo tiene {_interceptors(g, 'n')} que retirar.",
        ),
    ),
    RuleCode.E_UNKNOWN: (
        ("Unknown order type {raw}.", "Tipo de orden desconocido: {raw}."),
        ("Unknown missile class {raw}.", "Clase de misil desconocida: {raw}."),
        ("Unknown interceptor type {raw}.", "Tipo de interceptor desconocido: {raw}."),
        ("Unknown state {raw}.", "Estado desconocido: {raw}."),
        ("Unknown site {raw}.", "Base desconocida: {raw}."),
        ("Unknown treaty {raw}.", "Tratado desconocido: {raw}."),
        ("Unknown viewer {raw}.", "Espectador desconocido: {raw}."),
        (
            "There is no consent for {site} to revoke.",
            "No hay ningún consentimiento para {site} que revocar.",
        ),
        ("{s} holds no evidence {raw}.", "{s} no tiene ninguna prueba {raw}."),
        ("No tabled treaty has these terms.", "Ningún tratado presentado tiene estas condiciones."),
    ),
    RuleCode.E_NO_COUNTERPART: (
        (
            "The export and the import must match (same states, class, quantity).",
            "La exportación y la importación deben coincidir (mismos Estados, clase y cantidad).",
        ),
        ("{s} did not agree the {aglabel} this turn.", "{s} no acordó {aglabel} este turno."),
        (
            "{t} needs every party's signature this turn (missing: {states}).",
            "{t} necesita la firma de todas las partes este turno (faltan: {states}).",
        ),
        (
            "An invitation needs the partner's ACCEPT in the same turn.",
            "Una invitación necesita que la otra parte la acepte (ACCEPT) en el mismo turno.",
        ),
        (
            "A verified elimination needs an accepted observer invitation this turn.",
            "Una eliminación verificada necesita una invitación a observadores aceptada este turno.",
        ),
    ),
    RuleCode.E_NO_CONSENT: (
        (
            "{s} has not consented to {s2}'s site {site}.",
            "{s} no ha consentido la base {site} de {s2}.",
        ),
        ("{site} belongs to {s}.", "{site} pertenece a {s}."),
        (
            "{s} has not allowed forward mode at {site}.",
            "{s} no ha autorizado el modo avanzado en {site}.",
        ),
        (
            "{s} has not allowed sensor sharing at {site}.",
            "{s} no ha autorizado el intercambio de sensores en {site}.",
        ),
    ),
    RuleCode.E_SITE_CAPACITY: (
        (
            "{site} holds at most {n} interceptors ({m} there now).",
            "{site} admite como máximo {n} interceptores (ahora hay {m}).",
        ),
        (
            "{s}'s consent allows at most {n} interceptors at {site} ({m} there now).",
            "El consentimiento de {s} permite como máximo {n} interceptores en {site} (ahora hay {m}).",
        ),
        ("{site} holds at most {n} interceptors.", "{site} admite como máximo {n} interceptores."),
    ),
    RuleCode.E_QUOTA: (
        (
            "{t} allows {n} visits per turn to each party ({m} asked).",
            "{t} permite {n} visitas por turno a cada parte (se pidieron {m}).",
        ),
    ),
    RuleCode.E_DS_TOO_LOW: (
        (
            "{s}'s domestic support ({n}) is below {m}, needed to consent to a foreign site.",
            "El apoyo interno de {s} ({n}) está por debajo de {m}, el mínimo para consentir una base "
            "extranjera.",
        ),
        (
            "{s}'s domestic support ({n}) is below {m}, needed to ratify a treaty.",
            "El apoyo interno de {s} ({n}) está por debajo de {m}, el mínimo para ratificar un tratado.",
        ),
    ),
    RuleCode.E_NOTICE: (
        (
            "Consent for {site} is already being revoked.",
            "El consentimiento para {site} ya se está revocando.",
        ),
        ("{s} has already given notice to leave {t}.", "{s} ya ha notificado su retirada de {t}."),
    ),
    RuleCode.E_TOO_MANY_TESTS: (
        ("At most {n} tests per turn.", "Como máximo {n} pruebas por turno."),
    ),
    RuleCode.E_BAD_PARAM: (
        ("An order must be a JSON object.", "Una orden debe ser un objeto JSON."),
        ("The order has no 'type'.", "La orden no tiene «type»."),
        ("Not an order.", "No es una orden."),
        (
            "{label}: expected yes/no, got {raw}.",
            "{label}: se esperaba sí o no y se recibió {raw}.",
        ),
        ("{label}: '{label2}' is required.", "{label}: «{label2}» es obligatorio."),
        (
            "{label}: expected a whole number, got {raw}.",
            "{label}: se esperaba un número entero y se recibió {raw}.",
        ),
        (
            "{cls}: expected a whole number, got {raw}.",
            "{cls}: se esperaba un número entero y se recibió {raw}.",
        ),
        ("{label} must be at least {n}.", "«{label}» debe ser al menos {n}."),
        ("{label} must be at most {n}.", "«{label}» debe ser como máximo {n}."),
        ("{label}: expected counts per class.", "{label}: se esperaban cantidades por clase."),
        ("Declared {cls} is implausibly large.", "La cantidad declarada de {cls} es inverosímil."),
        ("{label}: expected text, got {raw}.", "{label}: se esperaba un texto y se recibió {raw}."),
        ("{label} is too long.", "«{label}» es demasiado largo."),
        ("{label} must be one of {raw}.", "«{label}» debe ser uno de estos valores: {raw}."),
        (
            "Priority must be a whole number between -1000 and 1000.",
            "La prioridad debe ser un número entero entre -1000 y 1000.",
        ),
        ("order_id must be text.", "order_id debe ser un texto."),
        ("{s} cannot do this with itself.", "{s} no puede hacer esto consigo mismo."),
        (
            "Export at least one missile (or tick 'technology').",
            "Exporta al menos un misil (o marca «tecnología»).",
        ),
        (
            "Accept at least one missile (or tick 'technology').",
            "Acepta al menos un misil (o marca «tecnología»).",
        ),
        ("{site} takes only {raw} interceptors.", "{site} solo admite interceptores {raw}."),
        ("{site} is operated by {s}.", "{site} la opera {s}."),
        ("{site} already hosts {s}.", "{site} ya alberga a {s}."),
        ("{s} already has this agreement with {s2}.", "{s} ya tiene este acuerdo con {s2}."),
        (
            "{site} already holds more than {n} interceptors.",
            "{site} ya tiene más de {n} interceptores.",
        ),
        ("{t} is not in force.", "{t} no está en vigor."),
        (
            "{t} has no challenge-inspection clause.",
            "{t} no tiene cláusula de inspección por denuncia.",
        ),
        ("Invest in multiples of {n} points.", "Invierte en múltiplos de {n} puntos."),
        ("Evidence {e} is already public.", "La prueba {e} ya es pública."),
        ("{t} is already in force.", "{t} ya está en vigor."),
        (
            "{s} already has {rtech} technology or a programme for it.",
            "{s} ya tiene la tecnología de {rtech} o un programa para obtenerla.",
        ),
        (
            "{s} has no nuclear programme step left to take.",
            "{s} no tiene más pasos del programa nuclear que dar.",
        ),
        ("Unknown treaty template {raw}.", "Tipo de tratado desconocido: {raw}."),
        ("A treaty needs at least two parties.", "Un tratado necesita al menos dos partes."),
        (
            "Treaty term {raw} has an invalid value.",
            "La condición {raw} del tratado tiene un valor no válido.",
        ),
        ("Unknown treaty term {raw}.", "Condición de tratado desconocida: {raw}."),
        (
            "An offense cap needs 'caps' or 'weighted_cap'.",
            "Un límite ofensivo necesita «caps» o «weighted_cap».",
        ),
        ("A class ban needs 'classes'.", "Una prohibición de clases necesita «classes»."),
    ),
    RuleCode.E_GAME_OVER: (
        (
            "The game is over; no more orders.",
            "La partida ha terminado; no se admiten más órdenes.",
        ),
        (
            "The game is over; nothing left to resolve.",
            "La partida ha terminado; no queda nada por resolver.",
        ),
        (
            "The game is over; no more injects.",
            "La partida ha terminado; no se admiten más eventos.",
        ),
        ("The game is over.", "La partida ha terminado."),
    ),
    RuleCode.E_NOT_PARTY: (
        (
            "Both {s} and {s2} must be parties to {t}.",
            lambda g: f"{g['s']} {_y(g['s2'])} {g['s2']} deben ser partes de {g['t']}.",
        ),
        ("{s} is not listed in {t}.", "{s} no figura en {t}."),
        ("{s} is not a party to {t}.", "{s} no es parte de {t}."),
    ),
    RuleCode.E_NOT_OWNER: (
        (
            "Only the owner or host can declare limits for {site}.",
            "Solo el propietario o el anfitrión pueden declarar límites para {site}.",
        ),
        (
            "Only the owner can withdraw from {site}.",
            "Solo el propietario puede retirar interceptores de {site}.",
        ),
        ("{s} does not operate {site}.", "{s} no opera {site}."),
        ("Only {s} can consent for {site}.", "Solo {s} puede dar su consentimiento para {site}."),
        (
            "Only the host can revoke consent for {site}.",
            "Solo el anfitrión puede revocar el consentimiento para {site}.",
        ),
        (
            "Only the owner or host can limit {site}.",
            "Solo el propietario o el anfitrión pueden limitar {site}.",
        ),
        ("{s} cannot open {site} to visitors.", "{s} no puede abrir {site} a los visitantes."),
    ),
    RuleCode.E_DISABLED: (
        (
            "Economic pressure is not used in this scenario.",
            "La presión económica no se usa en este escenario.",
        ),
    ),
}

_ES_RULE_GENERAL: Mapping[str, str] = {
    RuleCode.E_NO_TECH: "Tu Estado no tiene la tecnología necesaria.",
    RuleCode.E_CAPACITY: "La orden supera una capacidad máxima.",
    RuleCode.E_BUDGET: "No hay presupuesto suficiente para esta orden.",
    RuleCode.E_NEGATIVE: "No hay cantidad suficiente (no puede quedar en negativo).",
    RuleCode.E_UNKNOWN: "La orden menciona algo que no existe en esta partida.",
    RuleCode.E_NO_COUNTERPART: "Falta la orden correspondiente del otro Estado este turno.",
    RuleCode.E_NO_CONSENT: "Falta el consentimiento del Estado anfitrión.",
    RuleCode.E_SITE_CAPACITY: "La base no tiene capacidad suficiente.",
    RuleCode.E_QUOTA: "Se ha superado la cuota de inspecciones del tratado.",
    RuleCode.E_DS_TOO_LOW: "El apoyo interno es demasiado bajo para esta orden.",
    RuleCode.E_NOTICE: "Ya hay un preaviso en curso.",
    RuleCode.E_TOO_MANY_TESTS: "Demasiadas pruebas de misiles en este turno.",
    RuleCode.E_BAD_PARAM: "Un valor de la orden no es válido.",
    RuleCode.E_GAME_OVER: "La partida ha terminado.",
    RuleCode.E_NOT_PARTY: "Tu Estado no es parte de ese tratado.",
    RuleCode.E_NOT_OWNER: "Tu Estado no opera esa base.",
    RuleCode.E_DISABLED: "Esta orden no está disponible en este escenario.",
}

_ES_COMPONENTS: Mapping[str, str] = {
    "S_crisis": "La estabilidad ante un primer ataque",
    "S_race": "La contención de la carrera armamentística",
    "S_trust": "La confianza mutua",
    "S_regime": "El régimen de tratados",
    "S_transp": "La transparencia",
    "S_percep": "La cobertura de verificación",
    "P_inc": "La penalización por incidentes",
}


_ES_LEDGER: Mapping[str, str] = {
    "income": "ingresos",
    "order_costs": "coste de las órdenes",
    "payments_in": "pagos recibidos",
    "compensation_in": "compensación recibida",
    "compensation_out": "compensación pagada",
    "pressure_loss": "pérdida por presión económica",
    "maintenance": "mantenimiento",
    "concealment_upkeep": "mantenimiento de la ocultación",
    "inject": "eventos",
}


@dataclass(frozen=True, slots=True)
class _Catalog:
    events: Mapping[str, tuple[Entry, ...]]
    rules: Mapping[str, tuple[Entry, ...]]
    rule_general: Mapping[str, str]
    components: Mapping[str, str]
    ledger: Mapping[str, str]
    subs: Mapping[str, Mapping[str, str] | tuple[Entry, ...]]
    rose: str
    fell: str
    because: Callable[[Fields], str]
    shifted: Callable[[Fields], str]
    more: Callable[[Fields], str]
    incidents: Callable[[Fields], str]
    incidents_none: str
    decimal: str


_ES = _Catalog(
    events=_ES_EVENTS,
    rules=_ES_RULES,
    rule_general=_ES_RULE_GENERAL,
    components=_ES_COMPONENTS,
    ledger=_ES_LEDGER,
    subs=_ES_SUB,
    rose="subió",
    fell="bajó",
    because=lambda g: f"{g['label']} {g['verb']} porque {g['why']}{g['more']}.",
    shifted=lambda g: (
        f"{g['label']} {g['verb']} al cambiar las percepciones de amenaza, la confianza "
        "y las estimaciones."
    ),
    more=lambda g: f" (y {g['n']} más)",
    incidents=lambda g: (
        f"Los incidentes restaron {_n(g['x'], 'punto', 'puntos')} al índice: {g['why']}."
    ),
    incidents_none="los incidentes de este turno",
    decimal=",",
)

CATALOGS: Mapping[str, _Catalog] = {"es": _ES}
"""Languages the engine's own texts are translated into (English is the base text)."""

LANGUAGES: tuple[str, ...] = tuple(CATALOGS)


def ledger_keys(lang: str) -> tuple[str, ...]:
    """Budget ledger lines (``income``, ``order_costs``...) that have a label in ``lang``."""
    cat = _catalog(lang)
    return tuple(sorted(cat.ledger)) if cat else ()


def _catalog(lang: str | None) -> _Catalog | None:
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-")
    return CATALOGS.get(code) or CATALOGS.get(code.split("-", 1)[0])


def event_kinds(lang: str) -> tuple[str, ...]:
    """Event kinds that have a template in ``lang`` (for completeness checks)."""
    cat = _catalog(lang)
    return tuple(sorted(cat.events)) if cat else ()


def rule_codes(lang: str) -> tuple[str, ...]:
    """Rule codes that have a general sentence in ``lang``."""
    cat = _catalog(lang)
    return tuple(sorted(cat.rule_general)) if cat else ()


def components(lang: str) -> tuple[str, ...]:
    """Explanation components (``S_crisis``, ..., ``P_inc``) that have a label in ``lang``."""
    cat = _catalog(lang)
    return tuple(sorted(cat.components)) if cat else ()


# --------------------------------------------------------------------------------- matching

_SLOT = re.compile(r"\{([a-z]+)(\d*)\}")
_NUM = r"-?\d+"
_FLOAT = r"-?\d+(?:\.\d+)?"
_PLAIN: Mapping[str, str] = {
    "n": _NUM,
    "m": _NUM,
    "q": _NUM,
    "x": _FLOAT,
    "cls": r"[A-Za-z0-9_]+",
    "itype": r"[A-Z]+",
    "otype": r"[A-Z_]+",
    "site": r"[^\s;,()']+",
    "e": r"[^\s;,()']+",
    "rtech": r"[A-Za-z0-9_]+",
    "counts": r"-?\d+ [A-Za-z0-9_]+(?:, -?\d+ [A-Za-z0-9_]+)*",
    "t": r".+?",
    "tp": r"[^(]+?",
    "memo": r".+",
    "raw": r".+?",
    "msg": r".+",
    "label": r"[^:;]+?",
    "lowlabel": r"[^:;]+?",
    "need": r".+?",
    "states": r".+?",
    "bitlist": r".+?",
}


@dataclass(frozen=True, slots=True)
class _Env:
    """What a translation needs besides the text: the catalog, names and a label translator."""

    cat: _Catalog
    names: Mapping[str, str]
    """English state name -> translated name."""
    labels: Labels | None
    code: str | None = None
    """The rule code of the message being translated, when known."""


_ORDER_LABEL_BY_LOWER: Mapping[str, str] = {s.label.lower(): s.label for s in ORDER_SPECS}


@lru_cache(maxsize=4096)
def _compiled(pattern: str, state_alt: str) -> re.Pattern[str]:
    out: list[str] = []
    pos = 0
    for m in _SLOT.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        base, name = m.group(1), m.group(1) + m.group(2)
        if base == "s":
            rx = state_alt
        elif base in _PLAIN:
            rx = _PLAIN[base]
        else:
            rx = r".+?"
        out.append(f"(?P<{name}>{rx})")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out), re.DOTALL)


def _state_alt(names: Mapping[str, str]) -> str:
    if not names:
        return r".+?"
    return "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))


def _render(render: Render, fields: Fields) -> str:
    return render(fields) if callable(render) else render.format_map(fields)


def _label(env: _Env, english: str) -> str:
    return env.labels(english) if env.labels is not None else english


def _localize(env: _Env, name: str, value: str) -> str | None:
    """The translated value of one captured field, or None if it cannot be translated."""
    base = name.rstrip("0123456789")
    cat = env.cat
    if base == "s":
        return env.names.get(value, value)
    if base == "states":
        return ", ".join(env.names.get(v, v) for v in value.split(", "))
    if base == "x":
        return value.replace(".", cat.decimal)
    if base == "label":
        return _label(env, value)
    if base == "lowlabel":
        return _label(env, _ORDER_LABEL_BY_LOWER.get(value, value)).lower()
    if base == "otype":
        spec = SPEC_BY_TYPE.get(value)
        return _label(env, spec.label) if spec is not None and env.labels is not None else value
    if base == "need":
        parts = [_localize(env, "rtech", p) for p in value.split(" or ")]
        return None if None in parts else " o ".join(p or "" for p in parts)
    if base == "rtech":
        sub = cat.subs.get("tech")
        return sub.get(value, value) if isinstance(sub, Mapping) else value
    if base == "bitlist":
        bits = [_match_entries(env, _sub_entries(cat, "bit"), b) for b in value.split(", ")]
        return None if None in bits else ", ".join(b or "" for b in bits)
    if base == "msg":
        out = _rule_any(env, value)
        return out if out is not None or env.code is None else cat.rule_general.get(env.code)
    if base in _PLAIN:
        return value
    sub = cat.subs.get(base)
    if sub is None:
        return value
    if isinstance(sub, Mapping):
        return sub.get(value)
    return _match_entries(env, sub, value)


def _sub_entries(cat: _Catalog, key: str) -> tuple[Entry, ...]:
    sub = cat.subs.get(key, ())
    return sub if isinstance(sub, tuple) else ()


def _match_entries(env: _Env, entries: tuple[Entry, ...], text: str) -> str | None:
    alt = _state_alt(env.names)
    for pattern, render in entries:
        m = _compiled(pattern, alt).fullmatch(text)
        if m is None:
            continue
        fields: dict[str, str] = {}
        for name, value in m.groupdict().items():
            loc = _localize(env, name, value)
            if loc is None:
                break
            fields[name] = loc
        else:
            return _render(render, fields)
    return None


def _rule_any(env: _Env, message: str) -> str | None:
    for entries in env.cat.rules.values():
        out = _match_entries(env, entries, message)
        if out is not None:
            return out
    return None


def _reasons(env: _Env, text: str) -> str | None:
    """Translate "; "-joined event sentences (each without its final full stop)."""
    parts = text.split("; ")
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(i + 1, len(parts) + 1):
            chunk = "; ".join(parts[i:j]) + "."
            hit = None
            for kind, entries in env.cat.events.items():
                if kind not in ("inject", "game_over", "order_rejected"):
                    hit = _match_entries(env, entries, chunk)
                    if hit is not None:
                        break
            if hit is not None:
                out.append(hit.rstrip("."))
                i = j
                break
        else:
            return None
    return "; ".join(out)


_BECAUSE = re.compile(
    r"(?P<label>.+?) (?P<verb>rose|fell) because (?P<why>.+?)(?: \(and (?P<more>\d+) more\))?\.",
    re.DOTALL,
)
_SHIFTED = re.compile(
    r"(?P<label>.+?) (?P<verb>rose|fell) as threat perceptions, trust and estimates shifted\."
)
_INCIDENTS = re.compile(
    r"Incidents took (?P<x>-?\d+(?:\.\d+)?) points off the index: (?P<why>.+)\.", re.DOTALL
)


# --------------------------------------------------------------------------------- public API


@dataclass(frozen=True, slots=True)
class EngineTexts:
    """The engine's texts in one language for one scenario. Build it once per page with
    :func:`texts_for`; in English (or a language without a catalog) every text is returned as
    the engine wrote it."""

    lang: str | None
    scenario: Scenario | None
    _env: _Env | None

    @property
    def translating(self) -> bool:
        """True if this language has a catalog (English has none: it is the base text)."""
        return self._env is not None

    def translate_event(
        self, kind: str, text: str, data: Mapping[str, object] | None = None
    ) -> str | None:
        """``text`` (an event of ``kind``, as the engine wrote it) translated; None if there is no
        template for it (an unknown kind or sentence) or no catalog. ``data`` is the event's data
        (its rule ``code`` lets a rejected order fall back to the code's general sentence)."""
        env = self._env
        if env is None:
            return None
        if kind == "inject":
            return _inject(self.scenario, self.lang or "", text)
        entries = env.cat.events.get(kind)
        if entries is None:
            return None
        code = data.get("code") if data is not None else None
        if isinstance(code, str):
            env = replace(env, code=code)
        return _match_entries(env, entries, text)

    def event(self, kind: str, text: str, data: Mapping[str, object] | None = None) -> str:
        """An event's text translated, or the English text if it cannot be."""
        out = self.translate_event(kind, text, data)
        return text if out is None else out

    def event_of_any_kind(self, text: str) -> str:
        """An event text whose kind was not kept (a private report lists only texts), translated
        by the first template of any kind that fits; else the English text."""
        env = self._env
        if env is None:
            return text
        for kind, entries in env.cat.events.items():
            out = _inject(self.scenario, self.lang or "", text) if kind == "inject" else None
            if out is not None and out != text:
                return out
            out = _match_entries(env, entries, text)
            if out is not None:
                return out
        return text

    def ledger_label(self, key: str) -> str:
        """A line of a private report's budget ledger (``order_costs`` -> "order costs")."""
        env = self._env
        if env is not None and key in env.cat.ledger:
            return env.cat.ledger[key]
        return key.replace("_", " ")

    def game_over(self, reason: str) -> str:
        """Why the game ended (the facilitator's own words stay as written)."""
        return self.event("game_over", reason)

    def translate_rule_error(self, code: str, message: str) -> str | None:
        """A rule error: its message translated, else the code's general sentence; None for an
        unknown code or no catalog."""
        env = self._env
        if env is None:
            return None
        out = _match_entries(env, env.cat.rules.get(code, ()), message)
        if out is None:
            out = _rule_any(env, message)
        return out if out is not None else env.cat.rule_general.get(code)

    def rule_error(self, code: str, message: str) -> str:
        """A rule error for a player (the English ``message`` if it cannot be translated)."""
        out = self.translate_rule_error(code, message)
        return message if out is None else out

    def translate_explanation(self, component: str, text: str) -> str | None:
        """One line of the "why the index moved" breakdown; None if it cannot be translated
        (unknown component or sentence, or no catalog)."""
        env = self._env
        if env is None or component not in env.cat.components:
            return None
        cat = env.cat
        label = cat.components[component]
        m = _INCIDENTS.fullmatch(text)
        if m is not None:
            why_en = m.group("why")
            why = cat.incidents_none if why_en == "incidents this turn" else _reasons(env, why_en)
            if why is None:
                return None
            return cat.incidents({"x": m.group("x").replace(".", cat.decimal), "why": why})
        m = _SHIFTED.fullmatch(text)
        if m is not None:
            verb = cat.rose if m.group("verb") == "rose" else cat.fell
            return cat.shifted({"label": label, "verb": verb})
        m = _BECAUSE.fullmatch(text)
        if m is not None:
            why = _reasons(env, m.group("why"))
            if why is None:
                return None
            more = cat.more({"n": m.group("more")}) if m.group("more") else ""
            verb = cat.rose if m.group("verb") == "rose" else cat.fell
            return cat.because({"label": label, "verb": verb, "why": why, "more": more})
        return None

    def explanation(self, component: str, text: str) -> str:
        """An explanation line translated, or the English ``text`` if it cannot be."""
        out = self.translate_explanation(component, text)
        return text if out is None else out


def texts_for(
    lang: str | None, scenario: Scenario | None = None, *, labels: Labels | None = None
) -> EngineTexts:
    """The engine's texts in ``lang`` (``"es"``, ``"es-MX"``...; English or None: unchanged).

    ``scenario`` gives the translated state names and scheduled injects; ``labels`` translates
    the engine's English order and parameter labels quoted in rule errors (the shell passes its
    gettext; without it they stay English)."""
    cat = _catalog(lang)
    if cat is None or lang is None:
        return EngineTexts(lang=lang, scenario=scenario, _env=None)
    names: dict[str, str] = {}
    if scenario is not None:
        english = {s.id: s.name for s in scenario.info.states}
        for s in localized_info(scenario, lang).states:
            names[english.get(s.id, s.name)] = s.name
    return EngineTexts(lang=lang, scenario=scenario, _env=_Env(cat=cat, names=names, labels=labels))


def _inject(scenario: Scenario | None, lang: str, text: str) -> str:
    """A scheduled inject in the scenario's translation; any other inject is the facilitator's own
    text, shown as written."""
    if scenario is None:
        return text
    for en, tr in zip(scenario.injects, localized_injects(scenario, lang), strict=True):
        if f"{en.title}: {en.text}".strip(": ") == text:
            return f"{tr.title}: {tr.text}".strip(": ")
    return text
