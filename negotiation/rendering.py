"""Fragment names -> HTML. One partial per fragment; the partial's name is its root element's id.

The same partial renders the full page, the HTTP reply and the WebSocket push. Public partials
(templates/negotiation/_public.html) get only a PublicView; private partials
(templates/negotiation/_private.html) get the PrivateView of one viewer.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Literal, cast, get_args

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from game_engine.negotiator import NEGOTIATING_POLICIES
from negotiation import channels, engine_views, mapview, proposalforms, selectors
from negotiation.models import Channel, Game, Message
from negotiation.scenarios import scenario
from negotiation.tutorial_tips import tutorial_tip
from negotiation.viewer import Role, Viewer

PUBLIC_TEMPLATE = "negotiation/_public.html"
PRIVATE_TEMPLATE = "negotiation/_private.html"
MAP_TEMPLATE = "negotiation/_map.html"
MAP_FRAGMENTS = ("region-map", "region-map-public")
# The fragments a change can redraw, named once: broadcasts maps each change to some of these, and
# mypy rejects a name that is not listed here.
PublicFragment = Literal["game-status", "seat-list", "public-results", "scoreboard", "news", "region-map-public"]
# A player's fragments a push can name (the channel list is drawn with the talks, not _private.html).
PrivateFragment = Literal["my-forces", "order-panel", "ready-bar", "private-report", "news-private", "channel-list", "proposals",
                          "region-map"]
PUBLIC_FRAGMENTS: tuple[PublicFragment, ...] = get_args(PublicFragment)
PUSHED_PRIVATE_FRAGMENTS: tuple[PrivateFragment, ...] = get_args(PrivateFragment)
# Public fragments only the projector page (an observer's socket) has a place for.
PROJECTOR_ONLY: tuple[PublicFragment, ...] = ("region-map-public",)
PLAYER_FRAGMENTS = tuple(n for n in PUSHED_PRIVATE_FRAGMENTS if n != "channel-list")
PRIVATE_FRAGMENTS = (*PLAYER_FRAGMENTS, "truth-panel")


def _template_for(name: str) -> str:
    """Public partials live in _public.html, the maps in _map.html; every other fragment is
    private to one viewer."""
    if name in MAP_FRAGMENTS:
        return MAP_TEMPLATE
    return PUBLIC_TEMPLATE if name in PUBLIC_FRAGMENTS else PRIVATE_TEMPLATE


def public_context(game: Game) -> dict[str, Any]:
    pub = selectors.public_view(game)
    # The maps are built only when a template renders one (a callable in the context).
    return {"pub": pub, "game": game, "pmap": partial(mapview.public_map, game, pub.view),
            "seat_table": partial(seat_table_html, pub),
            "tutorial": tutorial_tip(game), "rsi_move": selectors.rsi_last_move(pub)}


def private_context(game: Game, viewer: Viewer) -> dict[str, Any]:
    priv = selectors.private_view(game, viewer)
    context: dict[str, Any] = {
        "game": game,
        "priv": priv,
        # The order composer (its first order type, empty) and the budget line, built only when
        # a template renders them; a command's reply puts its own composer here.
        "composer": partial(selectors.order_composer, game, viewer, priv.order_groups),
        "plan": partial(selectors.order_plan, game, viewer),
        "rmap": partial(mapview.region_map, game, viewer),
        "forces": partial(forces_html, priv, game.scenario_slug),
        "viewer": viewer,
        "client_token": _token(),
        "order_error": None,
    }
    return context


# Parts of a fragment rendered once per what they show and reused: each is rendered from a context
# holding only its key's parts. An engine view (frozen, shared between renders of one snapshot by
# engine_views.typed_view_of) is keyed by its identity: an entry holds the object it was rendered
# from and is used only for that very object, so its id cannot be reused while the entry lives.
_KEPT: OrderedDict[tuple[Any, ...], tuple[Any, SafeString]] = OrderedDict()
_KEPT_LOCK = threading.Lock()
KEPT_CACHE_SIZE = 2048


def _kept(key: tuple[Any, ...], held: tuple[Any, ...], render: Callable[[], str]) -> SafeString:
    """The HTML ``render()`` gives for ``key``, reused while ``held`` (the objects whose ids are in
    the key) are the very objects it was rendered from."""
    with _KEPT_LOCK:
        entry = _KEPT.get(key)
        if entry is not None and len(entry[0]) == len(held) and all(a is b for a, b in zip(entry[0], held, strict=True)):
            _KEPT.move_to_end(key)
            return entry[1]
    html = mark_safe(render())  # noqa: S308
    with _KEPT_LOCK:
        _KEPT[key] = (held, html)
        while len(_KEPT) > KEPT_CACHE_SIZE:
            _KEPT.popitem(last=False)
    return html


def forces_html(priv: selectors.PrivateView, scenario_slug: str) -> SafeString:
    """The viewer's own forces: a function of their OwnView (priv.me) and the scenario's state names."""
    me = priv.me
    if me is None:
        return SafeString("")
    return _kept(("forces", get_language(), scenario_slug, id(me)), (me,), lambda: render_to_string(
        f"{PRIVATE_TEMPLATE}#my-forces-body",
        {"me": me, "missile_rows": priv.missile_rows, "threat_rows": priv.threat_rows}))


def seat_table_html(pub: selectors.PublicView) -> SafeString:
    """The seat table and the public picture: a function of the seat rows (frozen) and the public
    view's states and classes (the ledger rows are built from them). The states and classes are
    held, not the view: a finished game's view is a copy per render (its translated ending) that
    shares them, and holding the copies would fill the cache with views."""
    seats = tuple(pub.seats)
    states, classes = pub.view.states, pub.view.classes
    return _kept(("seats", get_language(), seats, id(states), id(classes)), (states, classes),
                 lambda: render_to_string(f"{PUBLIC_TEMPLATE}#seat-list-body", {
                     "pub": {"seats": seats, "view": {"classes": classes}, "ledger_rows": pub.ledger_rows}}))


def _token() -> str:
    return secrets.token_urlsafe(12)


def chat_context(game: Game, viewer: Viewer, open_key: str = "plenary", *, page: bool = True) -> dict[str, Any]:
    """The channel list and the open channel's pane (falls back to the plenary if the viewer may
    not read `open_key`); without the pane's messages when `page` is False (the list alone)."""
    rows = selectors.channel_rows(game, viewer)
    by_key = {r.key: r for r in rows}
    open_row = by_key.get(open_key)
    if open_row is None or open_row.invited:
        open_row = by_key["plenary"]
    names = selectors.state_names(game)
    return {
        "game": game,
        "viewer": viewer,
        "channels": rows,
        "open_channel": open_row.key,
        "open_row": open_row,
        "channel_items": partial(channel_items_html, game.pk, rows, open_row.key),
        "chat": (chat := selectors.channel_page(game, viewer, open_row.key) if page else []),
        "chat_items": partial(chat_items_html, game.pk, chat),
        "chat_error": None,
        "chat_body": "",
        "client_token": _token(),
        "channel_error": None,
        "other_states": [(sid, name) for sid, name in names.items() if sid != viewer.state_id],
    }


