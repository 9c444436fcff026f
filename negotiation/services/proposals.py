"""Proposals as first-class objects: treaties, host-nation agreements and packages of
confidence-building measures, built from clauses the engine understands, versioned, commented,
signed.

A signature is recorded here and turned into the engine's order at every resolution while the
proposal is open (SIGN on the version's terms hash for a treaty; CONSENT_HOSTING from the host of
a host-nation agreement; for a CBM package, once both parties signed the same version, each
party's AGREE_* order for each measure), so a treaty enters into force at the first resolution
after every party has signed the same version. Amending a proposal makes earlier signatures void."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

import game_engine
from game_engine.negotiator import CBM, CBM_KINDS
from game_engine.negotiator.types import CBM_ORDER
from game_engine.scenario import TREATY_TEMPLATES
from negotiation import engine_views
from negotiation.changes import ProposalChanged, publish
from negotiation.errors import InvalidInput, PhaseClosed, StaleVersion
from negotiation.models import (
    Game,
    Member,
    OrderSubmission,
    Phase,
    Proposal,
    ProposalComment,
    ProposalKind,
    ProposalVersion,
    Seat,
    Signature,
)
from negotiation.services.common import lock_game, log
from negotiation.viewer import Role, Viewer

HOSTING_CLAUSES = ("owner", "host", "site", "max_interceptors", "max_radar_level", "forward_allowed",
                   "sensor_sharing_allowed", "compensation", "notice_turns")
OPEN_PHASES = (Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT)


def _player(viewer: Viewer) -> str:
    if viewer.role is not Role.PLAYER or not viewer.state_id:
        raise InvalidInput(gettext("Only players table and sign proposals."))
    return viewer.state_id


def _captain(viewer: Viewer, game: Game) -> Seat:
    state_id = _player(viewer)
    seat = Seat.objects.get(game=game, state_id=state_id)
    if viewer.is_bot and seat.bot_policy:
        return seat
    if viewer.member_id is None or not Member.objects.filter(
            pk=viewer.member_id, seat=seat, is_captain=True, removed_at=None).exists():
        raise InvalidInput(gettext("Only your team's captain signs for your state."))
    return seat


def _parties_audience(proposal: Proposal) -> list[str]:
    return [*proposal.parties, game_engine.FACILITATOR]


def _notify_parties(game: Game, proposal: Proposal) -> None:
    publish(ProposalChanged(game.pk, proposal.number, tuple(proposal.parties)))


def check_treaty(game: Game, template: str, parties: list[str], clauses: Mapping[str, Any]) -> None:
    """Ask the engine whether these terms make a valid treaty (without tabling them)."""
    if template not in TREATY_TEMPLATES:
        raise InvalidInput(gettext("Choose a treaty type."))
    try:
        game_engine.add_treaty_draft(game_engine.state_from_json(game.state), template, parties, dict(clauses))
    except game_engine.RuleViolation as exc:
        raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc


def check_hosting(game: Game, parties: list[str], clauses: Mapping[str, Any]) -> None:
    owner, host = clauses.get("owner"), clauses.get("host")
    if not owner or not host or owner == host or sorted([str(owner), str(host)]) != sorted(parties):
        raise InvalidInput(gettext("A host-nation agreement is between the site's owner and its host."))
    if not clauses.get("site"):
        raise InvalidInput(gettext("Name the site the agreement covers."))
    raw = {"type": "CONSENT_HOSTING", **{k: clauses[k] for k in HOSTING_CLAUSES if k in clauses and k != "host"}}
    try:
        game_engine.validate_order(game_engine.state_from_json(game.state), str(host), raw)
    except game_engine.RuleViolation as exc:
        if exc.code not in {"E_DS_TOO_LOW"}:
            raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc


def check_cbm(game: Game, parties: list[str], clauses: Mapping[str, Any]) -> None:
    """A CBM package is between two states, holds at least one measure, and none the pair has
    already agreed (the engine would refuse the AGREE order)."""
    if len(parties) != 2:
        raise InvalidInput(gettext("Confidence-building measures are agreed between two states: choose one other party."))
    measures = clauses.get("measures")
    if not isinstance(measures, list) or not measures or any(m not in CBM_KINDS for m in measures):
        raise InvalidInput(gettext("Tick at least one confidence-building measure."))
    if set(clauses) - {"measures"}:
        raise InvalidInput(gettext("Unknown kind of proposal."))
    state = game_engine.state_from_json(game.state)
    a, b = parties
    for kind in measures:
        try:
            game_engine.validate_order(state, a, {"type": CBM_ORDER[kind], "with": b})
        except game_engine.RuleViolation as exc:
            raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc


@transaction.atomic
def proposal_create(*, game_id: int, viewer: Viewer, kind: str, title: str, parties: list[str],
                    template: str, clauses: Mapping[str, Any], text: str, title_words: Mapping[str, Any] | None = None,
                    words: Mapping[str, Any] | None = None) -> Proposal:
    """Table a proposal. A bot's also carries `title_words` and `words` (its title and text as data,
    worded in each reader's language; `title` and `text` keep them as tabled)."""
    game = lock_game(game_id)
    author = _player(viewer)
    if game.phase not in OPEN_PHASES:
        raise PhaseClosed(gettext("Proposals are tabled while the game runs."))
    states = set(game_engine.state_from_json(game.state).state_ids)
    party_list = sorted({*parties, author} & states)
    if len(party_list) < 2:
        raise InvalidInput(gettext("A proposal needs at least one other party."))
    name = " ".join(title.split())[:120]
    if not name:
        raise InvalidInput(gettext("Give the proposal a title."))
    if len(text) > 4000:
        raise InvalidInput(gettext("The free text is at most 4,000 characters."))
    if kind == ProposalKind.TREATY:
        check_treaty(game, template, party_list, clauses)
    elif kind == ProposalKind.HOSTING:
        check_hosting(game, party_list, clauses)
        template = ""
    elif kind == ProposalKind.CBM:
        check_cbm(game, party_list, clauses)
        template = CBM
    else:
        raise InvalidInput(gettext("Unknown kind of proposal."))
    number = (Proposal.objects.filter(game=game).aggregate(n=Max("number"))["n"] or 0) + 1
    proposal = Proposal.objects.create(game=game, number=number, kind=kind, title=name, parties=party_list,
                                       author=author, version=1,
                                       title_words=dict(title_words) if title_words else None)
    ProposalVersion.objects.create(proposal=proposal, version=1, author=author, template=template,
                                   clauses=dict(clauses), text=text.strip(), words=dict(words) if words else None)
    log(game, "proposal.tabled", author,
        {"proposal": number, "version": 1, "kind": kind, "title": name, "parties": party_list,
         "template": template, "clauses": dict(clauses), "text": text.strip(), "member": viewer.member_id},
        audience=_parties_audience(proposal))
    _notify_parties(game, proposal)
    return proposal


