"""Stored games' engine texts become structured messages (issue #13).

Before this migration the engine wrote English sentences into turn records and the log; now it
stores messages: an id of game_engine/catalogue.py and parameters (ids and numbers). This turns
the stored English of every TurnRecord (events, explanation, private reports' events and rejected
orders, public report actions and game-over reason) and of every ``engine.*`` log entry into
messages, so old games render in any language and replay against the new engine.

It carries a frozen copy of the English patterns of that time (it must not follow later changes
of the catalogue): each is an English sentence with slots, the message id it becomes, and how
its slots become parameters (a state's English name -> its id, from the game's stored scenario;
counts -> numbers; words -> word ids). A text that matches no pattern is kept as a legacy message
(``text.legacy``), shown as written. Reversing gives back the English of the legacy texts only; a
converted message is rendered by the engine's English catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import migrations

LEGACY = "text.legacy"

# --- The frozen patterns (the engine's English at commit 57452da) ------------------------------

PATTERNS = (
    ('event.site_inert', '{site} is no longer operated by {s}: {parts}.'),
    ('reason.consent_revoked', '{s} revoked its consent'),
    ('reason.no_consent', 'no active consent'),
    ('event.limits_broken', 'The declared limits at {site} lapsed: {parts}.'),
    ('why.over_pledge', '{n} interceptors exceed the pledge of {m}'),
    ('why.forward_mode', 'the radar was switched to forward mode'),
    ('why.sensor_sharing', 'sensor sharing was switched on'),
    ('event.violation_public', '{s} was found in breach of {t} ({parts}).'),
    ('event.violation_public_notification', '{s} was found in breach of its launch-notification agreement ({parts}).'),
    ('event.violation_public_agreement', '{s} was found in breach of an agreement ({parts}).'),
    ('violation.cap', '{cls} above the cap by {x}'),
    ('violation.cap_weighted', 'weighted above the cap by {x}'),
    ('violation.defense', 'defense limit exceeded ({w})'),
    ('violation.defense_site', 'defense limit exceeded (site:{site})'),
    ('violation.test', 'unnotified missile test'),
    ('violation.export', 'controlled missile export'),
    ('violation.misdeclare', 'false declaration'),
    ('violation.program', 'nuclear programme step'),
    ('violation.withdrawal', 'abrupt withdrawal'),
    ('violation.other', '{raw}'),
    ('event.evidence_kind', 'Your intelligence services suspect {s} of a {w} violation (evidence {e}, quality {x}).'),
    ('event.evidence_ntm', 'Your intelligence services suspect {s} of a violation (evidence {e}, quality {x}).'),
    ('event.evidence_osi', 'Your inspectors suspect {s} of a violation (evidence {e}, quality {x}).'),
    ('event.treaty_in_force', '{t} entered into force ({states}).'),
    ('event.treaty_in_force_short', '{t} entered into force.'),
    ('event.consent', "{s} consented to {s2}'s site {site} (up to {n} interceptors, compensation {m}/turn)."),
    ('event.hosted_site_online', "{s}'s site {site} in {s2} is now operational."),
    ('event.payment', '{s} paid {n} points to {s2}.'),
    ('event.payment_memo', '{s} paid {n} points to {s2} ({memo}).'),
    ('event.economic_pressure', '{s} put economic pressure on {s2} ({n} points).'),
    ('event.concealment', '{s} set concealment to {x}.'),
    ('event.concealment_lapsed', '{s} could not pay concealment upkeep; concealment fell back.'),
    ('event.ntm', '{s} raised its intelligence capability to {x}.'),
    ('event.buy_interceptors', '{s} bought {n} {itype} interceptors.'),
    ('event.radar', '{s} upgraded the radar at {site} to quality {x}.'),
    ('event.radar_mode', '{s} switched the radar at {site} to {w} mode.'),
    ('event.sensor_sharing_on', '{s} turned sensor sharing on at {site}.'),
    ('event.sensor_sharing_off', '{s} turned sensor sharing off at {site}.'),
    ('event.export', '{s} transferred {n} {cls} to {s2}.'),
    ('event.export_covert', '{s} secretly transferred {n} {cls} to {s2}.'),
    ('event.export_tech', '{s} transferred {cls} production technology to {s2}.'),
    ('event.export_tech_covert', '{s} secretly transferred {cls} production technology to {s2}.'),
    ('event.test_notified', '{s} tested a {cls} missile (notified).'),
    ('event.test_unnotified', '{s} tested a {cls} missile (not notified).'),
    ('event.declare', '{s} declared {parts}.'),
    ('event.declare_none', '{s} declared no missiles.'),
    ('count.missiles', '{n} {cls}'),
    ('event.limits', '{s} declared limits at {site}: {parts}.'),
    ('limit.max_interceptors', 'at most {n} interceptors'),
    ('limit.terminal_only', 'terminal-mode radar only'),
    ('limit.no_sensor_sharing', 'no sensor sharing'),
    ('limit.see_note', 'see note'),
    ('event.policy_accept', '{s} will accept challenge inspections.'),
    ('event.policy_refuse', '{s} will refuse challenge inspections.'),
    ('event.inspection_clean', "{s}'s {n} inspection visit(s) in {s2} found no violation."),
    ('event.evidence_shared', '{s} shared evidence about {s2} with {s3} (now {e}).'),
    ('event.accusation', '{s} published evidence that {s2} breached {t} (quality {x}).'),
    ('event.accusation_commitments', '{s} published evidence that {s2} breached its commitments (quality {x}).'),
    ('event.accusation_refuted', "An inspection did not confirm {s}'s accusation against {s2}."),
    ('event.consent_revoked_by_opposition', 'Public opposition forced {s} to revoke consent for {site} (inert from turn {n}).'),
    ('event.consent_revoked', '{s} revoked consent for {site}; the site goes inert on turn {n}.'),
    ('event.order_rejected', 'Order {n} ({otype}) was rejected: {parts}'),
    ('event.treaty_expired', '{t} expired.'),
    ('event.withdrawal_notice', '{s} gave notice to leave {t}; effective turn {n}.'),
    ('event.treaty_renewed', '{t} was renewed until turn {n}.'),
    ('event.agreement', '{s} and {s2} set up {w}.'),
    ('event.research_started', '{s} started a {cls} programme ({n} tests needed).'),
    ('event.research_cm', '{s} improved its countermeasures.'),
    ('event.research_discrimination', '{s} improved its radar discrimination.'),
    ('event.research_completed', '{s} completed its {cls} programme and can now build {cls}.'),
    ('event.research_program', '{s} advanced its nuclear programme to stage {n}.'),
    ('event.nuclear_test', '{s} has become a nuclear-armed state.'),
    ('event.reduce', '{s} eliminated {n} {cls}.'),
    ('event.reduce_verified', '{s} eliminated {n} {cls} (verified by {states}).'),
    ('event.build', '{s} built {n} {cls}.'),
    ('event.build_covert', '{s} secretly built {n} {cls}.'),
    ('event.deploy', '{s} deployed {n} {itype} interceptors at {site}.'),
    ('event.deploy_unlimited', '{s} deployed {n} {itype} interceptors at {site} without declared limits.'),
    ('event.withdraw_deployment', '{s} withdrew {n} {itype} interceptors from {site}.'),
    ('event.challenge', '{s} carried out a challenge inspection in {s2}.'),
    ('event.challenge_refused', '{s} refused a challenge inspection requested by {s2}.'),
    ('event.crisis', 'A crisis broke out between {s} and {s2}; it was contained.'),
    ('event.catastrophe', 'A crisis between {s} and {s2} escalated into a strategic catastrophe. The game is over.'),
    ('event.treaty_withdrawal', "{s}'s withdrawal from {t} took effect."),
    ('event.treaty_left_abruptly', '{s} abruptly left {t}.'),
    ('event.treaty_left', '{s} left {t}.'),
    ('event.observers', '{s} hosted observers from {s2}.'),
    ('event.observers_at', '{s} hosted observers from {s2} at {site}.'),
    ('event.exercise', '{s} and {s2} held a joint exercise.'),
    ('event.declassified', 'Declassified: {s} had secretly breached {t} ({w}, {raw}).'),
    ('event.inject', '{title}: {text}'),
    ('game_over.catastrophe', 'Strategic catastrophe: a crisis escalated.'),
    ('game_over.all_turns', 'All {n} turns have been played.'),
    ('game_over.facilitator', 'The facilitator ended the game.'),
    ('explain.rose_because', '{w} rose because {parts}.'),
    ('explain.fell_because', '{w} fell because {parts}.'),
    ('explain.rose_because_more', '{w} rose because {parts} (and {n} more).'),
    ('explain.fell_because_more', '{w} fell because {parts} (and {n} more).'),
    ('explain.rose_shifted', '{w} rose as threat perceptions, trust and estimates shifted.'),
    ('explain.fell_shifted', '{w} fell as threat perceptions, trust and estimates shifted.'),
    ('explain.incidents', 'Incidents took {x} points off the index: {parts}.'),
    ('explain.incidents_unnamed', 'Incidents took {x} points off the index: incidents this turn.'),
    ('rule.no_production_tech', '{s} has no production technology for {cls}.'),
    ('rule.nothing_to_test', '{s} neither owns {cls} nor has a {cls} programme to test.'),
    ('rule.no_tech_to_export', '{s} has no {cls} technology to export.'),
    ('rule.research_needs', '{cls} research needs {parts} technology first.'),
    ('word.class', '{cls}'),
    ('rule.build_capacity', '{s} can build at most {n} {cls} per turn ({m} left this turn).'),
    ('rule.radar_max', 'The radar at {site} cannot exceed quality {x}.'),
    ('rule.ntm_max', 'NTM cannot exceed {x}.'),
    ('rule.conceal_max', 'Concealment cannot exceed {x}.'),
    ('rule.cm_max', 'Countermeasures are already at the maximum.'),
    ('rule.disc_max', 'Discrimination is already at the maximum.'),
    ('rule.afford_interceptors', '{s} cannot afford {q} {itype} interceptors: costs {n}, budget left {m}.'),
    ('rule.afford_missiles', '{s} cannot afford {q} {cls}: costs {n}, budget left {m}.'),
    ('rule.afford_order', '{s} cannot afford {lowlabel}: costs {n}, budget left {m}.'),
    ('rule.declared_negative', 'Declared {cls} cannot be negative.'),
    ('rule.field_negative', '{label} cannot be negative.'),
    ('rule.eliminate_more', '{s} has only {n} {cls}; cannot eliminate {q}.'),
    ('rule.export_more', '{s} has only {n} {cls} to export.'),
    ('rule.deploy_more', '{s} has only {n} {itype} interceptors in store; cannot deploy {q}.'),
    ('rule.withdraw_more', '{site} has only {n} {itype} interceptors to withdraw.'),
    ('rule.unknown_order_type', 'Unknown order type {raw}.'),
    ('rule.unknown_class', 'Unknown missile class {raw}.'),
    ('rule.unknown_itype', 'Unknown interceptor type {raw}.'),
    ('rule.unknown_state', 'Unknown state {raw}.'),
    ('rule.unknown_site', 'Unknown site {raw}.'),
    ('rule.unknown_treaty', 'Unknown treaty {raw}.'),
    ('rule.unknown_viewer', 'Unknown viewer {raw}.'),
    ('rule.no_consent_to_revoke', 'There is no consent for {site} to revoke.'),
    ('rule.no_evidence', '{s} holds no evidence {raw}.'),
    ('rule.no_tabled_treaty', 'No tabled treaty has these terms.'),
    ('rule.export_import_match', 'The export and the import must match (same states, class, quantity).'),
    ('rule.not_agreed', '{s} did not agree the {w} this turn.'),
    ('rule.signatures_missing', "{t} needs every party's signature this turn (missing: {states})."),
    ('rule.invitation_needs_accept', "An invitation needs the partner's ACCEPT in the same turn."),
    ('rule.verified_needs_observers', 'A verified elimination needs an accepted observer invitation this turn.'),
    ('rule.no_consent', "{s} has not consented to {s2}'s site {site}."),
    ('rule.site_belongs', '{site} belongs to {s}.'),
    ('rule.forward_not_allowed', '{s} has not allowed forward mode at {site}.'),
    ('rule.sharing_not_allowed', '{s} has not allowed sensor sharing at {site}.'),
    ('rule.site_full', '{site} holds at most {n} interceptors ({m} there now).'),
    ('rule.consent_cap', "{s}'s consent allows at most {n} interceptors at {site} ({m} there now)."),
    ('rule.site_capacity', '{site} holds at most {n} interceptors.'),
    ('rule.quota', '{t} allows {n} visits per turn to each party ({m} asked).'),
    ('rule.ds_consent', "{s}'s domestic support ({n}) is below {m}, needed to consent to a foreign site."),
    ('rule.ds_ratify', "{s}'s domestic support ({n}) is below {m}, needed to ratify a treaty."),
    ('rule.already_revoking', 'Consent for {site} is already being revoked.'),
    ('rule.already_leaving', '{s} has already given notice to leave {t}.'),
    ('rule.tests_per_turn', 'At most {n} tests per turn.'),
    ('rule.not_an_object', 'An order must be a JSON object.'),
    ('rule.no_type', "The order has no 'type'."),
    ('rule.not_an_order', 'Not an order.'),
    ('rule.expected_bool', '{label}: expected yes/no, got {raw}.'),
    ('rule.required', "{label}: '{label2}' is required."),
    ('rule.expected_int', '{label}: expected a whole number, got {raw}.'),
    ('rule.count_expected_int', '{cls}: expected a whole number, got {raw}.'),
    ('rule.at_least', '{label} must be at least {n}.'),
    ('rule.at_most', '{label} must be at most {n}.'),
    ('rule.expected_counts', '{label}: expected counts per class.'),
    ('rule.implausible', 'Declared {cls} is implausibly large.'),
    ('rule.expected_text', '{label}: expected text, got {raw}.'),
    ('rule.too_long', '{label} is too long.'),
    ('rule.one_of', '{label} must be one of {raw}.'),
    ('rule.priority', 'Priority must be a whole number between -1000 and 1000.'),
    ('rule.order_id', 'order_id must be text.'),
    ('rule.not_with_itself', '{s} cannot do this with itself.'),
    ('rule.export_nothing', "Export at least one missile (or tick 'technology')."),
    ('rule.accept_nothing', "Accept at least one missile (or tick 'technology')."),
    ('rule.site_types', '{site} takes only {raw} interceptors.'),
    ('rule.operated_by', '{site} is operated by {s}.'),
    ('rule.already_hosts', '{site} already hosts {s}.'),
    ('rule.already_agreed', '{s} already has this agreement with {s2}.'),
    ('rule.holds_more', '{site} already holds more than {n} interceptors.'),
    ('rule.not_in_force', '{t} is not in force.'),
    ('rule.no_challenge_clause', '{t} has no challenge-inspection clause.'),
    ('rule.ntm_multiple', 'Invest in multiples of {n} points.'),
    ('rule.already_public', 'Evidence {e} is already public.'),
    ('rule.already_in_force', '{t} is already in force.'),
    ('rule.already_researching', '{s} already has {cls} technology or a programme for it.'),
    ('rule.program_done', '{s} has no nuclear programme step left to take.'),
    ('rule.unknown_template', 'Unknown treaty template {raw}.'),
    ('rule.two_parties', 'A treaty needs at least two parties.'),
    ('rule.bad_term', 'Treaty term {raw} has an invalid value.'),
    ('rule.unknown_term', 'Unknown treaty term {raw}.'),
    ('rule.cap_needs_caps', "An offense cap needs 'caps' or 'weighted_cap'."),
    ('rule.ban_needs_classes', "A class ban needs 'classes'."),
    ('rule.over_orders', 'The game is over; no more orders.'),
    ('rule.over_resolve', 'The game is over; nothing left to resolve.'),
    ('rule.over_injects', 'The game is over; no more injects.'),
    ('rule.over', 'The game is over.'),
    ('rule.both_parties', 'Both {s} and {s2} must be parties to {t}.'),
    ('rule.not_listed', '{s} is not listed in {t}.'),
    ('rule.not_party', '{s} is not a party to {t}.'),
    ('rule.limits_owner', 'Only the owner or host can declare limits for {site}.'),
    ('rule.withdraw_owner', 'Only the owner can withdraw from {site}.'),
    ('rule.not_operator', '{s} does not operate {site}.'),
    ('rule.consent_host', 'Only {s} can consent for {site}.'),
    ('rule.revoke_host', 'Only the host can revoke consent for {site}.'),
    ('rule.limit_owner', 'Only the owner or host can limit {site}.'),
    ('rule.visitors', '{s} cannot open {site} to visitors.'),
    ('rule.pressure_disabled', 'Economic pressure is not used in this scenario.'),
)
ORDER_LABELS = {
    'build missiles': 'BUILD',
    'eliminate missiles': 'REDUCE',
    'test a missile': 'TEST',
    'export missiles or technology': 'EXPORT',
    'accept an import': 'ACCEPT_IMPORT',
    'buy interceptors': 'BUY_INTERCEPTORS',
    'deploy interceptors': 'DEPLOY',
    'withdraw interceptors': 'WITHDRAW_DEPLOYMENT',
    'upgrade a radar': 'BUILD_RADAR',
    'set radar mode': 'SET_RADAR_MODE',
    'set sensor sharing': 'SET_SENSOR_SHARING',
    'consent to host a site': 'CONSENT_HOSTING',
    'revoke hosting consent': 'REVOKE_CONSENT',
    'pay another state': 'PAYMENT',
    'declare missile counts': 'DECLARE',
    'agree a hotline': 'AGREE_HOTLINE',
    'agree launch notification': 'AGREE_NOTIFICATION',
    'agree data exchange': 'AGREE_DATA_EXCHANGE',
    'declare operational limits': 'DECLARE_LIMITS',
    'propose a joint exercise': 'JOINT_EXERCISE',
    'invite observers': 'INVITE_OBSERVERS',
    'accept an invitation': 'ACCEPT',
    'challenge-inspection policy': 'SET_CHALLENGE_POLICY',
    'inspect (treaty visits)': 'INSPECT',
    'challenge inspection': 'CHALLENGE_INSPECTION',
    'invest in intelligence (ntm)': 'INVEST_NTM',
    'set concealment': 'SET_CONCEALMENT',
    'publish evidence': 'PUBLISH_EVIDENCE',
    'share evidence': 'SHARE_EVIDENCE',
    'sign a treaty': 'SIGN',
    'withdraw from a treaty': 'WITHDRAW',
    'economic pressure': 'ECONOMIC_PRESSURE',
    'research': 'RESEARCH',
}

WORDS: dict[str, dict[str, str]] = {
    "event.radar_mode": {"terminal": "word.mode.terminal", "forward": "word.mode.forward"},
    "event.agreement": {
        "a hotline": "word.agreement.HOTLINE",
        "a launch-notification agreement": "word.agreement.NOTIFICATION",
        "a data-exchange agreement": "word.agreement.DATA_EXCHANGE",
    },
    "rule.not_agreed": {
        "hotline": "word.agreed.HOTLINE",
        "notification": "word.agreed.NOTIFICATION",
        "data exchange": "word.agreed.DATA_EXCHANGE",
    },
    "violation.defense": {
        "total": "word.dclause.total",
        "sites": "word.dclause.sites",
        "foreign_basing": "word.dclause.foreign_basing",
        "radar_mode": "word.dclause.radar_mode",
    },
}
_VKIND = {k: f"word.vkind.{k}" for k in ("cap", "defense", "test", "export", "misdeclare", "program", "withdrawal")}
WORDS["event.evidence_kind"] = _VKIND
WORDS["event.declassified"] = _VKIND
_COMPONENTS = {
    "First-strike stability": "component.S_crisis",
    "Arms-race restraint": "component.S_race",
    "Mutual trust": "component.S_trust",
    "Treaty regime": "component.S_regime",
    "Transparency": "component.S_transp",
    "Verification coverage": "component.S_percep",
    "Incident penalty": "component.P_inc",
}
for _mid, _ in PATTERNS:
    if _mid.startswith("explain.") and "{w}" in _:
        WORDS[_mid] = _COMPONENTS

# id -> (prefixes of the ids its parts may have, join, parts are sentences without their full stop)
PARTS: dict[str, tuple[tuple[str, ...], str | None, bool]] = {
    "event.site_inert": (("reason.",), None, False),
    "event.limits_broken": (("why.",), None, False),
    "event.violation_public": (("violation.",), None, False),
    "event.violation_public_notification": (("violation.",), None, False),
    "event.violation_public_agreement": (("violation.",), None, False),
    "event.declare": (("count.",), ", ", False),
    "event.limits": (("limit.",), ", ", False),
    "event.order_rejected": (("rule.",), None, False),
    "rule.research_needs": (("word.class",), " or ", False),
}
for _mid, _ in PATTERNS:
    if _mid.startswith("explain.") and "{parts}" in _:
        PARTS[_mid] = (("event.",), "; ", True)

_SLOT = re.compile(r"\{([a-z]+)(\d*)\}")
_INT = {"n", "m", "q"}
_REGEX = {
    "n": r"-?\d+", "m": r"-?\d+", "q": r"-?\d+", "x": r"-?\d+(?:\.\d+)?",
    "cls": r"[A-Za-z0-9_]+", "itype": r"[A-Z]+", "otype": r"[A-Z_]+",
    "site": r"[^\s;,()']+", "e": r"[^\s;,()']+",
}


class Names:
    """A game's English state names (from its stored scenario) and their ids."""

    def __init__(self, scenario: Mapping[str, Any] | None) -> None:
        states = (scenario or {}).get("states") or []
        self.ids = {str(s.get("name")): str(s.get("id")) for s in states if isinstance(s, dict)}
        alt = "|".join(re.escape(n) for n in sorted(self.ids, key=lambda n: (-len(n), n)))
        self.state = f"(?:{alt})" if alt else r".+?"
        self._compiled: dict[str, re.Pattern[str]] = {}

    def compiled(self, pattern: str) -> re.Pattern[str]:
        rx = self._compiled.get(pattern)
        if rx is None:
            out, pos, seen = [], 0, set()
            for m in _SLOT.finditer(pattern):
                out.append(re.escape(pattern[pos:m.start()]))
                base, name = m.group(1), m.group(1) + m.group(2)
                if name in seen:  # the same value again ("... {cls} programme ... build {cls}")
                    out.append(f"(?P={name})")
                    pos = m.end()
                    continue
                seen.add(name)
                if base == "s":
                    part = self.state
                elif base == "states":
                    part = f"{self.state}(?:, {self.state})*"
                elif base == "parts":
                    part = r".+"
                else:
                    part = _REGEX.get(base, r".+?")
                out.append(f"(?P<{name}>{part})")
                pos = m.end()
            out.append(re.escape(pattern[pos:]))
            rx = self._compiled[pattern] = re.compile("".join(out), re.DOTALL)
        return rx