# Rendered chat messages, reused. The HTML of a message is a pure function of the key: what the
# item shows (sequence number, author, words, time), the language and the reader's time zone, so an entry can never be stale, even where a database reuses ids.
_ITEMS: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_ITEMS_LOCK = threading.Lock()
ITEMS_CACHE_SIZE = 5_000  # a page shows 50 messages: a hundred busy channels


def chat_items_html(game_id: int, rows: list[selectors.ChatRow]) -> list[SafeString]:
    """Each message of a page as its chat-item partial renders it, rendered once per message,
    language and time zone. The rows come from a selector that checked the reader may read them;
    the key names the message, not the reader: its HTML is the same for every reader of its channel."""
    zone = (get_language(), timezone.get_current_timezone_name())
    out: list[SafeString] = []
    for row in rows:
        key = (game_id, row.seq, row.author, row.body, row.created_at, *zone)
        with _ITEMS_LOCK:
            html = _ITEMS.get(key)
            if html is not None:
                _ITEMS.move_to_end(key)
        if html is None:
            html = mark_safe(render_to_string(f"{PRIVATE_TEMPLATE}#chat-item", {"m": row}))  # noqa: S308
            with _ITEMS_LOCK:
                _ITEMS[key] = html
                while len(_ITEMS) > ITEMS_CACHE_SIZE:
                    _ITEMS.popitem(last=False)
        out.append(html)
    return out


def channel_items_html(game_id: int, rows: list[selectors.ChannelRow], open_key: str) -> list[SafeString]:
    """The channel list's rows, each rendered once per row value (a ChannelRow is frozen and holds
    what its item shows: title, members, invitation, unread count), whether it is the open one,
    the game (its URLs) and the language."""
    urls = (reverse("negotiation:channel-open", args=[game_id]), reverse("negotiation:coalition-respond", args=[game_id]))
    lang = get_language()
    return [_kept(("channel", lang, row, row.key == open_key, urls), (), partial(
        render_to_string, f"{PRIVATE_TEMPLATE}#channel-item",
        {"c": row, "current": row.key == open_key, "open_url": urls[0], "respond_url": urls[1]})) for row in rows]


