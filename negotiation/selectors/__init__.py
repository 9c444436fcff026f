"""Reads, by subject. Every selector that can return private data takes the Viewer, and builds it
only from the engine's view_for(state, viewer): nothing private reaches a template any other way.

Selectors only read: none writes the database or the session, none calls a service, and none
reads through the review package (which reads through them). ``from negotiation import
selectors; selectors.public_view(...)`` reaches every selector; the modules are

- identity: who is asking (the viewer of a request or socket) and the games they have;
- game: the public and private views of the room, seats, news, the join page;
- chat: channels and messages;
- proposals: proposals, treaties and obligations;
- facilitator: what the console alone reads;
- common: state names and engine texts the others share.
"""

from __future__ import annotations

# The session keys the identity and chat selectors read (the session write, remember_member, lives
# in negotiation.seat_session: selectors only read).
from negotiation.seat_session import SESSION_OPEN_CHANNEL, SESSION_SEATS
from negotiation.selectors.chat import (
    ChannelRow,
    ChatRow,
    channel_for_viewer,
    channel_page,
    channel_row,
    channel_rows,
    chat_row,
    message_search,
    open_channel_key,
)
from negotiation.selectors.common import (
    CHANNELS,
    INJECTS,
    LAST_RECORD,
    MEMBERS,
    PROPOSALS,
    ROOM_SETS,
    SEATS,
    SUBMISSION,
    describe_order,
    read_together,
    share_reads,
    state_names,
)
from negotiation.selectors.facilitator import facilitator_seat_rows, pending_injects
from negotiation.selectors.game import (
    PHASE_HELP,
    JoinChoice,
    NewsRow,
    OrderRow,
    PrivateView,
    PublicView,
    SeatRow,
    catch_up,
    join_choices,
    localized_news,
    news_rows,
    order_composer,
    order_plan,
    private_view,
    public_view,
    queued_orders,
    rsi_last_move,
    seat_rows,
)
from negotiation.selectors.identity import (
    can_facilitate,
    co_facilitators,
    games_for_facilitator,
    games_for_session,
    is_facilitator,
    linked_members,
    member_for_session,
    remembered_viewer,
    session_member_id,
    viewer_for,
    viewer_for_request,
)
from negotiation.selectors.proposals import (
    ProposalRow,
    obligations_for,
    proposal_notes,
    proposal_projection,
    proposals_for,
)

__all__ = [
    "CHANNELS",
    "INJECTS",
    "LAST_RECORD",
    "MEMBERS",
    "PHASE_HELP",
    "PROPOSALS",
    "ROOM_SETS",
    "SEATS",
    "SESSION_OPEN_CHANNEL",
    "SESSION_SEATS",
    "SUBMISSION",
    "ChannelRow",
    "ChatRow",
    "JoinChoice",
    "NewsRow",
    "OrderRow",
    "PrivateView",
    "ProposalRow",
    "PublicView",
    "SeatRow",
    "can_facilitate",
    "catch_up",
    "channel_for_viewer",
    "channel_page",
    "channel_row",
    "channel_rows",
    "chat_row",
    "co_facilitators",
    "describe_order",
    "facilitator_seat_rows",
    "games_for_facilitator",
    "games_for_session",
    "is_facilitator",
    "join_choices",
    "linked_members",
    "localized_news",
    "member_for_session",
    "message_search",
    "news_rows",
    "obligations_for",
    "open_channel_key",
    "order_composer",
    "order_plan",
    "pending_injects",
    "private_view",
    "proposal_notes",
    "proposal_projection",
    "proposals_for",
    "public_view",
    "queued_orders",
    "read_together",
    "remembered_viewer",
    "rsi_last_move",
    "seat_rows",
    "session_member_id",
    "share_reads",
    "state_names",
    "viewer_for",
    "viewer_for_request",
]
