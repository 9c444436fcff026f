"""The engine's English catalogue: every sentence the engine says, by message id (issue #13).

Each entry is an English template with named placeholders (:mod:`game_engine.messages` says how
each placeholder is shown) and, where a count decides the grammar, a plural form. The strings are
marked with the no-op markers :func:`N_`, :func:`NP_` and :func:`NC_` so that ``manage.py
makemessages`` (the project's command adds ``--keyword=N_ --keyword=NP_:1,2 --keyword=NC_:1c,2``) copies them into the gettext catalogues:
a language is a ``.po`` file and nothing else. The shell renders a message with gettext/ngettext
of these very strings (negotiation/engine_texts.py).

Ids are stable: stored games hold them. Change an English wording freely (its translations are
then fuzzy until reviewed); never reuse an id for a different meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def N_(text: str) -> str:
    """Marks a catalogue string for extraction (gettext_noop)."""
    return text


def NC_(context: str, text: str) -> tuple[str, str]:
    """Marks a string with a context for extraction (pgettext_noop): a short word that means
    something else elsewhere in the interface."""
    return context, text


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular/plural pair for extraction (ngettext_noop)."""
    return singular, plural


@dataclass(frozen=True, slots=True)
class Entry:
    """One message: its English template, the plural template and the parameter that counts."""

    text: str
    plural: str | None = None
    count: str = "n"
    join: str = ", "
    """How the message's parts are joined into ``{parts}`` (a join with words is translated)."""
    strip_parts: bool = False
    """Drop each part's final full stop (event sentences quoted as reasons)."""
    context: str | None = None
    """The gettext context (msgctxt) of a word that has another meaning elsewhere."""


def E(text: str, *, join: str = ", ", strip_parts: bool = False) -> Entry:
    return Entry(text, join=join, strip_parts=strip_parts)


def C(pair: tuple[str, str]) -> Entry:
    return Entry(pair[1], context=pair[0])


def P(forms: tuple[str, str], count: str = "n") -> Entry:
    return Entry(forms[0], forms[1], count=count)