def chat_form_context(game: Game, viewer: Viewer, open_key: str = "plenary") -> dict[str, Any]:
    """What the chat form needs (the open channel's row), without the channel's messages or the
    unread counts: the reply to a post."""
    rows = selectors.channel_rows(game, viewer, counts_wanted=False)
    by_key = {r.key: r for r in rows}
    open_row = by_key.get(open_key)
    if open_row is None or open_row.invited:
        open_row = by_key["plenary"]
    return {"game": game, "viewer": viewer, "channels": rows, "open_channel": open_row.key, "open_row": open_row,
            "chat_error": None, "chat_body": "", "client_token": _token()}


def posted_form_context(viewer: Viewer, channel: Channel) -> dict[str, Any]:
    """The chat form after a post, from the channel (and game columns) the post read under the
    game's lock: no read of its own."""
    row = selectors.channel_row(channel.game, viewer, channel)
    return {"game": channel.game, "viewer": viewer, "channels": [row], "open_channel": row.key, "open_row": row,
            "chat_error": None, "chat_body": "", "client_token": _token()}


def proposals_context(game: Game, viewer: Viewer) -> dict[str, Any]:
    view = engine_views.typed_view(game, viewer.engine_viewer)
    names = selectors.state_names(game)
    sites = sorted({site.id for s in view.states for site in s.sites})
    forms = ProposalForms(game.pk, tuple(view.classes), tuple(names.items()),
                          tuple((sid, name) for sid, name in names.items() if sid != viewer.state_id), tuple(sites))
    return {
        "game": game,
        "viewer": viewer,
        "proposals": selectors.proposals_for(game, viewer),
        "proposal_notes": selectors.proposal_notes(game, viewer),
        **PROPOSAL_TERMS,
        "classes": list(forms.classes),
        "all_states": list(forms.all_states),
        "other_states": list(forms.other_states),
        "sites": sites,
        "proposal_forms": partial(proposal_forms_html, forms),
        "proposal_error": None,
        "proposal_notice": None,
        "client_token": _token(),
    }


# The labels of the proposal forms' terms (module constants, translated lazily).
PROPOSAL_TERMS: dict[str, Any] = {
    "templates": proposalforms.TEMPLATES, "int_terms": proposalforms.INT_TERMS, "bool_terms": proposalforms.BOOL_TERMS,
    "hosting_int": proposalforms.HOSTING_INT, "hosting_bool": proposalforms.HOSTING_BOOL,
    "cbm_measures": proposalforms.CBM_MEASURES}


@dataclass(frozen=True, slots=True)
class ProposalForms:
    """Everything the forms that table a new proposal show, besides the terms' labels (constants
    in the active language): the key of their cached HTML and the only context they render from."""

    game_pk: int
    classes: tuple[str, ...]
    all_states: tuple[tuple[str, str], ...]
    other_states: tuple[tuple[str, str], ...]
    sites: tuple[str, ...]


class _RenderedCache:
    """Rendered HTML, least recently used first out. A key must hold everything the HTML shows."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_PROPOSAL_FORMS = _RenderedCache(512)  # a game's states, per language


def proposal_forms_html(forms: ProposalForms) -> SafeString:
    """The new-proposal forms, rendered once per game, viewer's state and language: their partial
    gets no context but ``forms`` and the terms' labels, so the key cannot miss what they show."""
    key = (get_language(), forms)
    html = _PROPOSAL_FORMS.get(key)
    if html is None:
        context = {**PROPOSAL_TERMS, "game_pk": forms.game_pk, "classes": forms.classes,
                   "all_states": forms.all_states, "other_states": forms.other_states, "sites": forms.sites}
        html = mark_safe(render_to_string(f"{PRIVATE_TEMPLATE}#proposal-forms", context))  # noqa: S308
        _PROPOSAL_FORMS.put(key, html)
    return cast(SafeString, html)


