"""What a negotiating bot says: a short sentence for each message intent of the engine
(game_engine.negotiator), in the reader's language through the gettext catalogues.

The engine decides *what* to say (an intent id and its parameters: numbers, missile classes,
treaty templates); this module alone turns it into words, at display time, so the same stored
message reads in English for one player and in Spanish for another."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# Short names of treaty templates as a bot says them ("the offense cap").
TEMPLATE_WORDS = {
    "OFFENSE_CAP": _("the missile cap"),
    "CLASS_BAN": _("the class ban"),
    "DEFENSE_LIMIT": _("the defense limit"),
    "EXPORT_CONTROL": _("the export control treaty"),
    "NONPROLIFERATION": _("the non-proliferation treaty"),
    "HOSTING": _("the host-nation agreement"),
    "CBM": _("the confidence-building measures"),
}
CBM_WORDS = {
    "HOTLINE": _("a hotline"),
    "NOTIFICATION": _("a launch-notification agreement"),
    "DATA_EXCHANGE": _("a data exchange"),
}


def _int(x: Any) -> int:
    return x if isinstance(x, int) and not isinstance(x, bool) else 0


def _and(items: list[str]) -> str:
    """“a, b and c” in the active language."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def say(intent: Mapping[str, Any]) -> str:
    """The sentence for an intent ``{"id": ..., "params": {...}}`` in the active language."""
    iid = str(intent.get("id", ""))
    raw = intent.get("params")
    p: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    treaty = str(TEMPLATE_WORDS.get(str(p.get("template", "")), _("the treaty")))
    cbm = str(CBM_WORDS.get(str(p.get("kind", "")), _("a confidence-building measure")))
    missile = str(p.get("missile", ""))
    n_quota = _int(p.get("quota"))
    if iid == "sign":
        return gettext("We sign %(treaty)s as it stands.") % {"treaty": treaty}
    if iid == "reject_hurts":
        return gettext("We cannot sign %(treaty)s: it would leave us less secure.") % {"treaty": treaty}
    if iid == "reject_unverified":
        return gettext("We will not sign %(treaty)s without inspections or a data exchange.") % {
            "treaty": treaty}
    if iid == "reject_distrust":
        return gettext("We cannot sign with a state that has been caught breaking its word.")
    if iid == "reject_intrusive":
        return gettext("The inspection regime of %(treaty)s is too intrusive for us.") % {"treaty": treaty}
    if iid == "amend_inspections":
        return ngettext(
            "We will sign %(treaty)s if it includes %(n)s inspection a turn and a data exchange.",
            "We will sign %(treaty)s if it includes %(n)s inspections a turn and a data exchange.",
            n_quota) % {"treaty": str(TEMPLATE_WORDS["OFFENSE_CAP"]), "n": n_quota}
    if iid == "amend_no_inspections":
        return gettext("We will sign the missile cap without the inspection and data-exchange clauses.")
    if iid == "amend_notification":
        return gettext("We will sign if missile tests are notified in advance.")
    if iid == "amend_raise_cap":
        return gettext("We can accept a %(missile)s cap of %(cap)s, not lower.") % {
            "missile": missile, "cap": _int(p.get("cap"))}
    if iid == "amend_lower_cap":
        return gettext("We will sign if the %(missile)s cap comes down to %(cap)s.") % {
            "missile": missile, "cap": _int(p.get("cap"))}
    if iid == "amend_terminal_only":
        return gettext("We will sign the defense limit if radars stay in terminal mode.")
    if iid == "counter_defense_limit":
        return gettext("Your missile defenses within reach of us must be limited too: "
                       "we propose at most %(limit)s interceptors each.") % {"limit": _int(p.get("limit"))}
    if iid == "table_cap":
        return ngettext(
            "We propose to cap missile forces at today's levels, with %(n)s inspection a turn.",
            "We propose to cap missile forces at today's levels, with %(n)s inspections a turn.",
            n_quota) % {"n": n_quota}
    if iid == "table_reduction":
        return ngettext(
            "We propose to cut missile forces by %(percent)s%%, verified by %(n)s inspection a turn.",
            "We propose to cut missile forces by %(percent)s%%, verified by %(n)s inspections a turn.",
            n_quota) % {"percent": _int(p.get("percent")), "n": n_quota}
    if iid == "table_defense_limit":
        return gettext("We propose to limit missile defenses to %(limit)s interceptors each.") % {
            "limit": _int(p.get("limit"))}
    if iid == "offer_cbm":
        return gettext("We offer you %(cbm)s this turn; give the matching order and it is done.") % {"cbm": cbm}
    if iid == "table_cbm":
        kinds = [str(CBM_WORDS[k]) for k in str(p.get("kinds", "")).split(",") if k in CBM_WORDS]
        return gettext("We propose %(cbms)s between us and have signed the package: "
                       "sign it too and the measures take effect when the turn resolves.") % {"cbms": _and(kinds)}
    if iid == "accept_cbm":
        return gettext("We accept %(cbm)s: our order is in.") % {"cbm": cbm}
    if iid == "decline_cbm":
        return gettext("We decline %(cbm)s for now.") % {"cbm": cbm}
    if iid == "amend_cbm":
        kinds = [str(CBM_WORDS[k]) for k in str(p.get("kinds", "")).split(",") if k in CBM_WORDS]
        return gettext("We will sign the package with only %(cbms)s.") % {"cbms": _and(kinds)}
    if iid == "reject_cbm":
        return gettext("We are not ready for these confidence-building measures.")
    if iid == "table_hosting":
        return ngettext(
            "We ask to station %(n)s interceptor at site %(site)s on your territory, with your consent.",
            "We ask to station %(n)s interceptors at site %(site)s on your territory, with your consent.",
            _int(p.get("limit"))) % {"n": _int(p.get("limit")), "site": str(p.get("site", ""))}
    if iid == "reject_hosting":
        return gettext("We decline a host-nation agreement for site %(site)s: no missile defenses there for now.") % {"site": str(p.get("site", ""))}
    return gettext("We have nothing to add.")
