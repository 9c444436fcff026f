"""Persistence for Treatycraft. The database is the truth; the channel layer only rings the bell.

Engine state is stored as the engine's own JSON (game_engine.state_to_json); these models are
adapters around it plus the append-only records a facilitator or researcher reviews later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    LOBBY = "lobby", _("Lobby")
    NEGOTIATION = "negotiation", _("Negotiation")
    ORDERS = "orders", _("Orders")
    REPORT = "report", _("Turn report")
    FINISHED = "finished", _("Debrief")


OPEN_PHASES = (Phase.NEGOTIATION, Phase.ORDERS, Phase.REPORT)


class MissedOrders(models.TextChoices):
    HOLD = "hold", _("Hold: the state keeps its posture")
    REPEAT = "repeat", _("Repeat the state's last orders")
    BOT = "bot", _("A reference bot plays the state")


class Game(models.Model):
    code = models.CharField(max_length=12, unique=True)
    title = models.CharField(max_length=120)
    scenario_slug = models.SlugField(max_length=60)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="games")
    mode = models.CharField(max_length=12, default="expected")
    seed = models.CharField(max_length=64)
    seed_commit = models.CharField(max_length=64)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.LOBBY)
    turn = models.PositiveIntegerField(default=1)
    state = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    last_seq = models.PositiveIntegerField(default=0)
    # Seconds each phase stays open; None means the facilitator advances that phase by hand.
    negotiation_seconds = models.PositiveIntegerField(null=True, blank=True)
    orders_seconds = models.PositiveIntegerField(null=True, blank=True)
    report_seconds = models.PositiveIntegerField(null=True, blank=True)
    # When the open phase ends by itself. Lives here so it survives restarts; the clock reads it.
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Time left on the deadline when the game was paused (None: no deadline was running).
    paused_remaining = models.FloatField(null=True, blank=True)
    # Seconds the facilitator added to the current phase (capped; see services.deadline_extend).
    extension_seconds = models.PositiveIntegerField(default=0)
    missed_orders = models.CharField(max_length=10, choices=MissedOrders.choices, default=MissedOrders.HOLD)
    bot_policy = models.CharField(max_length=20, default="reciprocator")
    # Whether a second person may join a taken state as a team member (the first is captain).
    allow_teams = models.BooleanField(default=False)
    # Press rules per phase (see Press): what players may say to whom, enforced by the server.
    press = models.JSONField(default=dict)
    # Observers read the public channels only unless this is set.
    observers_read_all = models.BooleanField(default=False)
    # Secret key of the observer and projector links.
    observer_key = models.CharField(max_length=64, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # E-mail players who gave an address this many hours before a deadline (None: no reminder).
    reminder_hours = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class Seat(models.Model):
    """One state of the scenario, played by a team of members (often one) or by a bot."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="seats")
    state_id = models.SlugField(max_length=40)
    display_name = models.CharField(max_length=80)
    # A reference bot of the engine plays this seat while set (a dropped player, or a bot seat).
    bot_policy = models.CharField(max_length=20, blank=True, default="")
    is_ready = models.BooleanField(default=False)
    connections = models.IntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state_id"]
        constraints = [
            models.UniqueConstraint(fields=["game", "state_id"], name="one_player_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} as {self.state_id}"


class Member(models.Model):
    """A person at a seat. The captain submits orders; every member reads and talks."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=40)
    token = models.CharField(max_length=64, unique=True)
    is_captain = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # Set when the facilitator removes the member (kick or reassignment); the token stops working.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Merged seats: this membership belongs to the same person as `linked_to` (who plays two states
    # while a classmate is absent); their browser can switch between the two.
    linked_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="links")

    class Meta:
        ordering = ["joined_at"]

    def __str__(self) -> str:
        return f"{self.name} at {self.seat}"


class Message(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    channel = models.CharField(max_length=60, default="plenary")
    author_seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.SET_NULL)
    author_member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL)
    author_label = models.CharField(max_length=80)
    body = models.TextField()
    client_token = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A bot's message: the engine's intent {"id", "params"}, worded in each reader's language.
    intent = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["game", "seq"], name="message_seq_unique"),
            # A double-clicked or retried post carries the same token and is stored once.
            models.UniqueConstraint(fields=["game", "client_token"], name="message_posted_once"),
        ]
        indexes = [models.Index(fields=["game", "channel", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.author_label}: {self.body[:30]}"


class OrderSubmission(models.Model):
    """A seat's orders for one turn; revised freely until the phase closes."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="order_submissions")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="order_submissions")
    turn = models.PositiveIntegerField()
    orders = models.JSONField(default=list)
    revision = models.PositiveIntegerField(default=0)
    # Tokens of the form posts already applied, so a retried post is applied once.
    applied_tokens = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seat", "turn"], name="one_submission_per_turn")]

    def __str__(self) -> str:
        return f"orders of seat {self.seat_id} for turn {self.turn} (revision {self.revision})"


class TurnRecord(models.Model):
    """The resolution of one turn. Its unique (game, turn) row is the exactly-once claim."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="turns")
    turn = models.PositiveIntegerField()
    seed = models.CharField(max_length=64)
    state_before = models.JSONField()
    orders = models.JSONField()
    state_after = models.JSONField()
    events = models.JSONField()
    public_report = models.JSONField()
    private_reports = models.JSONField()
    explanation = models.JSONField()
    audit = models.JSONField()
    resolved_by = models.CharField(max_length=80)
    resolved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["turn"]
        constraints = [models.UniqueConstraint(fields=["game", "turn"], name="resolve_turn_once")]

    def __str__(self) -> str:
        return f"game {self.game_id} turn {self.turn}"


class GameEvent(models.Model):
    """Append-only log: who did what, when, and who may see it (audience None = public)."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    actor = models.CharField(max_length=80)
    audience = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["game", "seq"], name="event_seq_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} by {self.actor}"


class Inject(models.Model):
    """News the facilitator (or the scenario's schedule) sends into the game."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="injects")
    seq = models.PositiveIntegerField()
    turn = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    text = models.TextField()
    # None: everyone; otherwise the state ids that receive it.
    audience = models.JSONField(null=True, blank=True)
    effect = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=80)
    scenario_key = models.CharField(max_length=80, blank=True, default="")
    # Held back until its trigger fires: {"turn": N} at the start of turn N, or
    # {"condition": kind, "state": id|None, "threshold": x} after a resolution (services.injects).
    trigger = models.JSONField(null=True, blank=True)
    pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["game", "seq"], name="inject_seq_unique"),
            # A scheduled inject fires once even if two clocks look at it.
            models.UniqueConstraint(
                fields=["game", "scenario_key"], condition=~models.Q(scenario_key=""), name="scheduled_inject_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (turn {self.turn})"


class Press(models.TextChoices):
    FULL = "full", _("Full press: every channel")
    PUBLIC = "public", _("Public only: the plenary")
    NONE = "none", _("No press")


class ChannelKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    BILATERAL = "bilateral", _("Bilateral")
    COALITION = "coalition", _("Coalition")
    TEAM = "team", _("Team")
    BROADCAST = "broadcast", _("Facilitator broadcast")
    FACILITATOR = "facline", _("Line to the facilitator")


class Channel(models.Model):
    """A conversation. Who may read it follows from its kind and, for coalitions, its members.

    Keys: "plenary", "broadcast", "bi:<a>:<b>" (sorted), "team:<state>", "fac:<state>", "co:<n>"."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="channels")
    key = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=ChannelKind.choices)
    title = models.CharField(max_length=80)
    # The state ids that may read and post (coalitions: accepted members; None: everyone).
    members = models.JSONField(null=True, blank=True)
    invited = models.JSONField(default=list)
    created_by = models.CharField(max_length=40, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["game", "key"], name="channel_key_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.key})"


class ChannelRead(models.Model):
    """How far a reader (a member, or the facilitator) has read a channel: for unread counts."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="reads")
    reader = models.CharField(max_length=60)
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "reader"], name="one_read_mark")]

    def __str__(self) -> str:
        return f"{self.reader} read {self.channel.key} to {self.last_seq}"


class ProposalKind(models.TextChoices):
    TREATY = "treaty", _("Treaty")
    HOSTING = "hosting", _("Host-nation agreement")
    CBM = "cbm", _("Confidence-building measures")


class Proposal(models.Model):
    """A structured proposal under negotiation: a treaty, a host-nation agreement, or a package of
    confidence-building measures between two states."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for signature")
        IN_FORCE = "in_force", _("In force")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")
        ENDED = "ended", _("Ended")

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    title = models.CharField(max_length=120)
    parties = models.JSONField()
    author = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1)
    # The engine's treaty id, once the current version is tabled in the engine state.
    engine_treaty_id = models.CharField(max_length=20, blank=True, default="")
    # A title the server composed (a bot's proposal) from the kind of text and its parties:
    # {"template": ..., "parties": [...]}, worded in each reader's language; `title` keeps it in the
    # language it was tabled in, as the engine's name for the treaty and the log's record.
    title_words = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["game", "number"], name="proposal_number_unique")]

    def __str__(self) -> str:
        return f"P{self.number} {self.title} v{self.version}"