def room_context(game: Game, viewer: Viewer, open_key: str = "plenary", *, reads_shared: bool = False) -> dict[str, Any]:
    # the public, private, chat and proposal contexts read the same rows (seats, members, injects,
    # the last turn record, channels, proposals, the seat's orders): once each for the whole page.
    # ``reads_shared``: the caller started sharing on this instance, with no write since (the page
    # resolved its viewer from the shared members; a resync read the game for this render)
    if not reads_shared:
        selectors.share_reads(game)
        selectors.read_together(game, selectors.ROOM_SETS, seat_id=viewer.seat_id)
    context = (public_context(game) | private_context(game, viewer) | chat_context(game, viewer, open_key)
               | proposals_context(game, viewer) | {"starting_forces": starting_forces(game, viewer)})
    # the page's map, from the same cache as its pushes and resyncs (a template calls the callable)
    context["region_map_html"] = partial(partial_html, "region-map", context)
    return context


def starting_forces(game: Game, viewer: Viewer) -> str:
    """The viewer's own state's forces when the scenario begins (for the briefing card)."""
    setup = next((s for s in scenario(game.scenario_slug).states if s.info.id == viewer.state_id), None)
    if setup is None:
        return ""
    parts = [f"{n} {c}" for c, n in setup.missiles.items() if n]
    parts += [_("%(n)s %(type)s interceptors") % {"n": n, "type": t.lower()} for t, n in setup.store.items() if n]
    parts.append(_("budget %(budget)s, income %(income)s a turn") % {"budget": setup.budget, "income": setup.income})
    return ", ".join(parts)


def console_context(game: Game, viewer: Viewer, open_key: str = "plenary") -> dict[str, Any]:
    context = room_context(game, viewer, open_key)
    context |= _console_extras(game)
    return context


def _console_extras(game: Game) -> dict[str, Any]:
    return {"fac_seats": selectors.facilitator_seat_rows(game), "console_error": None, "console_notice": None,
            "bot_policies": NEGOTIATING_POLICIES, "pending_injects": selectors.pending_injects(game)}


def partial_html(name: str, context: dict[str, Any], request: HttpRequest | None = None,
                 template: str | None = None) -> str:
    if name in MAP_FRAGMENTS and template is None:
        # A map changes only when the engine state does: reuse its HTML until then.
        viewer = context.get("viewer") if name == "region-map" else None
        return mapview.cached_html(
            context["game"], viewer.engine_viewer if isinstance(viewer, Viewer) else None, name,
            lambda: render_to_string(f"{MAP_TEMPLATE}#{name}", context, request=request))
    return render_to_string(f"{template or _template_for(name)}#{name}", context, request=request)


def render_partial(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200,
                   template: str | None = None) -> HttpResponse:
    response = HttpResponse(partial_html(name, context, request, template), status=status)
    response["Cache-Control"] = "no-store"
    return response


# The row sets the public fragments read (selectors.read_together reads them in one statement).
PUBLIC_SETS = (selectors.SEATS, selectors.INJECTS, selectors.LAST_RECORD)


def _game(game_id: int, sets: tuple[str, ...] = PUBLIC_SETS, seat_id: int | None = None) -> Game:
    """The game a push or resync renders, read afresh (with its facilitator: the tutorial check),
    its selectors sharing their reads for this render, the row ``sets`` it names read together."""
    game = engine_views.game_for_render(pk=game_id)
    if game is None:
        raise Game.DoesNotExist(game_id)
    selectors.share_reads(game)
    selectors.read_together(game, sets, seat_id=seat_id)
    return game