def _literal(pattern: str) -> int:
    return len(_SLOT.sub("", pattern))


ORDERED = sorted(PATTERNS, key=lambda p: -_literal(p[1]))


def parse(text: str, names: Names, prefixes: Iterable[str]) -> dict[str, Any] | None:
    """The message a stored English sentence says, or None if no pattern of those ids fits."""
    wanted = tuple(prefixes)
    for mid, pattern in ORDERED:
        if not mid.startswith(wanted):
            continue
        m = names.compiled(pattern).fullmatch(text)
        if m is None:
            continue
        params: dict[str, Any] = {}
        parts: list[dict[str, Any]] = []
        ok = True
        for slot, value in m.groupdict().items():
            base = slot.rstrip("0123456789")
            if base == "s":
                params[slot] = names.ids.get(value, value)
            elif base == "states":
                params[slot] = ",".join(names.ids.get(v, v) for v in value.split(", "))
            elif base in _INT:
                params[slot] = int(value)
            elif base == "w":
                word = WORDS.get(mid, {}).get(value)
                ok = word is not None
                params[slot] = word
            elif base == "lowlabel":
                otype = ORDER_LABELS.get(value)
                ok = otype is not None
                params[slot] = otype
            elif base == "parts":
                found = _parts(value, names, mid)
                ok = found is not None
                parts = found or []
            else:
                params[slot] = value
            if not ok:
                break
        if ok:
            out: dict[str, Any] = {"id": mid, "params": dict(sorted(params.items()))}
            if parts:
                out["parts"] = parts
            return out
    return None