_EVENTS: dict[str, Entry] = {
    "event.site_inert": E(N_("{site} is no longer operated by {s}: {parts}."), join=""),
    "reason.consent_revoked": E(N_("{s} revoked its consent")),
    "reason.no_consent": E(N_("no active consent")),
    "event.limits_broken": E(N_("The declared limits at {site} lapsed: {parts}."), join=""),
    "why.over_pledge": P(NP_("{n} interceptor exceeds the pledge of {m}",
                             "{n} interceptors exceed the pledge of {m}")),
    "why.forward_mode": E(N_("the radar was switched to forward mode")),
    "why.sensor_sharing": E(N_("sensor sharing was switched on")),
    "event.violation_public": E(N_("{s} was found in breach of {t} ({parts})."), join=""),
    "event.violation_public_notification": E(
        N_("{s} was found in breach of its launch-notification agreement ({parts})."), join=""),
    "event.violation_public_agreement": E(N_("{s} was found in breach of an agreement ({parts})."), join=""),
    "violation.cap": E(N_("{cls} above the cap by {x}")),
    "violation.cap_weighted": E(N_("weighted above the cap by {x}")),
    "violation.defense": E(N_("defense limit exceeded ({w})")),
    "violation.defense_site": E(N_("defense limit exceeded at site {site}")),
    "violation.test": E(N_("unnotified missile test")),
    "violation.export": E(N_("controlled missile export")),
    "violation.misdeclare": E(N_("false declaration")),
    "violation.program": E(N_("nuclear programme step")),
    "violation.withdrawal": E(N_("abrupt withdrawal")),
    "violation.other": E(N_("{raw}")),
    "event.evidence_kind": E(N_(
        "Your intelligence services suspect {s} of a {w} violation (evidence {e}, quality {x}).")),
    "event.evidence_ntm": E(N_(
        "Your intelligence services suspect {s} of a violation (evidence {e}, quality {x}).")),
    "event.evidence_osi": E(N_("Your inspectors suspect {s} of a violation (evidence {e}, quality {x}).")),
    "event.treaty_in_force": E(N_("{t} entered into force ({states}).")),
    "event.treaty_in_force_short": E(N_("{t} entered into force.")),
    "event.consent": P(NP_(
        "{s} consented to {s2}'s site {site} (up to {n} interceptor, compensation {m}/turn).",
        "{s} consented to {s2}'s site {site} (up to {n} interceptors, compensation {m}/turn).")),
    "event.hosted_site_online": E(N_("{s}'s site {site} in {s2} is now operational.")),
    "event.payment": P(NP_("{s} paid {n} point to {s2}.", "{s} paid {n} points to {s2}.")),
    "event.payment_memo": P(NP_("{s} paid {n} point to {s2} ({memo}).",
                                "{s} paid {n} points to {s2} ({memo}).")),
    "event.economic_pressure": P(NP_("{s} put economic pressure on {s2} ({n} point).",
                                     "{s} put economic pressure on {s2} ({n} points).")),
    "event.concealment": E(N_("{s} set concealment to {x}.")),
    "event.concealment_lapsed": E(N_("{s} could not pay concealment upkeep; concealment fell back.")),
    "event.ntm": E(N_("{s} raised its intelligence capability to {x}.")),
    "event.buy_interceptors": P(NP_("{s} bought {n} {itype} interceptor.",
                                    "{s} bought {n} {itype} interceptors.")),
    "event.radar": E(N_("{s} upgraded the radar at {site} to quality {x}.")),
    "event.radar_mode": E(N_("{s} switched the radar at {site} to {w} mode.")),
    "event.sensor_sharing_on": E(N_("{s} turned sensor sharing on at {site}.")),
    "event.sensor_sharing_off": E(N_("{s} turned sensor sharing off at {site}.")),
    "event.export": E(N_("{s} transferred {n} {cls} to {s2}.")),
    "event.export_covert": E(N_("{s} secretly transferred {n} {cls} to {s2}.")),
    "event.export_tech": E(N_("{s} transferred {cls} production technology to {s2}.")),
    "event.export_tech_covert": E(N_("{s} secretly transferred {cls} production technology to {s2}.")),
    "event.test_notified": E(N_("{s} tested a {cls} missile (notified).")),
    "event.test_unnotified": E(N_("{s} tested a {cls} missile (not notified).")),
    "event.declare": E(N_("{s} declared {parts}.")),
    "event.declare_none": E(N_("{s} declared no missiles.")),
    "count.missiles": E(N_("{n} {cls}")),
    "event.limits": E(N_("{s} declared limits at {site}: {parts}.")),
    "limit.max_interceptors": P(NP_("at most {n} interceptor", "at most {n} interceptors")),
    "limit.terminal_only": E(N_("terminal-mode radar only")),
    "limit.no_sensor_sharing": E(N_("no sensor sharing")),
    "limit.see_note": E(N_("see note")),
    "event.policy_accept": E(N_("{s} will accept challenge inspections.")),
    "event.policy_refuse": E(N_("{s} will refuse challenge inspections.")),
    "event.inspection_clean": P(NP_("{s}'s {n} inspection visit in {s2} found no violation.",
                                    "{s}'s {n} inspection visits in {s2} found no violation.")),
    "event.evidence_shared": E(N_("{s} shared evidence about {s2} with {s3} (now {e}).")),
    "event.accusation": E(N_("{s} published evidence that {s2} breached {t} (quality {x}).")),
    "event.accusation_commitments": E(N_(
        "{s} published evidence that {s2} breached its commitments (quality {x}).")),
    "event.accusation_refuted": E(N_("An inspection did not confirm {s}'s accusation against {s2}.")),
    "event.consent_revoked_by_opposition": E(N_(
        "Public opposition forced {s} to revoke consent for {site} (inert from turn {n}).")),
    "event.consent_revoked": E(N_("{s} revoked consent for {site}; the site goes inert on turn {n}.")),
    "event.order_rejected": E(N_("Order {n} ({otype}) was rejected: {parts}"), join=""),
    "event.treaty_expired": E(N_("{t} expired.")),
    "event.withdrawal_notice": E(N_("{s} gave notice to leave {t}; effective turn {n}.")),
    "event.treaty_renewed": E(N_("{t} was renewed until turn {n}.")),
    "event.agreement": E(N_("{s} and {s2} set up {w}.")),
    "event.research_started": P(NP_("{s} started a {cls} programme ({n} test needed).",
                                    "{s} started a {cls} programme ({n} tests needed).")),
    "event.research_cm": E(N_("{s} improved its countermeasures.")),
    "event.research_discrimination": E(N_("{s} improved its radar discrimination.")),
    "event.research_completed": E(N_("{s} completed its {cls} programme and can now build {cls}.")),
    "event.research_program": E(N_("{s} advanced its nuclear programme to stage {n}.")),
    "event.nuclear_test": E(N_("{s} has become a nuclear-armed state.")),
    "event.reduce": E(N_("{s} eliminated {n} {cls}.")),
    "event.reduce_verified": E(N_("{s} eliminated {n} {cls} (verified by {states}).")),
    "event.build": E(N_("{s} built {n} {cls}.")),
    "event.build_covert": E(N_("{s} secretly built {n} {cls}.")),
    "event.deploy": P(NP_("{s} deployed {n} {itype} interceptor at {site}.",
                          "{s} deployed {n} {itype} interceptors at {site}.")),
    "event.deploy_unlimited": P(NP_(
        "{s} deployed {n} {itype} interceptor at {site} without declared limits.",
        "{s} deployed {n} {itype} interceptors at {site} without declared limits.")),
    "event.withdraw_deployment": P(NP_("{s} withdrew {n} {itype} interceptor from {site}.",
                                       "{s} withdrew {n} {itype} interceptors from {site}.")),
    "event.challenge": E(N_("{s} carried out a challenge inspection in {s2}.")),
    "event.challenge_refused": E(N_("{s} refused a challenge inspection requested by {s2}.")),
    "event.crisis": E(N_("A crisis broke out between {s} and {s2}; it was contained.")),
    "event.catastrophe": E(N_(
        "A crisis between {s} and {s2} escalated into a strategic catastrophe. The game is over.")),
    "event.treaty_withdrawal": E(N_("{s}'s withdrawal from {t} took effect.")),
    "event.treaty_left_abruptly": E(N_("{s} abruptly left {t}.")),
    "event.treaty_left": E(N_("{s} left {t}.")),
    "event.observers": E(N_("{s} hosted observers from {s2}.")),
    "event.observers_at": E(N_("{s} hosted observers from {s2} at {site}.")),
    "event.exercise": E(N_("{s} and {s2} held a joint exercise.")),
    "event.declassified": E(N_("Declassified: {s} had secretly breached {t} ({w}, {raw}).")),
    "event.inject": E(N_("{title}: {text}")),
    "game_over.catastrophe": E(N_("Strategic catastrophe: a crisis escalated.")),
    "game_over.all_turns": E(N_("All {n} turns have been played.")),
    "game_over.facilitator": E(N_("The facilitator ended the game.")),
    "text.verbatim": E(N_("{text}")),
    "text.legacy": E(N_("{text}")),
}