def _locked_proposal(game: Game, number: int, viewer: Viewer) -> Proposal:
    """The proposal `viewer` acts on, locked. Only its parties and the facilitator act on a
    proposal: an observer (or anyone else) is refused before the proposal is looked up, and a
    player who is not a party gets the same answer as for a number that does not exist."""
    if viewer.role is Role.OBSERVER:
        raise InvalidInput(gettext("Observers read; they do not act on proposals."))
    if viewer.role is Role.PLAYER and not viewer.state_id:
        raise InvalidInput(gettext("There is no such proposal."))
    proposal = Proposal.objects.select_for_update().filter(game=game, number=number).first()
    if proposal is None or (viewer.role is Role.PLAYER and viewer.state_id not in proposal.parties):
        raise InvalidInput(gettext("There is no such proposal."))
    return proposal


@transaction.atomic
def proposal_amend(*, game_id: int, viewer: Viewer, number: int, expected_version: int,
                   clauses: Mapping[str, Any], text: str, note: str = "",
                   words: Mapping[str, Any] | None = None) -> Proposal:
    """A new version (amendment or counter-proposal). `expected_version` is the version the
    player edited: if another party amended first, nothing is lost and they are told. A bot's
    also carries `words` (its note as data, worded in each reader's language)."""
    game = lock_game(game_id)
    author = _player(viewer)
    proposal = _locked_proposal(game, number, viewer)
    if proposal.status != Proposal.Status.OPEN:
        raise InvalidInput(gettext("This proposal is no longer open."))
    if expected_version != proposal.version:
        raise StaleVersion(gettext(
            "%(title)s was amended by another party while you were editing; it is now at version %(version)s. "
            "Your changes were not saved: review the new version and amend again.") % {
                "title": proposal.title, "version": proposal.version})
    current = proposal.versions.get(version=proposal.version)
    if proposal.kind == ProposalKind.TREATY:
        check_treaty(game, current.template, list(proposal.parties), clauses)
    elif proposal.kind == ProposalKind.CBM:
        check_cbm(game, list(proposal.parties), clauses)
    else:
        check_hosting(game, list(proposal.parties), clauses)
    proposal.version += 1
    proposal.engine_treaty_id = ""
    proposal.save(update_fields=["version", "engine_treaty_id", "updated_at"])
    ProposalVersion.objects.create(proposal=proposal, version=proposal.version, author=author,
                                   template=current.template, clauses=dict(clauses), text=text.strip()[:4000],
                                   note=note.strip()[:200], words=dict(words) if words else None)
    log(game, "proposal.amended", author,
        {"proposal": number, "version": proposal.version, "clauses": dict(clauses), "text": text.strip(),
         "note": note.strip()[:200], "member": viewer.member_id},
        audience=_parties_audience(proposal))
    _notify_parties(game, proposal)
    return proposal