def _parts(text: str, names: Names, mid: str) -> list[dict[str, Any]] | None:
    prefixes, join, sentences = PARTS.get(mid, ((), None, False))
    if not prefixes:
        return None
    if join is None:
        one = parse(text, names, prefixes)
        return None if one is None else [one]
    pieces = text.split(join)
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(pieces):
        for j in range(i + 1, len(pieces) + 1):
            chunk = join.join(pieces[i:j]) + ("." if sentences else "")
            found = parse(chunk, names, prefixes)
            if found is not None:
                out.append(found)
                i = j
                break
        else:
            return None
    return out


def legacy(text: str) -> dict[str, Any]:
    return {"id": LEGACY, "params": {"text": text}}


def event_message(text: Any, names: Names, data: Mapping[str, Any] | None = None, kind: str = "") -> Any:
    """A stored event's text as a message (a message already is one)."""
    if not isinstance(text, str):
        return text
    title = (data or {}).get("title") if kind == "inject" else None
    if isinstance(title, str) and title and text.startswith(f"{title}: "):
        return {"id": "event.inject", "params": {"text": text[len(title) + 2:], "title": title}}
    if kind == "inject":
        return {"id": "text.verbatim", "params": {"text": text}}
    return parse(text, names, ("event.", "game_over.")) or legacy(text)