_WORDS: dict[str, Entry] = {
    "word.mode.terminal": E(N_("terminal")),
    "word.mode.forward": E(N_("forward")),
    "word.agreement.HOTLINE": E(N_("a hotline")),
    "word.agreement.NOTIFICATION": E(N_("a launch-notification agreement")),
    "word.agreement.DATA_EXCHANGE": E(N_("a data-exchange agreement")),
    "word.agreed.HOTLINE": E(N_("hotline")),
    "word.agreed.NOTIFICATION": E(N_("launch notification")),
    "word.agreed.DATA_EXCHANGE": E(N_("data exchange")),
    "word.vkind.cap": E(N_("arms cap")),
    "word.vkind.defense": E(N_("defense limits")),
    "word.vkind.test": E(N_("unnotified test")),
    "word.vkind.export": E(N_("export control")),
    "word.vkind.misdeclare": E(N_("false declaration")),
    "word.vkind.program": E(N_("nuclear programme")),
    "word.vkind.withdrawal": E(N_("abrupt withdrawal")),
    "word.dclause.total": E(N_("total interceptors")),
    "word.dclause.sites": E(N_("number of sites")),
    "word.dclause.foreign_basing": E(N_("foreign basing")),
    "word.dclause.radar_mode": E(N_("radar mode")),
    "word.tech.cm": E(N_("countermeasures")),
    "word.tech.discrimination": E(N_("discrimination")),
    "word.tech.program": E(N_("nuclear programme")),
    "word.treaty_status.draft": E(N_("draft")),
    "word.treaty_status.in_force": E(N_("in force")),
    "word.treaty_status.withdrawing": E(N_("withdrawing")),
    "word.treaty_status.terminated": E(N_("terminated")),
    "word.treaty_status.expired": E(N_("expired")),
    "word.itype.TERMINAL": E(N_("terminal")),
    "word.itype.MIDCOURSE": E(N_("midcourse")),
    "word.policy.hawk": E(N_("hawk")),
    "word.policy.dove": E(N_("dove")),
    "word.policy.reciprocator": E(N_("reciprocator")),
    "word.policy.verifier": E(N_("verifier")),
    "word.policy.cheater": E(N_("cheater")),
    "component.S_crisis": C(NC_("stability component", "First-strike stability")),
    "component.S_race": C(NC_("stability component", "Arms-race restraint")),
    "component.S_trust": C(NC_("stability component", "Mutual trust")),
    "component.S_regime": C(NC_("stability component", "Treaty regime")),
    "component.S_transp": C(NC_("stability component", "Transparency")),
    "component.S_percep": C(NC_("stability component", "Verification coverage")),
    "component.P_inc": C(NC_("stability component", "Incident penalty")),
    "ledger.income": E(N_("income")),
    "ledger.order_costs": E(N_("order costs")),
    "ledger.payments_in": E(N_("payments received")),
    "ledger.compensation_in": E(N_("compensation received")),
    "ledger.compensation_out": E(N_("compensation paid")),
    "ledger.pressure_loss": E(N_("loss to economic pressure")),
    "ledger.maintenance": E(N_("maintenance")),
    "ledger.concealment_upkeep": E(N_("concealment upkeep")),
    "ledger.inject": E(N_("events")),
}