@transaction.atomic
def proposal_comment(*, game_id: int, viewer: Viewer, number: int, body: str) -> ProposalComment:
    game = lock_game(game_id)
    proposal = _locked_proposal(game, number, viewer)
    text = body.strip()
    if not text or len(text) > 1000:
        raise InvalidInput(gettext("A comment has 1 to 1,000 characters."))
    comment = ProposalComment.objects.create(proposal=proposal, version=proposal.version, author=viewer.label,
                                             state_id=viewer.state_id or "", body=text)
    log(game, "proposal.commented", viewer.label, {"proposal": number, "version": proposal.version, "body": text},
        audience=_parties_audience(proposal))
    _notify_parties(game, proposal)
    return comment


def _table(game: Game, proposal: Proposal, version: ProposalVersion) -> str:
    """Table the treaty version in the engine state (idempotent) and return its terms hash."""
    if version.terms_hash:
        return version.terms_hash
    state = game_engine.state_from_json(game.state)
    try:
        # The proposal's title becomes the treaty's public name.
        state, treaty_id, terms_hash = game_engine.add_treaty_draft(
            state, version.template, list(proposal.parties), {**version.clauses, "name": proposal.title})
    except game_engine.RuleViolation as exc:
        raise InvalidInput(engine_views.texts(game).rule_error(exc.code, exc.message)) from exc
    game.state = game_engine.state_to_json(state)
    game.save(update_fields=["state"])
    version.terms_hash = terms_hash
    version.save(update_fields=["terms_hash"])
    proposal.engine_treaty_id = treaty_id
    proposal.save(update_fields=["engine_treaty_id"])
    # The engine state changed between turns: the log carries what replay needs to do the same.
    log(game, "treaty.drafted", "engine",
        {"proposal": proposal.number, "version": version.version, "treaty": treaty_id, "terms_hash": terms_hash,
         "template": version.template, "parties": list(proposal.parties),
         "terms": {**version.clauses, "name": proposal.title}},
        audience=[*proposal.parties, game_engine.FACILITATOR])
    return terms_hash


def signature_order(proposal: Proposal, version: ProposalVersion, state_id: str) -> list[dict[str, Any]]:
    """The engine orders a signature stands for at resolution (none: it needs none). A CBM
    package's signature stands for one AGREE_* order per measure with the other party."""
    if proposal.kind == ProposalKind.TREATY:
        return [{"type": "SIGN", "terms_hash": version.terms_hash}]
    if proposal.kind == ProposalKind.CBM:
        others = [p for p in proposal.parties if p != state_id]
        measures = version.clauses.get("measures") or []
        return [{"type": CBM_ORDER[k], "with": w} for w in others for k in CBM_KINDS if k in measures]
    if state_id == version.clauses.get("host"):
        return [{"type": "CONSENT_HOSTING",
                 **{k: version.clauses[k] for k in HOSTING_CLAUSES if k in version.clauses and k != "host"}}]
    return []


@transaction.atomic
def proposal_sign(*, game_id: int, viewer: Viewer, number: int, expected_version: int) -> Signature:
    """Sign the current version for the viewer's state (captains only)."""
    game = lock_game(game_id)
    seat = _captain(viewer, game)
    if game.phase not in (Phase.NEGOTIATION, Phase.ORDERS):
        raise PhaseClosed(gettext("Signatures are given during negotiation and orders."))
    proposal = _locked_proposal(game, number, viewer)
    if proposal.status != Proposal.Status.OPEN:
        raise InvalidInput(gettext("This proposal is no longer open for signature."))
    if expected_version != proposal.version:
        raise StaleVersion(gettext("%(title)s changed to version %(version)s before you signed; "
                                   "read the new version, then sign it if you agree.") % {
                                       "title": proposal.title, "version": proposal.version})
    version = proposal.versions.get(version=proposal.version)
    if proposal.kind == ProposalKind.TREATY:
        _table(game, proposal, version)
    orders = signature_order(proposal, version, seat.state_id)
    if orders:
        submission = OrderSubmission.objects.filter(seat=seat, turn=game.turn).first()
        current = list(submission.orders) if submission else []
        try:
            game_engine.validate_orders(game_engine.state_from_json(game.state), seat.state_id,
                                        [*current, *[o for o in orders if o not in current]])
        except game_engine.RuleViolation as exc:
            reason = engine_views.texts(game).rule_error(exc.code, exc.message)
            raise InvalidInput(gettext("Your state cannot sign now: %(reason)s") % {"reason": reason}) from exc
    signature, _ = Signature.objects.get_or_create(
        proposal=proposal, version=proposal.version, state_id=seat.state_id,
        defaults={"signed_by": viewer.label, "turn": game.turn})
    log(game, "proposal.signed", seat.state_id,
        {"proposal": number, "version": proposal.version, "terms_hash": version.terms_hash,
         "member": viewer.member_id},
        audience=_parties_audience(proposal))
    _notify_parties(game, proposal)
    return signature