def _private_sets(viewer: Viewer, names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The row sets a viewer's private fragments read."""
    if viewer.role is Role.FACILITATOR:
        return selectors.ROOM_SETS
    if viewer.role is Role.OBSERVER:
        return PUBLIC_SETS
    return (selectors.SEATS, selectors.MEMBERS, selectors.INJECTS, selectors.LAST_RECORD, selectors.SUBMISSION,
            *((selectors.CHANNELS,) if "channel-list" in names else ()),
            *((selectors.PROPOSALS,) if "proposals" in names else ()))


def public_fragments_html(game_id: int, names: tuple[str, ...]) -> str:
    game = _game(game_id)
    context = public_context(game) | {"oob": True}  # pushed: each root names its (morph) swap
    return "".join(partial_html(name, context) for name in names if name in PUBLIC_FRAGMENTS)


def projector_stage_html(game_id: int) -> str:
    """The projector's stage (lobby list, big index and countdown, results), public data only:
    the page, its stage route and its socket's doorbell all render this one partial."""
    game = _game(game_id)
    return partial_html("projector-stage", public_context(game), template="negotiation/projector.html")


def private_fragments_html(game_id: int, viewer: Viewer, names: list[str] | tuple[str, ...],
                           open_key: str = "plenary") -> str:
    """Private fragments for one viewer. A player gets the named fragments of their own seat;
    the facilitator's console (seat table, controls, ground truth) is re-rendered on any bell."""
    game = _game(game_id, _private_sets(viewer, names), viewer.seat_id)
    return _private_html(game, viewer, names, open_key, private_context(game, viewer) | {"oob": True})


def _private_html(game: Game, viewer: Viewer, names: list[str] | tuple[str, ...], open_key: str,
                  context: dict[str, Any]) -> str:
    html = ""
    if "channel-list" in names or viewer.role is Role.FACILITATOR:
        chat = context if "open_row" in context else context | chat_context(game, viewer, open_key, page=False)
        html += partial_html("channel-list", chat)
    if "proposals" in names or viewer.role is Role.FACILITATOR:
        props = context if "proposals" in context else context | proposals_context(game, viewer)
        html += partial_html("proposals", props)
    if viewer.role is Role.PLAYER:
        if "order-panel" in names and "ready-bar" not in names:  # the ready button sits in the status bar
            names = (*names, "ready-bar")
        return html + "".join(partial_html(n, context) for n in names if n in PLAYER_FRAGMENTS and n != "proposals")
    if viewer.role is Role.FACILITATOR:
        context |= public_context(game)
        context |= _console_extras(game)
        return html + partial_html("truth-panel", context) + partial_html("region-map", context) + partial_html(
            "console-controls", context, template="negotiation/console.html")
    return html


# The private fragments every member of a seat sees alike: rendered once per seat for its group.
SEAT_FRAGMENTS: tuple[PrivateFragment, ...] = ("my-forces", "private-report", "news-private", "region-map")


def seat_fragments_html(game: Game, seat_id: int, state_id: str, names: tuple[str, ...]) -> str:
    """The private fragments every member of a seat sees alike, rendered once for the seat."""
    viewer = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=seat_id, state_id=state_id, label=state_id)
    selectors.share_reads(game, keep=True)  # the caller renders every listening seat from this game
    context = private_context(game, viewer) | {"oob": True}
    return "".join(partial_html(n, context) for n in names if n in SEAT_FRAGMENTS)


def resync_html(game_id: int, viewer: Viewer, open_key: str = "plenary") -> str:
    """Everything a (re)connecting socket needs to be current: the database is the truth. The
    open channel's pane is re-rendered, which fills any gap in what the socket missed."""
    game = _game(game_id, selectors.ROOM_SETS, viewer.seat_id)
    context = room_context(game, viewer, open_key, reads_shared=True) | {"oob": True}
    parts = [partial_html(name, context) for name in PUBLIC_FRAGMENTS
             if name not in PROJECTOR_ONLY or viewer.role is Role.OBSERVER]
    if viewer.role is Role.OBSERVER:  # the projector shows no chat, channels or proposals to fill
        return "".join(parts)
    parts.append(partial_html("chat-pane", context))
    html = "".join(parts)
    # the room context already holds everything the private fragments need: build it once
    return html + _private_html(game, viewer, (*PRIVATE_FRAGMENTS, "channel-list"), open_key, context)


def chat_message_push_html(message: Message) -> str:
    row = selectors.chat_row(message)
    return render_to_string(f"{PRIVATE_TEMPLATE}#chat-push", {"m": row, "slug": channels.slug(message.channel)})


def catch_up_html(summary: dict[str, Any]) -> str:
    return render_to_string(f"{PRIVATE_TEMPLATE}#catch-up", {"summary": summary})


def notice_html(text: str, level: str = "error") -> str:
    return render_to_string(f"{PUBLIC_TEMPLATE}#live-notice", {"text": text, "level": level})


@lru_cache(maxsize=1)
def rules_html() -> str:
    """docs/rules.md as HTML (headings get ids so every order and score can link to its section);
    empty if the file is missing (the page says so in the reader's language)."""
    path = Path(settings.BASE_DIR) / "docs" / "rules.md"
    if not path.exists():
        return ""
    return markdown_to_html(path.read_text(encoding="utf-8"))


def markdown_to_html(text: str) -> str:
    # Lazy: only the rules page renders Markdown; other processes never pay for loading it.
    import markdown

    html = str(markdown.markdown(escape_raw_html(text), extensions=["tables", "toc", "fenced_code"]))
    # Wide tables scroll inside their own box on a phone instead of widening the page.
    return html.replace("<table>", '<div class="table-wrap"><table>').replace("</table>", "</table></div>")


def escape_raw_html(text: str) -> str:
    """The rulebook is trusted, but escape raw angle brackets outside code anyway."""
    return text.replace("<script", escape("<script"))