_EXPLAIN: dict[str, Entry] = {
    "explain.rose_because": E(N_("{w} rose because {parts}."), join="; ", strip_parts=True),
    "explain.fell_because": E(N_("{w} fell because {parts}."), join="; ", strip_parts=True),
    "explain.rose_because_more": E(N_("{w} rose because {parts} (and {n} more)."), join="; ",
                                   strip_parts=True),
    "explain.fell_because_more": E(N_("{w} fell because {parts} (and {n} more)."), join="; ",
                                   strip_parts=True),
    "explain.rose_shifted": E(N_("{w} rose as threat perceptions, trust and estimates shifted.")),
    "explain.fell_shifted": E(N_("{w} fell as threat perceptions, trust and estimates shifted.")),
    "explain.incidents": E(N_("Incidents took {x} points off the index: {parts}."), join="; ",
                           strip_parts=True),
    "explain.incidents_unnamed": E(N_("Incidents took {x} points off the index: incidents this turn.")),
    "explain.incidents_more": E(N_("Incidents took {x} points off the index, {x2} more than last turn: "
                                   "{parts}."), join="; ", strip_parts=True),
    "explain.incidents_more_unnamed": E(N_("Incidents took {x} points off the index, {x2} more than "
                                           "last turn.")),
    "explain.incidents_fewer": E(N_("Incidents took {x} points off the index, {x2} fewer than last "
                                    "turn.")),
    "explain.incidents_gone": E(N_("No incidents this turn: the {x2} points they took off the index "
                                   "last turn are back.")),
}

