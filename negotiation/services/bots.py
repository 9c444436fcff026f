"""Bots at the table: a bot seat negotiates through the same services as a player.

On each clock tick (``bots_tick``) every bot seat of a game in negotiation or orders may make one
move, at a human pace (``BOT_PACE_SECONDS`` between its moves, shorter in short phases) and only
when the game changed since it last looked. ``game_engine.negotiator.decide`` chooses the move
from the bot's own view, the open proposals it is party to and the table's history (the
``bot.move`` entries of the log); this module carries it out with ``proposal_create``,
``proposal_amend``, ``proposal_sign``, ``proposal_comment`` and ``message_post``, so the log,
replay, exports and hidden-information rules are those of people. A bot reads and answers the
three kinds of proposal - treaties, host-nation agreements (it also tables these, to allies whose
site it wants to load) and packages of confidence-building measures - and, as the owner of a site
whose host-nation agreement both sides signed, loads the site in its orders that turn. The
confidence-building measures a bot offers a person are tabled as one package the bot has already
signed, so the student only reads and signs it; between bots they stay offers in the chat,
answered in kind. Every move is logged as ``bot.move`` with the actor ``bot:<policy>``: the log marks what bots did. A bot's chat message
carries its intent, worded in each reader's language (negotiation/bot_speech.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

import game_engine
from game_engine.negotiator import (
    CBM,
    HOSTING,
    Act,
    CbmOffer,
    Intent,
    Move,
    Offer,
    Record,
    decide,
    hosting_deployments,
    move_from_dict,
    negotiating_bot_orders,
    renewal_orders,
    reserve_store,
)
from game_engine.negotiator.types import CBM_ORDER
from negotiation import bot_speech, proposalforms
from negotiation.errors import UserError
from negotiation.models import Game, GameEvent, Phase, Proposal, ProposalKind, ProposalVersion, Seat
from negotiation.scenarios import state_infos
from negotiation.services.chat import message_post
from negotiation.services.common import log, phase_seconds
from negotiation.services.proposals import (
    proposal_amend,
    proposal_comment,
    proposal_create,
    proposal_sign,
)
from negotiation.viewer import Role, Viewer

BOT_PHASES = (Phase.NEGOTIATION, Phase.ORDERS)
PACE_SHARE = 0.1
"""In a short phase a bot moves at least every PACE_SHARE of the phase (so it can finish)."""


def pace_seconds(game: Game) -> float:
    """Seconds a bot waits between two moves in the current phase."""
    pace = float(settings.TREATYCRAFT.get("BOT_PACE_SECONDS", 6))
    length = phase_seconds(game, game.phase)
    if length:
        pace = min(pace, PACE_SHARE * length)
    return pace


def bot_viewer(game: Game, seat: Seat) -> Viewer:
    info = state_infos(game.scenario_slug).get(seat.state_id)
    name = info.name if info else seat.state_id
    return Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=seat.pk, state_id=seat.state_id,
                  label=gettext("%(state)s (bot)") % {"state": name}, member_id=None, is_captain=True, is_bot=True)


def _history(game: Game) -> list[Record]:
    out: list[Record] = []
    for turn, data in GameEvent.objects.filter(game=game, kind="bot.move").order_by("seq").values_list(
            "data__turn", "data__move"):
        mv = move_from_dict(data) if isinstance(data, dict) else None
        if mv is not None and isinstance(turn, int):
            out.append(Record(turn, mv))
    return out


def _open_proposals(game: Game, kind: str = "") -> list[tuple[Proposal, ProposalVersion, list[str]]]:
    """The game's open proposals (of one kind, if given) with their current version and the states
    that signed it, in three queries whatever their number."""
    rows = Proposal.objects.filter(game=game, status=Proposal.Status.OPEN).order_by("number")
    if kind:
        rows = rows.filter(kind=kind)
    out = []
    for p in rows.prefetch_related("versions", "signatures"):
        version = next(v for v in p.versions.all() if v.version == p.version)
        signed = sorted(s.state_id for s in p.signatures.all() if s.version == p.version)
        out.append((p, version, signed))
    return out


def _offers(game: Game, state_id: str) -> list[Offer]:
    """The open proposals the bot is party to, as the negotiator reads them: a treaty under its
    template, a host-nation agreement as ``HOSTING`` and a CBM package as ``CBM``."""
    offers: list[Offer] = []
    for p, version, signed_by in _open_proposals(game):
        if state_id not in p.parties:
            continue
        template = {str(ProposalKind.HOSTING): HOSTING, str(ProposalKind.CBM): CBM}.get(p.kind, version.template)
        if not template:
            continue
        signed = tuple(signed_by)
        offers.append(Offer(str(p.number), template, tuple(p.parties), dict(version.clauses),
                            p.author, p.version, signed))
    return offers


def _cbm_offers(history: list[Record], turn: int) -> list[CbmOffer]:
    return [CbmOffer(r.move.cbm, r.move.actor, r.move.to[0]) for r in history
            if r.turn == turn and r.move.act is Act.OFFER_CBM and r.move.to and r.move.cbm]


def _channel(game: Game, actor: str, to: tuple[str, ...]) -> str:
    if len(to) == 1:
        a, b = sorted((actor, to[0]))
        return f"bi:{a}:{b}"
    return "plenary"


def _say(game: Game, viewer: Viewer, mv: Move, token: str) -> None:
    """Post the move's message in the bilateral line (or the plenary when press allows only that)."""
    intent = mv.intent.as_dict()
    body = bot_speech.say(intent)
    for channel in dict.fromkeys((_channel(game, mv.actor, mv.to), "plenary")):
        try:
            message = message_post(game_id=game.pk, viewer=viewer, body=body, channel=channel,
                                   client_token=f"{token}:{channel}")
        except UserError:  # press rules or the chat rate limit: try the plenary, else stay silent
            continue
        message.intent = intent
        message.save(update_fields=["intent"])
        return


