"""Who may read and post where. Channel keys and membership rules live here, used by the chat
services (writes) and selectors (reads) alike."""

from __future__ import annotations

from django.utils.translation import gettext

from negotiation.models import Channel, ChannelKind, Game, Phase, Press
from negotiation.viewer import Role, Viewer

PUBLIC_KINDS = (ChannelKind.PLENARY, ChannelKind.BROADCAST)
# Team talk and the line to the facilitator are not diplomacy: press rules do not silence them.
ALWAYS_OPEN_KINDS = (ChannelKind.TEAM, ChannelKind.FACILITATOR)


def bilateral_key(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return f"bi:{x}:{y}"


def team_key(state_id: str) -> str:
    return f"team:{state_id}"


def facline_key(state_id: str) -> str:
    return f"fac:{state_id}"


def reader_key(viewer: Viewer) -> str | None:
    """Whose read marks a viewer keeps: a member's own, or the facilitator's for the game."""
    if viewer.member_id is not None:
        return f"member:{viewer.member_id}"
    if viewer.role is Role.FACILITATOR:
        return f"facilitator:{viewer.game_id}"
    return None


def slug(key: str) -> str:
    """A DOM-id-safe form of a channel key."""
    return key.replace(":", "-")


def fixed_channel(key: str, state_ids: tuple[str, ...], names: dict[str, str]) -> tuple[str, str, list[str] | None] | None:
    """(kind, title, members) of a channel that exists by definition, or None for an invalid key."""
    if key == "plenary":
        return ChannelKind.PLENARY, gettext("Plenary"), None
    if key == "broadcast":
        return ChannelKind.BROADCAST, gettext("Facilitator announcements"), None
    kind, _, rest = key.partition(":")
    if kind == "bi":
        a, _, b = rest.partition(":")
        if a in state_ids and b in state_ids and a < b:
            return ChannelKind.BILATERAL, f"{names.get(a, a)} – {names.get(b, b)}", [a, b]
    if kind == "team" and rest in state_ids:
        return ChannelKind.TEAM, gettext("Team %(name)s") % {"name": names.get(rest, rest)}, [rest]
    if kind == "fac" and rest in state_ids:
        return ChannelKind.FACILITATOR, gettext("%(name)s – facilitator") % {"name": names.get(rest, rest)}, [rest]
    return None


def can_read(viewer: Viewer, channel: Channel, game: Game) -> bool:
    if viewer.role is Role.FACILITATOR:
        return True
    if channel.kind in PUBLIC_KINDS:
        return True
    if viewer.role is Role.OBSERVER:
        return game.observers_read_all
    return viewer.state_id is not None and viewer.state_id in (channel.members or [])


def press_rule(game: Game) -> str:
    return str((game.press or {}).get(game.phase, Press.FULL))


def post_refusal(viewer: Viewer, channel: Channel, game: Game) -> str | None:
    """Why `viewer` may not post in `channel` now, or None when they may."""
    if viewer.role is Role.OBSERVER:
        return gettext("Observers read; they do not post.")
    if game.phase == Phase.FINISHED:
        return gettext("The game has ended; the channels are closed.")
    if viewer.role is Role.FACILITATOR:
        return None
    if not can_read(viewer, channel, game):
        return gettext("You are not a member of that channel.")
    if channel.kind == ChannelKind.BROADCAST:
        return gettext("Only the facilitator posts announcements.")
    if channel.kind in ALWAYS_OPEN_KINDS:
        return None
    rule = press_rule(game)
    if rule == Press.NONE:
        return gettext("No press in this phase: diplomatic channels are closed (team and facilitator lines stay open).")
    if rule == Press.PUBLIC and channel.kind != ChannelKind.PLENARY:
        return gettext("Public press only in this phase: talk in the plenary.")
    return None


def audience(channel: Channel) -> list[str] | None:
    """Who may see a channel's messages, for the log: None for public, else state ids + facilitator."""
    if channel.kind in PUBLIC_KINDS:
        return None
    return [*(channel.members or []), "@facilitator"]