def rule_message(text: Any, names: Names) -> Any:
    if not isinstance(text, str):
        return text
    return parse(text, names, ("rule.",)) or legacy(text)


def explanation_message(text: Any, names: Names) -> Any:
    if not isinstance(text, str):
        return text
    return parse(text, names, ("explain.",)) or legacy(text)


def convert_record(record: Any) -> bool:
    """Convert one TurnRecord in place; True if anything changed."""
    names = Names((record.state_before or {}).get("scenario"))
    changed = False
    before = list(record.events or [])

    def conv(value: Any, fn: Callable[[Any], Any]) -> Any:
        nonlocal changed
        new = fn(value)
        changed = changed or new is not value
        return new

    record.events = [
        {**e, "text": conv(e.get("text"), lambda t, e=e: event_message(t, names, e.get("data"), str(e.get("kind"))))}
        if isinstance(e, dict) else e for e in record.events or []]
    # Public actions and private reports quote events by their text only (no kind, no data): the
    # event of the same text says what it became (an inject's title is only in the event's data).
    said = {old.get("text"): new.get("text") for old, new in zip(before, record.events, strict=True)
            if isinstance(old, dict) and isinstance(new, dict) and isinstance(old.get("text"), str)}

    def quoted(text: Any, kind: str = "") -> Any:
        return said[text] if isinstance(text, str) and text in said else event_message(text, names, None, kind)

    record.explanation = [
        {**x, "text": conv(x.get("text"), lambda t: explanation_message(t, names))} if isinstance(x, dict) else x
        for x in record.explanation or []]
    pub = dict(record.public_report or {})
    pub["actions"] = [
        {**a, "text": conv(a.get("text"), lambda t, a=a: quoted(t, str(a.get("kind"))))}
        if isinstance(a, dict) else a for a in pub.get("actions") or []]
    reason = pub.get("game_over_reason")
    if isinstance(reason, str) and reason:
        pub["game_over_reason"] = conv(reason, lambda t: parse(t, names, ("game_over.",)) or legacy(t))
    record.public_report = pub
    private = {}
    for sid, rep in (record.private_reports or {}).items():
        if not isinstance(rep, dict):
            private[sid] = rep
            continue
        rep = dict(rep)
        rep["events"] = [conv(t, quoted) for t in rep.get("events") or []]
        rep["rejected"] = [
            {**r, "message": conv(r.get("message"), lambda t: rule_message(t, names))} if isinstance(r, dict) else r
            for r in rep.get("rejected") or []]
        private[sid] = rep
    record.private_reports = private
    return changed