@transaction.atomic
def proposal_unsign(*, game_id: int, viewer: Viewer, number: int) -> None:
    game = lock_game(game_id)
    seat = _captain(viewer, game)
    proposal = _locked_proposal(game, number, viewer)
    deleted, _ = Signature.objects.filter(proposal=proposal, version=proposal.version, state_id=seat.state_id).delete()
    if deleted:
        log(game, "proposal.unsigned", seat.state_id, {"proposal": number, "version": proposal.version},
            audience=_parties_audience(proposal))
        _notify_parties(game, proposal)


@transaction.atomic
def proposal_withdraw(*, game_id: int, viewer: Viewer, number: int) -> Proposal:
    game = lock_game(game_id)
    author = _player(viewer)
    proposal = _locked_proposal(game, number, viewer)
    if proposal.author != author:
        raise InvalidInput(gettext("Only the state that tabled a proposal withdraws it."))
    if proposal.status != Proposal.Status.OPEN:
        raise InvalidInput(gettext("Only an open proposal can be withdrawn."))
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    log(game, "proposal.withdrawn", author, {"proposal": number}, audience=_parties_audience(proposal))
    _notify_parties(game, proposal)
    return proposal


def signature_orders(game: Game) -> dict[str, list[dict[str, Any]]]:
    """Inside a resolution: the engine orders every standing signature stands for. A CBM
    package's signatures count only once both parties signed the same version (an AGREE order
    without its mirror is refused and would only cost a turn's note)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for proposal in Proposal.objects.filter(game=game, status=Proposal.Status.OPEN).prefetch_related("versions"):
        version = next((v for v in proposal.versions.all() if v.version == proposal.version), None)
        if version is None:
            continue
        signers = list(Signature.objects.filter(proposal=proposal, version=proposal.version)
                       .values_list("state_id", flat=True))
        if proposal.kind == ProposalKind.CBM and set(proposal.parties) - set(signers):
            continue
        if proposal.kind == ProposalKind.TREATY and not version.terms_hash:
            continue
        for state_id in signers:
            result.setdefault(state_id, []).extend(signature_order(proposal, version, state_id))
    return result


def sync_after_resolution(game: Game) -> None:
    """Inside a resolution: mark proposals the engine has put into force (or ended)."""
    view = engine_views.view(game, game_engine.FACILITATOR)
    treaties = {str(t["id"]): t for t in view.get("treaties", [])}
    consents = {(c.get("owner"), c.get("host"), c.get("site")) for c in view.get("consents", [])}
    agreements = {(g.get("kind"), g.get("a"), g.get("b")) for g in view.get("agreements", [])}
    for proposal in Proposal.objects.filter(game=game, status=Proposal.Status.OPEN).prefetch_related("versions"):
        version = next((v for v in proposal.versions.all() if v.version == proposal.version), None)
        if version is None:
            continue
        in_force = False
        if proposal.kind == ProposalKind.TREATY:
            treaty = treaties.get(proposal.engine_treaty_id)
            in_force = bool(treaty and treaty.get("status") in ("in_force", "withdrawing"))
        elif proposal.kind == ProposalKind.CBM:
            a, b = sorted(proposal.parties)
            measures = version.clauses.get("measures") or []
            in_force = bool(measures) and all((k, a, b) in agreements for k in measures)
        else:
            c = version.clauses
            in_force = (c.get("owner"), c.get("host"), c.get("site")) in consents
        if in_force:
            proposal.status = Proposal.Status.IN_FORCE
            proposal.save(update_fields=["status", "updated_at"])
            log(game, "proposal.in_force", "engine", {"proposal": proposal.number, "version": proposal.version,
                                                       "treaty": proposal.engine_treaty_id, "title": proposal.title})
            _notify_parties(game, proposal)