def _title(game: Game, kind: str, template: str, parties: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """The title of a proposal a bot tables: as words in the active language (kept as the engine's
    name for a treaty and in the log) and as data, worded for each reader."""
    names = {sid: info.name for sid, info in state_infos(game.scenario_slug).items()}
    words = {"kind": kind, "template": template, "parties": list(parties)}
    return proposalforms.composed_title(kind, template, parties, names), words


def _human(game: Game, state_id: str) -> bool:
    return Seat.objects.filter(game=game, state_id=state_id, bot_policy="").exists()


def _table_cbm_package(game: Game, viewer: Viewer, moves: list[Move]) -> Move:
    """Table the CBMs offered to a person as one package, signed by the bot. ``moves`` are the
    bot's ``OFFER_CBM`` moves to that state; returns the move that stands for the package in the
    log and the chat (intent ``table_cbm`` with the measures)."""
    first = moves[0]
    kinds = [k for k in proposalforms.CBM_MEASURES if any(m.cbm == k for m in moves)]
    intent = Intent.of("table_cbm", kinds=",".join(kinds))
    parties = tuple(sorted((first.actor, first.to[0])))
    title, title_words = _title(game, ProposalKind.CBM, "", parties)
    proposal = proposal_create(game_id=game.pk, viewer=viewer, kind=ProposalKind.CBM, title=title,
                               parties=list(parties), template="", clauses={"measures": kinds},
                               text=bot_speech.say(intent.as_dict()), title_words=title_words,
                               words={"text": intent.as_dict()})
    proposal_sign(game_id=game.pk, viewer=viewer, number=proposal.number, expected_version=proposal.version)
    return Move(first.actor, first.act, intent, proposal=str(proposal.number), version=proposal.version,
                template=CBM, parties=parties, terms={"measures": list(kinds)}, to=first.to)


def _carry_out(game: Game, viewer: Viewer, mv: Move) -> None:
    number = int(mv.proposal) if mv.proposal.isdigit() else 0
    if mv.act is Act.TABLE and mv.template == HOSTING:
        title, title_words = _title(game, ProposalKind.HOSTING, "", mv.parties)
        proposal_create(game_id=game.pk, viewer=viewer, kind=ProposalKind.HOSTING, title=title,
                        parties=list(mv.parties), template="", clauses=dict(mv.terms),
                        text=bot_speech.say(mv.intent.as_dict()), title_words=title_words,
                        words={"text": mv.intent.as_dict()})
    elif mv.act is Act.TABLE or (mv.act is Act.COUNTER and mv.template):
        title, title_words = _title(game, ProposalKind.TREATY, mv.template, mv.parties)
        proposal_create(game_id=game.pk, viewer=viewer, kind=ProposalKind.TREATY, title=title,
                        parties=list(mv.parties), template=mv.template, clauses=dict(mv.terms),
                        text=bot_speech.say(mv.intent.as_dict()), title_words=title_words,
                        words={"text": mv.intent.as_dict()})
    elif mv.act is Act.AMEND:
        proposal_amend(game_id=game.pk, viewer=viewer, number=number, expected_version=mv.version,
                       clauses=dict(mv.terms), text="", note=bot_speech.say(mv.intent.as_dict())[:200],
                       words={"note": mv.intent.as_dict()})
    elif mv.act is Act.SIGN:
        proposal_sign(game_id=game.pk, viewer=viewer, number=number, expected_version=mv.version)
    elif mv.act is Act.REJECT:
        proposal_comment(game_id=game.pk, viewer=viewer, number=number, body=bot_speech.say(mv.intent.as_dict()))


def bot_step(*, game_id: int, state_id: str, now: datetime | None = None) -> Move | None:
    """Let the bot of ``state_id`` make its next move, if it is its time. Returns the move."""
    now = now or timezone.now()
    game = Game.objects.get(pk=game_id)
    seat = Seat.objects.filter(game=game, state_id=state_id).first()
    if seat is None or not seat.bot_policy or game.phase not in BOT_PHASES or game.paused_at is not None:
        return None
    seen_key = f"bot-seen:{game.pk}:{state_id}"
    if cache.get(seen_key) == (game.turn, game.phase, game.last_seq):
        return None  # nothing changed since it last looked
    actor = f"bot:{seat.bot_policy}"
    last = GameEvent.objects.filter(game=game, kind="bot.move", data__state=state_id).order_by("-seq").first()
    if last is not None and now - last.created_at < timedelta(seconds=pace_seconds(game)):
        return None
    state = game_engine.state_from_json(game.state)
    history = _history(game)
    moves = decide(seat.bot_policy, state, state_id, _offers(game, state_id), _cbm_offers(history, game.turn),
                   history, f"{game.seed}:talk:{game.turn}", hosting=True)
    # A person is offered each measure once a turn, as a package (its fate is theirs to decide).
    tabled = {(k, r.move.to[0]) for r in history if r.turn == game.turn and r.move.intent.id == "table_cbm"
              and r.move.to for k in str(r.move.intent.param("kinds", "")).split(",")}
    moves = [m for m in moves if not (m.act is Act.OFFER_CBM and m.to and (m.cbm, m.to[0]) in tabled)]
    if not moves:
        cache.set(seen_key, (game.turn, game.phase, game.last_seq), 3600)
        return None
    mv = moves[0]
    viewer = bot_viewer(game, seat)
    with transaction.atomic():
        try:
            if mv.act is Act.OFFER_CBM and mv.to and _human(game, mv.to[0]):
                mv = _table_cbm_package(game, viewer, [m for m in moves if m.act is Act.OFFER_CBM
                                                       and m.to == mv.to and m.cbm in CBM_ORDER])
            else:
                _carry_out(game, viewer, mv)
        except UserError as exc:
            # Refused (the text changed, the state may not sign now...): noted for the facilitator,
            # and the bot counts the move as made so that it does not try it again and again.
            log(game, "bot.move", actor, {"state": state_id, "turn": game.turn, "move": mv.as_dict(),
                                          "refused": str(exc)}, audience=[game_engine.FACILITATOR])
            return None
        audience = None if not mv.to and not mv.parties else [
            *sorted({mv.actor, *mv.to, *mv.parties}), game_engine.FACILITATOR]
        event = log(game, "bot.move", actor, {"state": state_id, "turn": game.turn, "move": mv.as_dict()},
                    audience=audience)
        _say(Game.objects.get(pk=game.pk), viewer, mv, f"bot:{event.pk}")
    return mv


def bots_tick(now: datetime | None = None) -> int:
    """One step for every bot seat of every running game. Returns how many moves were made."""
    made = 0
    seats = (Seat.objects.filter(game__phase__in=BOT_PHASES, game__paused_at__isnull=True)
             .exclude(bot_policy="").values_list("game_id", "state_id"))
    for game_id, state_id in list(seats):
        if bot_step(game_id=game_id, state_id=state_id, now=now) is not None:
            made += 1
    return made


def bot_orders(game: Game, policy: str, state: game_engine.GameState, state_id: str,
               seed: str) -> list[dict[str, Any]]:
    """The bot's orders at resolution: the deployments that load a site whose host-nation
    agreement the host signed (it consents this turn), its policy's orders, and the CBM
    orders it offered or accepted at the table this turn (the partner's mirror order completes
    each; a signed CBM package's orders come with the signatures)."""
    raws: list[dict[str, Any]] = []
    for _p, version, signed in _open_proposals(game, ProposalKind.HOSTING):
        # The host's signature is its consent; the owner wants it if it signed or wrote this version.
        if (version.clauses.get("owner") == state_id and version.clauses.get("host") in signed
                and (state_id in signed or version.author == state_id)):
            raws += hosting_deployments(state, version.clauses)
    # The agreed site is loaded first: the policy's own deployments get what is left in store.
    own = negotiating_bot_orders(policy, state, state_id, seed)
    raws += reserve_store(state, state_id, own, list(raws)) if raws else [dict(o) for o in own]
    # An expiring treaty it belongs to: signed again, so a student who re-signs it renews it.
    raws += [o for o in renewal_orders(state, state_id, policy) if o not in raws]
    have = {(o.get("type"), o.get("with")) for o in raws}
    for r in _history(game):
        mv = r.move
        if r.turn != game.turn or mv.actor != state_id or not mv.to:
            continue
        if mv.act in (Act.OFFER_CBM, Act.ACCEPT_CBM) and mv.cbm in CBM_ORDER:
            order = {"type": CBM_ORDER[mv.cbm], "with": mv.to[0]}
            if (order["type"], order["with"]) not in have:
                raws.append(order)
                have.add((order["type"], order["with"]))
    return raws
