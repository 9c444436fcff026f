"""A headless negotiating table: bots bargain in rounds, agreed texts become signed drafts.

``run_table(state, policies, seed, history)`` is what ``simulate``, ``balance`` and the
playtest use in place of people: each bot, in the scenario's order, answers the offers that
await it and tables its own (round 1), then answers again (later rounds), seeing the moves made
before it. A text every party has signed is tabled in the engine (``add_treaty_draft``) and each
party gets the SIGN order; an accepted CBM offer gives both sides the mirror AGREE_* order; a
host-nation agreement both sides signed gives the host its CONSENT_HOSTING order (and the owner
its deployments); a package of CBMs both sides signed gives both the mirror AGREE_* orders.
Deterministic: the same state, policies, seed and history give the same result.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableSequence, Sequence
from dataclasses import dataclass, field, replace

from game_engine.engine import add_treaty_draft
from game_engine.errors import RuleViolation
from game_engine.jsontypes import JSON
from game_engine.negotiator.policy import Table, cbm_measures, consent_order, decide
from game_engine.negotiator.types import CBM, CBM_ORDER, HOSTING, Act, CbmOffer, Move, Offer, Record
from game_engine.state import GameState

ROUNDS = 3
"""Rounds of answers per negotiation phase (round 1 also tables) [INV]."""
RENEWERS = ("dove", "reciprocator", "verifier", "cheater", "richardson")

Raw = dict[str, object]


@dataclass
class TableResult:
    state: GameState
    orders: dict[str, list[Raw]] = field(default_factory=dict)
    moves: list[Record] = field(default_factory=list)
    agreed: list[str] = field(default_factory=list)  # terms hashes of texts every party signed
    # Each bot's view of the state the table started from, for its orders: the table only adds
    # drafts, which neither a view's treaties in force nor the orders read (saves a view a bot).
    # Deterrence thresholds are in it only for the policies that read them (DETERRENCE_READERS).
    views: dict[str, Mapping[str, object]] = field(default_factory=dict)


def apply_move(
    mv: Move,
    offers: dict[str, Offer],
    cbms: list[CbmOffer],
    next_id: int,
    turn: int,
) -> tuple[int, Offer | None, tuple[str, str, str] | None]:
    """Update the open offers with one move. Returns (next id, completed offer, agreed CBM)."""
    done: Offer | None = None
    agreed: tuple[str, str, str] | None = None
    if mv.act is Act.TABLE or mv.act is Act.COUNTER:
        if mv.act is Act.COUNTER:
            offers.pop(mv.proposal, None)
        oid = f"N{turn}.{next_id}"
        next_id += 1
        offers[oid] = Offer(oid, mv.template, mv.parties, dict(mv.terms), mv.actor, 1, (mv.actor,))
    elif mv.act is Act.AMEND and mv.proposal in offers:
        o = offers[mv.proposal]
        offers[o.id] = replace(
            o,
            terms=dict(mv.terms),
            template=mv.template or o.template,
            author=mv.actor,
            version=o.version + 1,
            signed=(mv.actor,),
        )
    elif mv.act is Act.SIGN and mv.proposal in offers:
        o = offers[mv.proposal]
        if o.version == mv.version and mv.actor not in o.signed:
            o = replace(o, signed=(*o.signed, mv.actor))
            offers[o.id] = o
            if all(p in o.signed for p in o.parties):
                done = offers.pop(o.id)
    elif mv.act is Act.REJECT:
        offers.pop(mv.proposal, None)
    elif mv.act is Act.OFFER_CBM and mv.to:
        cbms.append(CbmOffer(mv.cbm, mv.actor, mv.to[0]))
    elif mv.act in (Act.ACCEPT_CBM, Act.DECLINE_CBM) and mv.to:
        hit = CbmOffer(mv.cbm, mv.to[0], mv.actor)
        if hit in cbms:
            cbms.remove(hit)
            if mv.act is Act.ACCEPT_CBM:
                agreed = (mv.cbm, mv.to[0], mv.actor)
    return next_id, done, agreed


def run_table(
    state: GameState,
    policies: Mapping[str, str],
    seed: str,
    history: MutableSequence[Record] | None = None,
    rounds: int = ROUNDS,
) -> TableResult:
    hist: MutableSequence[Record] = history if history is not None else []
    res = TableResult(state)
    offers: dict[str, Offer] = {}
    cbms: list[CbmOffer] = []
    next_id = 1
    turn = state.turn
    # Cooperative parties renew treaties that expire this turn (as the reference table did).
    for t in state.treaties:
        exp = t.terms.get("expires_turn")
        if t.status == "in_force" and isinstance(exp, int) and exp >= turn:
            members = [x for x in t.parties if x not in t.withdrawn]
            if all(policies.get(x) in RENEWERS for x in members):
                for x in members:
                    res.orders.setdefault(x, []).append(
                        {"type": "SIGN", "terms_hash": t.terms_hash}
                    )
    bots = [sid for sid in state.state_ids if sid in policies]
    readings: dict[str, Table] = {}
    for rnd in range(rounds):
        acted = False
        for sid in bots:
            moves = decide(
                policies[sid],
                state,
                sid,
                list(offers.values()),
                list(cbms),
                hist,
                seed,
                table=rnd == 0,
                readings=readings,
                hosting=True,
            )
            for mv in moves:
                acted = True
                hist.append(Record(turn, mv))
                res.moves.append(Record(turn, mv))
                next_id, done, agreed = apply_move(mv, offers, cbms, next_id, turn)
                if done is not None:
                    _conclude(res, done)
                if agreed is not None:
                    kind, a, b = agreed
                    res.orders.setdefault(a, []).append({"type": CBM_ORDER[kind], "with": b})
                    res.orders.setdefault(b, []).append({"type": CBM_ORDER[kind], "with": a})
        if not acted:
            break
    for reading in readings.values():
        res.views[reading.actor] = reading.view
    return res


def hosting_deployments(state: GameState, terms: Mapping[str, JSON]) -> list[Raw]:
    """The owner's DEPLOY orders that load a site under a host-nation agreement's terms: its
    stored interceptors of the site's types, up to the agreed number (consents are given before
    forces move, so the owner loads the site the turn the host consents)."""
    owner, site_id = str(terms.get("owner")), str(terms.get("site"))
    site = state.site(site_id)
    room = terms.get("max_interceptors")
    left = room if isinstance(room, int) else 0
    out: list[Raw] = []
    if site is None or owner not in state.nations:
        return out
    store = state.nations[owner].store
    for itype in site.allowed:
        qty = min(left, store.get(itype, 0))
        if qty > 0:
            out.append({"type": "DEPLOY", "site": site_id, "itype": itype, "qty": qty})
            left -= qty
    return out


def reserve_store(state: GameState, sid: str, raw: list[Raw], loads: Sequence[Raw]) -> list[Raw]:
    """The bot's orders ``raw`` with its own deployments clipped so that the interceptors a
    host-nation agreement loads this turn (``loads``, from :func:`hosting_deployments`) stay in
    store for them: the engine checks deployments in site order and would otherwise refuse the
    agreed one. The headless table and the server both call this."""
    left = dict(state.nations[sid].store)
    for o in loads:
        t, q = str(o.get("itype")), o.get("qty")
        left[t] = left.get(t, 0) - (q if isinstance(q, int) else 0)
    out: list[Raw] = []
    for o in raw:
        q = o.get("qty")
        if o.get("type") == "DEPLOY" and isinstance(q, int):
            t = str(o.get("itype"))
            q = min(q, max(0, left.get(t, 0)))
            if q <= 0:
                continue
            left[t] = left.get(t, 0) - q
            o = {**o, "qty": q}
        out.append(o)
    return out


def _conclude(res: TableResult, o: Offer) -> None:
    if o.template == HOSTING:  # the host's signature is its consent order
        host = str(o.terms.get("host"))
        res.orders.setdefault(host, []).append(consent_order(o.terms))
        # ... and the owner loads the site the same turn.
        deploys = hosting_deployments(res.state, o.terms)
        if deploys:
            res.orders.setdefault(str(o.terms.get("owner")), []).extend(deploys)
        return
    if o.template == CBM and len(o.parties) == 2:  # each signature is its AGREE_* orders
        a, b = o.parties
        for kind in cbm_measures(o.terms):
            res.orders.setdefault(a, []).append({"type": CBM_ORDER[kind], "with": b})
            res.orders.setdefault(b, []).append({"type": CBM_ORDER[kind], "with": a})
        return
    try:
        st, _, h = add_treaty_draft(res.state, o.template, list(o.parties), dict(o.terms))
    except RuleViolation:
        return
    res.state = st
    res.agreed.append(h)
    for p in o.parties:
        res.orders.setdefault(p, []).append({"type": "SIGN", "terms_hash": h})


def match_observers(
    orders: Mapping[str, Sequence[Raw]], policies: Mapping[str, str]
) -> dict[str, list[Raw]]:
    """ACCEPT orders from bot partners for the observer invitations of verified eliminations."""
    extra: dict[str, list[Raw]] = {}
    for sid, lst in orders.items():
        if not any(o.get("type") == "REDUCE" and o.get("verified") is True for o in lst):
            continue
        for o in lst:
            if o.get("type") != "INVITE_OBSERVERS":
                continue
            partner = str(o.get("with"))
            if policies.get(partner) in RENEWERS:
                extra.setdefault(partner, []).append(
                    {"type": "ACCEPT", "with": sid, "what": "INVITE_OBSERVERS"}
                )
    return extra


def renewal_orders(state: GameState, sid: str, policy: str) -> list[dict[str, object]]:
    """The SIGN orders with which a bot playing beside people renews the treaties in force it
    belongs to that expire (its signature costs nothing if the other parties do not sign): every
    policy that renews at the table does, whoever its partners are."""
    if policy not in RENEWERS:
        return []
    out: list[dict[str, object]] = []
    for t in state.treaties:
        exp = t.terms.get("expires_turn")
        if (t.status == "in_force" and isinstance(exp, int) and not isinstance(exp, bool)
                and exp >= state.turn and sid in t.parties and sid not in t.withdrawn):
            out.append({"type": "SIGN", "terms_hash": t.terms_hash})
    return out