def convert_log_entry(entry: Any, names: Names) -> bool:
    data = entry.data if isinstance(entry.data, dict) else None
    if data is None or not isinstance(data.get("text"), str):
        return False
    inner = data.get("data") if isinstance(data.get("data"), dict) else None
    entry.data = {**data, "text": event_message(data["text"], names, inner, entry.kind.removeprefix("engine."))}
    return True


def forwards(apps: Any, schema_editor: Any) -> None:
    convert_games(apps.get_model("negotiation", "Game"), apps.get_model("negotiation", "TurnRecord"),
                  apps.get_model("negotiation", "GameEvent"))


def convert_games(game_model: Any, record_model: Any, event_model: Any, games: Iterable[Any] | None = None) -> None:
    """Convert the stored texts of ``games`` (default: every game). Idempotent."""
    for game in games if games is not None else game_model.objects.all().iterator():
        names = Names((game.state or {}).get("scenario"))
        for record in record_model.objects.filter(game=game):
            if convert_record(record):
                record.save(update_fields=["events", "explanation", "public_report", "private_reports"])
        for entry in event_model.objects.filter(game=game, kind__startswith="engine."):
            if convert_log_entry(entry, names):
                entry.save(update_fields=["data"])


def backwards(apps: Any, schema_editor: Any) -> None:
    """Nothing to undo in the schema; converted texts stay messages (older code shows a message
    it cannot read as its JSON)."""


class Migration(migrations.Migration):
    dependencies = [("negotiation", "0006_reflections_and_mail_language")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