class ProposalVersion(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    author = models.CharField(max_length=40)
    template = models.CharField(max_length=30, blank=True, default="")
    clauses = models.JSONField(default=dict)
    text = models.TextField(blank=True, default="")
    terms_hash = models.CharField(max_length=80, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")
    # A bot's words for this version: {"text": intent} or {"note": intent} (the engine's intent
    # {"id", "params"}), worded in each reader's language; text and note keep them as tabled.
    words = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["proposal", "version"], name="proposal_version_unique")]

    def __str__(self) -> str:
        return f"P{self.proposal.number} v{self.version}"


class Signature(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signatures")
    version = models.PositiveIntegerField()
    state_id = models.CharField(max_length=40)
    signed_by = models.CharField(max_length=40)
    turn = models.PositiveIntegerField()
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "version", "state_id"], name="sign_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} signed P{self.proposal.number} v{self.version}"


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveIntegerField()
    author = models.CharField(max_length=80)
    state_id = models.CharField(max_length=40, blank=True, default="")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"comment on P{self.proposal.number} v{self.version}"


# --- Teachers' accounts and e-mail (issue #16) ----------------------------------------------------


class CoFacilitator(models.Model):
    """A teacher (often a teaching assistant) the game's facilitator added to run it with them."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="co_facilitators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="co_facilitated")
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["game", "user"], name="co_facilitator_once")]

    def __str__(self) -> str:
        return f"{self.user} co-facilitates {self.game}"


class TeacherInvitation(models.Model):
    """An administrator's invitation to open a facilitator account: a link sent by e-mail, or a
    short code handed out. Used once; expires."""

    email = models.EmailField(blank=True, default="")
    code = models.CharField(max_length=12, unique=True)
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="invitation_used")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.code} for {self.email or 'a code'}"


class OutboundEmail(models.Model):
    """The e-mail outbox. A mail is queued in the transaction that caused it and sent later by the
    clock process, so it survives restarts; `key` makes queuing idempotent; a failed send is retried
    with backoff; `send_after` also holds back mail over an address's hourly limit."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(db_index=True)
    # A sender takes a mail by setting claimed_until (a lease); a sender that died mid-send lets the
    # lease run out and another sends it again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["to", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.subject}"


class MemberContact(models.Model):
    """A player's optional e-mail address (never shown to other players) and the notifications
    they switched off."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField()
    muted = models.JSONField(default=list)
    # The highest message seq already reported in a digest, so a digest reports news once.
    digest_seq = models.PositiveIntegerField(default=0)
    # The interface language the player joined in: their mail is written in it.
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"contact of member {self.member_id}"


class ReflectionPrompt(models.Model):
    """A question the facilitator sets for the end of a turn (turn N: asked from turn N's report on)
    or for the debrief (turn None: asked once the game has ended)."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="reflection_prompts")
    turn = models.PositiveIntegerField(null=True, blank=True)
    question = models.CharField(max_length=500)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.question[:40]} (turn {self.turn or 'debrief'})"


class ReflectionAnswer(models.Model):
    """A student's answer to a prompt; they may revise it."""

    prompt = models.ForeignKey(ReflectionPrompt, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="reflections")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prompt", "member"], name="one_answer_per_prompt")]

    def __str__(self) -> str:
        return f"answer of member {self.member_id} to prompt {self.prompt_id}"