_RULES: dict[str, Entry] = {
    # general sentences, one per rule code (shown when a message cannot be)
    "code.E_NO_TECH": E(N_("Your state lacks the technology this order needs.")),
    "code.E_CAPACITY": E(N_("The order exceeds a maximum capacity.")),
    "code.E_BUDGET": E(N_("There is not enough budget for this order.")),
    "code.E_NEGATIVE": E(N_("There is not enough of it (it cannot go below zero).")),
    "code.E_UNKNOWN": E(N_("The order names something that does not exist in this game.")),
    "code.E_NO_COUNTERPART": E(N_("The other state's matching order is missing this turn.")),
    "code.E_NO_CONSENT": E(N_("The host state has not consented.")),
    "code.E_SITE_CAPACITY": E(N_("The site does not have enough room.")),
    "code.E_QUOTA": E(N_("The treaty's inspection quota is exceeded.")),
    "code.E_DS_TOO_LOW": E(N_("Domestic support is too low for this order.")),
    "code.E_NOTICE": E(N_("A notice is already running.")),
    "code.E_TOO_MANY_TESTS": E(N_("Too many missile tests this turn.")),
    "code.E_BAD_PARAM": E(N_("A value of the order is not valid.")),
    "code.E_GAME_OVER": E(N_("The game is over.")),
    "code.E_NOT_PARTY": E(N_("Your state is not a party to that treaty.")),
    "code.E_NOT_OWNER": E(N_("Your state does not operate that site.")),
    "code.E_DISABLED": E(N_("This order is not available in this scenario.")),
    # E_NO_TECH
    "rule.no_production_tech": E(N_("{s} has no production technology for {cls}.")),
    "rule.nothing_to_test": E(N_("{s} neither owns {cls} nor has a {cls} programme to test.")),
    "rule.no_tech_to_export": E(N_("{s} has no {cls} technology to export.")),
    "rule.research_needs": E(N_("{cls} research needs {parts} technology first."), join=N_(" or ")),
    "word.class": E(N_("{cls}")),
    # E_CAPACITY
    "rule.build_capacity": E(N_("{s} can build at most {n} {cls} per turn ({m} left this turn).")),
    "rule.radar_max": E(N_("The radar at {site} cannot exceed quality {x}.")),
    "rule.ntm_max": E(N_("NTM cannot exceed {x}.")),
    "rule.conceal_max": E(N_("Concealment cannot exceed {x}.")),
    "rule.cm_max": E(N_("Countermeasures are already at the maximum.")),
    "rule.disc_max": E(N_("Discrimination is already at the maximum.")),
    # E_BUDGET
    "rule.afford_interceptors": P(NP_(
        "{s} cannot afford {q} {itype} interceptor: costs {n}, budget left {m}.",
        "{s} cannot afford {q} {itype} interceptors: costs {n}, budget left {m}."), count="q"),
    "rule.afford_missiles": E(N_("{s} cannot afford {q} {cls}: costs {n}, budget left {m}.")),
    "rule.afford_order": E(N_("{s} cannot afford {lowlabel}: costs {n}, budget left {m}.")),
    # E_NEGATIVE
    "rule.declared_negative": E(N_("Declared {cls} cannot be negative.")),
    "rule.field_negative": E(N_("{label} cannot be negative.")),
    "rule.eliminate_more": E(N_("{s} has only {n} {cls}; cannot eliminate {q}.")),
    "rule.export_more": E(N_("{s} has only {n} {cls} to export.")),
    "rule.deploy_more": P(NP_("{s} has only {n} {itype} interceptor in store; cannot deploy {q}.",
                              "{s} has only {n} {itype} interceptors in store; cannot deploy {q}.")),
    "rule.withdraw_more": P(NP_("{site} has only {n} {itype} interceptor to withdraw.",
                                "{site} has only {n} {itype} interceptors to withdraw.")),
    # E_UNKNOWN
    "rule.unknown_order_type": E(N_("Unknown order type {raw}.")),
    "rule.unknown_class": E(N_("Unknown missile class {raw}.")),
    "rule.unknown_itype": E(N_("Unknown interceptor type {raw}.")),
    "rule.unknown_state": E(N_("Unknown state {raw}.")),
    "rule.unknown_site": E(N_("Unknown site {raw}.")),
    "rule.unknown_treaty": E(N_("Unknown treaty {raw}.")),
    "rule.unknown_viewer": E(N_("Unknown viewer {raw}.")),
    "rule.no_consent_to_revoke": E(N_("There is no consent for {site} to revoke.")),
    "rule.no_evidence": E(N_("{s} holds no evidence {raw}.")),
    "rule.no_tabled_treaty": E(N_("No tabled treaty has these terms.")),
    # E_NO_COUNTERPART
    "rule.export_import_match": E(N_(
        "The export and the import must match (same states, class, quantity).")),
    "rule.not_agreed": E(N_("{s} did not agree the {w} this turn.")),
    "rule.signatures_missing": E(N_("{t} needs every party's signature this turn (missing: {states}).")),
    "rule.invitation_needs_accept": E(N_("An invitation needs the partner's ACCEPT in the same turn.")),
    "rule.verified_needs_observers": E(N_(
        "A verified elimination needs an accepted observer invitation this turn.")),
    # E_NO_CONSENT
    "rule.no_consent": E(N_("{s} has not consented to {s2}'s site {site}.")),
    "rule.site_belongs": E(N_("{site} belongs to {s}.")),
    "rule.forward_not_allowed": E(N_("{s} has not allowed forward mode at {site}.")),
    "rule.sharing_not_allowed": E(N_("{s} has not allowed sensor sharing at {site}.")),
    # E_SITE_CAPACITY
    "rule.site_full": E(N_("{site} holds at most {n} interceptors ({m} there now).")),
    "rule.consent_cap": E(N_("{s}'s consent allows at most {n} interceptors at {site} ({m} there now).")),
    "rule.site_capacity": E(N_("{site} holds at most {n} interceptors.")),
    # E_QUOTA
    "rule.quota": E(N_("{t} allows {n} visits per turn to each party ({m} asked).")),
    # E_DS_TOO_LOW
    "rule.ds_consent": E(N_(
        "{s}'s domestic support ({n}) is below {m}, needed to consent to a foreign site.")),
    "rule.ds_ratify": E(N_("{s}'s domestic support ({n}) is below {m}, needed to ratify a treaty.")),
    # E_NOTICE
    "rule.already_revoking": E(N_("Consent for {site} is already being revoked.")),
    "rule.already_leaving": E(N_("{s} has already given notice to leave {t}.")),
    # E_TOO_MANY_TESTS
    "rule.tests_per_turn": P(NP_("At most {n} test per turn.", "At most {n} tests per turn.")),
    # E_BAD_PARAM (malformed orders)
    "rule.not_an_object": E(N_("An order must be a JSON object.")),
    "rule.no_type": E(N_("The order has no 'type'.")),
    "rule.not_an_order": E(N_("Not an order.")),
    "rule.expected_bool": E(N_("{label}: expected yes/no, got {raw}.")),
    "rule.required": E(N_("{label}: '{label2}' is required.")),
    "rule.expected_int": E(N_("{label}: expected a whole number, got {raw}.")),
    "rule.count_expected_int": E(N_("{cls}: expected a whole number, got {raw}.")),
    "rule.at_least": E(N_("{label} must be at least {n}.")),
    "rule.at_most": E(N_("{label} must be at most {n}.")),
    "rule.expected_counts": E(N_("{label}: expected counts per class.")),
    "rule.implausible": E(N_("Declared {cls} is implausibly large.")),
    "rule.expected_text": E(N_("{label}: expected text, got {raw}.")),
    "rule.too_long": E(N_("{label} is too long.")),
    "rule.one_of": E(N_("{label} must be one of {raw}.")),
    "rule.priority": E(N_("Priority must be a whole number between -1000 and 1000.")),
    "rule.order_id": E(N_("order_id must be text.")),
    # E_BAD_PARAM (rules)
    "rule.not_with_itself": E(N_("{s} cannot do this with itself.")),
    "rule.export_nothing": E(N_("Export at least one missile (or tick 'technology').")),
    "rule.accept_nothing": E(N_("Accept at least one missile (or tick 'technology').")),
    "rule.site_types": E(N_("{site} takes only {raw} interceptors.")),
    "rule.operated_by": E(N_("{site} is operated by {s}.")),
    "rule.already_hosts": E(N_("{site} already hosts {s}.")),
    "rule.already_agreed": E(N_("{s} already has this agreement with {s2}.")),
    "rule.holds_more": E(N_("{site} already holds more than {n} interceptors.")),
    "rule.not_in_force": E(N_("{t} is not in force.")),
    "rule.no_challenge_clause": E(N_("{t} has no challenge-inspection clause.")),
    "rule.ntm_multiple": E(N_("Invest in multiples of {n} points.")),
    "rule.already_public": E(N_("Evidence {e} is already public.")),
    "rule.already_in_force": E(N_("{t} is already in force.")),
    "rule.already_researching": E(N_("{s} already has {cls} technology or a programme for it.")),
    "rule.program_done": E(N_("{s} has no nuclear programme step left to take.")),
    "rule.unknown_template": E(N_("Unknown treaty template {raw}.")),
    "rule.two_parties": E(N_("A treaty needs at least two parties.")),
    "rule.bad_term": E(N_("Treaty term {raw} has an invalid value.")),
    "rule.unknown_term": E(N_("Unknown treaty term {raw}.")),
    "rule.cap_needs_caps": E(N_("An offense cap needs 'caps' or 'weighted_cap'.")),
    "rule.ban_needs_classes": E(N_("A class ban needs 'classes'.")),
    # E_GAME_OVER
    "rule.over_orders": E(N_("The game is over; no more orders.")),
    "rule.over_resolve": E(N_("The game is over; nothing left to resolve.")),
    "rule.over_injects": E(N_("The game is over; no more injects.")),
    # an inject's effect, checked when the facilitator sends it (E_BAD_PARAM, E_UNKNOWN)
    "inject.effect_not_object": E(N_("The effect must map effect names (radar_outage, ds_change, budget_change, incident) to their values.")),
    "inject.unknown_effect": E(N_("Unknown inject effect {raw}; use radar_outage, ds_change, budget_change or incident.")),
    "inject.outage_not_site": E(N_("A radar outage needs the id of a site, for example CAL-1.")),
    "inject.unknown_site": E(N_("Unknown site {raw} for a radar outage (sites: {sites}).")),
    "inject.unknown_state": E(N_("Unknown state {raw} (states: {states}).")),
    "inject.ds_change_not_table": E(N_("A change of domestic support maps states to an amount.")),
    "inject.budget_change_not_table": E(N_("A budget change maps states to budget points.")),
    "inject.incident_not_table": E(N_("An incident maps pairs of states to a weight.")),
    "inject.ds_range": E(N_("The change of domestic support for {s} must be a number between -{n} and {n}.")),
    "inject.budget_range": E(N_("The budget change for {s} must be a whole number between -{n} and {n}.")),
    "inject.incident_key": E(N_("An incident must name two different states: the state that feels it, then the one it blames ({raw}).")),
    "inject.incident_weight": E(N_("The incident weight for {raw} must be a number between 0 and 1.")),
    "inject.targets_not_list": E(N_("The targets must be a list of states (or none for everyone).")),
    "inject.no_title": E(N_("An inject needs a title.")),
    "inject.too_long": E(N_("Titles are at most {n} characters and texts at most {m}.")),
    "rule.over": E(N_("The game is over.")),
    # E_NOT_PARTY
    "rule.both_parties": E(N_("Both {s} and {s2} must be parties to {t}.")),
    "rule.not_listed": E(N_("{s} is not listed in {t}.")),
    "rule.not_party": E(N_("{s} is not a party to {t}.")),
    # E_NOT_OWNER
    "rule.limits_owner": E(N_("Only the owner or host can declare limits for {site}.")),
    "rule.withdraw_owner": E(N_("Only the owner can withdraw from {site}.")),
    "rule.not_operator": E(N_("{s} does not operate {site}.")),
    "rule.consent_host": E(N_("Only {s} can consent for {site}.")),
    "rule.revoke_host": E(N_("Only the host can revoke consent for {site}.")),
    "rule.limit_owner": E(N_("Only the owner or host can limit {site}.")),
    "rule.visitors": E(N_("{s} cannot open {site} to visitors.")),
    # E_DISABLED
    "rule.pressure_disabled": E(N_("Economic pressure is not used in this scenario.")),
}

CATALOGUE: Mapping[str, Entry] = {**_EVENTS, **_WORDS, **_EXPLAIN, **_RULES}
"""Message id -> English entry (every message the engine can say)."""


def order_label(otype: str) -> str:
    """An order type's English label (``BUILD`` -> "Build missiles"), else the type itself."""
    from game_engine.orders import SPEC_BY_TYPE

    spec = SPEC_BY_TYPE.get(otype)
    return spec.label if spec is not None else otype


def words(kind: str) -> dict[str, str]:
    """A closed vocabulary of the engine: code -> English word (``words("treaty_status")``)."""
    prefix = f"word.{kind}."
    return {k.removeprefix(prefix): e.text for k, e in CATALOGUE.items() if k.startswith(prefix)}
