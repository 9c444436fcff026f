"""Phase 0: intake (B3 steps 1-5): every order checked, matched with its counterpart, accepted or
rejected; then the facilitator's injects are applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game_engine import formulas as f
from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSONDict
from game_engine.messages import Message, inject_message, msg
from game_engine.orders import (
    AGREE_KIND,
    Accept,
    AcceptImport,
    AgreeDataExchange,
    AgreeHotline,
    AgreeNotification,
    BuildRadar,
    Command,
    ConsentHosting,
    DeclareLimits,
    Deploy,
    Export,
    InviteObservers,
    JointExercise,
    NotAnOrder,
    OrderError,
    Reduce,
    Running,
    SetRadarMode,
    SetSensorSharing,
    Sign,
    active_consent,
    canonical_positions,
    check_order,
    is_command,
    order_to_json,
    parse_order,
)
from game_engine.pipeline.context import Ctx
from game_engine.state import (
    Consent,
    GameState,
    replace,
)


def _provisional(state: GameState, consents: list[tuple[str, ConsentHosting]]) -> GameState:
    """Start-of-turn state plus this turn's consents (matching tokens, B3 step 3)."""
    if not consents:
        return state
    new = list(state.consents)
    sites = list(state.sites)
    taken: set[str] = set()
    for host, o in consents:
        sid = o.site
        if sid in taken or active_consent(state, sid) is not None:
            continue
        taken.add(sid)
        new.append(consent_from_order(state, host, o))
        sites = [replace(s, owner=o.owner) if s.id == sid else s for s in sites]
    return replace(state, consents=tuple(new), sites=tuple(sites))


def consent_from_order(state: GameState, host: str, o: ConsentHosting) -> Consent:
    p = state.scenario.params
    site = state.site(o.site)
    max_q = p.radar_level_step * o.max_radar_level
    if site is not None and not o.max_radar_level:
        max_q = site.radar_q
    return Consent(
        host=host,
        owner=o.owner,
        site=o.site,
        max_interceptors=o.max_interceptors,
        max_radar_q=max_q,
        forward_allowed=o.forward_allowed,
        sensor_sharing_allowed=o.sensor_sharing_allowed,
        compensation=o.compensation,
        notice_turns=o.notice_turns if o.notice_turns else p.default_notice_turns,
        granted_turn=state.turn,
    )


def _walk(
    st: GameState,
    actor: str,
    items: list[tuple[int, Command | NotAnOrder]],
    excluded: Mapping[int, tuple[str, Message]],
) -> tuple[list[tuple[int, Command, int]], list[tuple[int, Command | NotAnOrder, str, Message]]]:
    run = Running.start(st, actor)
    acc: list[tuple[int, Command, int]] = []
    rej: list[tuple[int, Command | NotAnOrder, str, Message]] = []
    for idx, o in items:
        if idx in excluded or isinstance(o, NotAnOrder):
            code, msg = excluded[idx]
            rej.append((idx, o, code, msg))
            continue
        try:
            acc.append((idx, o, check_order(st, actor, o, run)))
        except RuleViolation as exc:
            rej.append((idx, o, str(exc.code), exc.msg))
    return acc, rej


def _match(
    st: GameState, acc: Mapping[str, list[tuple[int, Command, int]]]
) -> dict[tuple[str, int], tuple[str, Message]]:
    """Two-sided matching (B3 step 3). Returns new exclusions ``(actor, idx) -> (code, msg)``."""
    out: dict[tuple[str, int], tuple[str, Message]] = {}
    nc = str(RuleCode.E_NO_COUNTERPART)
    ids = st.state_ids
    flat = [(sid, idx, o) for sid in ids for idx, o, _ in acc.get(sid, [])]

    # SIGN: every listed party signs the identical terms hash this turn.
    signers: dict[str, set[str]] = {}
    for sid, _, o in flat:
        if isinstance(o, Sign):
            signers.setdefault(o.terms_hash, set()).add(sid)
    for sid, idx, o in flat:
        if not isinstance(o, Sign):
            continue
        h = o.terms_hash
        tr = next((t for t in st.treaties if t.terms_hash == h and t.status != "terminated"), None)
        if tr is None:
            continue
        need = [x for x in tr.parties if x not in tr.withdrawn]
        missing = [x for x in need if x not in signers.get(h, set())]
        if missing:
            out[(sid, idx)] = (
                nc,
                msg("rule.signatures_missing", t=tr.name or tr.id, states=",".join(missing)),
            )

    # Limits on a candidate site: only its host or the owner it is consented to this turn.
    for sid, idx, o in flat:
        if isinstance(o, DeclareLimits) or (
            isinstance(o, (JointExercise, InviteObservers)) and o.site
        ):
            site = st.site(o.site)
            if site is not None and sid not in (site.owner, site.host):
                out[(sid, idx)] = (
                    str(RuleCode.E_NOT_OWNER),
                    msg("rule.limits_owner", site=site.id),
                )

    # DEPLOY on a foreign site needs the host's consent (existing or given this turn).
    for sid, idx, o in flat:
        if isinstance(o, (Deploy, BuildRadar)) or (
            st.scenario.params.rules >= 2 and isinstance(o, (SetRadarMode, SetSensorSharing))
        ):
            site = st.site(o.site)
            if site is not None and site.host != sid and active_consent(st, site.id, sid) is None:
                out[(sid, idx)] = (
                    str(RuleCode.E_NO_CONSENT),
                    msg("rule.no_consent", s=site.host, s2=sid, site=site.id),
                )

    def pairup(
        left: Sequence[tuple[str, int, tuple[object, ...]]],
        right: Sequence[tuple[str, int, tuple[object, ...]]],
        why: Message,
    ) -> None:
        pool: dict[tuple[object, ...], list[tuple[str, int]]] = {}
        for sid, idx, key in right:
            pool.setdefault(key, []).append((sid, idx))
        used: set[tuple[str, int]] = set()
        for sid, idx, key in left:
            cands = [c for c in pool.get(key, []) if c not in used]
            if cands:
                used.add(cands[0])
            else:
                out[(sid, idx)] = (nc, why)
        for sid, idx, _ in right:
            if (sid, idx) not in used:
                out[(sid, idx)] = (nc, why)

    exports = [
        (sid, idx, (sid, o.to, o.cls, o.qty, o.tech))
        for sid, idx, o in flat
        if isinstance(o, Export)
    ]
    imports = [
        (sid, idx, (o.supplier, sid, o.cls, o.qty, o.tech))
        for sid, idx, o in flat
        if isinstance(o, AcceptImport)
    ]
    pairup(exports, imports, msg("rule.export_import_match"))
    for t, kind in AGREE_KIND.items():
        agrees = [
            (sid, idx, o.partner)
            for sid, idx, o in flat
            if isinstance(o, (AgreeHotline, AgreeNotification, AgreeDataExchange)) and o.type == t
        ]
        have = {(sid, w) for sid, _, w in agrees}
        for sid, idx, w in agrees:
            if (w, sid) not in have:
                out[(sid, idx)] = (nc, msg("rule.not_agreed", s=w, w=f"word.agreed.{kind}"))
    invites = [
        (sid, idx, (sid, o.partner, o.type))
        for sid, idx, o in flat
        if isinstance(o, (JointExercise, InviteObservers))
    ]
    accepts = [
        (sid, idx, (o.partner, sid, o.what)) for sid, idx, o in flat if isinstance(o, Accept)
    ]
    pairup(invites, accepts, msg("rule.invitation_needs_accept"))
    observers = {
        sid for sid, idx, o in flat if isinstance(o, InviteObservers) and (sid, idx) not in out
    }
    for sid, idx, o in flat:
        if isinstance(o, Reduce) and o.verified and sid not in observers:
            out[(sid, idx)] = (nc, msg("rule.verified_needs_observers"))
    return out


def intake(ctx: Ctx, orders: Mapping[str, Sequence[Command]]) -> None:
    """Validate and canonicalise all orders (B3 steps 1-5)."""
    st = ctx.state
    items: dict[str, list[tuple[int, Command | NotAnOrder]]] = {}
    bad: dict[str, dict[int, tuple[str, Message]]] = {}
    for actor in sorted(orders):
        if actor not in ctx.ids:
            ctx.draws.append({"ignored_orders_for": str(actor)})
            continue
        lst: list[tuple[int, Command | NotAnOrder]] = []
        raw_list: Sequence[object] = orders[actor]
        for idx, item in enumerate(raw_list):
            o: Command | NotAnOrder = NotAnOrder()
            try:
                if not is_command(item):
                    raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.not_an_order"))
                o = item
                lst.append((idx, parse_order(order_to_json(item))))
            except OrderError as exc:
                bad.setdefault(actor, {})[idx] = (str(exc.code), exc.msg)
                lst.append((idx, o))
        # (idx, order) pairs are appended in idx order: canonical positions sort them by
        # (sort_key, idx)
        items[actor] = [lst[k] for k in canonical_positions([o for _, o in lst])]
    excluded: dict[tuple[str, int], tuple[str, Message]] = {
        (a, i): v for a, d in bad.items() for i, v in d.items()
    }
    for _ in range(100):
        consents = [
            (a, o)
            for a in ctx.ids
            for idx, o in items.get(a, [])
            if isinstance(o, ConsentHosting) and (a, idx) not in excluded
        ]
        walk_state = _provisional(st, consents)
        acc: dict[str, list[tuple[int, Command, int]]] = {}
        rej: dict[str, list[tuple[int, Command | NotAnOrder, str, Message]]] = {}
        for a in ctx.ids:
            if a not in items:
                continue
            ex = {i: v for (b, i), v in excluded.items() if b == a}
            acc[a], rej[a] = _walk(walk_state, a, items[a], ex)
        new = {k: v for k, v in _match(walk_state, acc).items() if k not in excluded}
        if not new:
            break
        excluded.update(new)
    ctx.accepted = acc
    ctx.rejected = rej
    for a in ctx.ids:
        for idx, o, code, why in rej.get(a, []):
            ctx.emit(
                "order_rejected",
                [a],
                msg("event.order_rejected", why, n=idx + 1, otype=o.type),
                index=idx,
                code=code,
                order=order_json(o),
            )


def order_json(o: Command | NotAnOrder) -> JSONDict:
    out: JSONDict = {}
    for k, v in order_to_json(o).items():
        if isinstance(v, dict):
            out[k] = {str(a): b for a, b in v.items() if isinstance(b, int)}
        elif isinstance(v, (str, int, bool)):
            out[k] = v
    return out


def phase_injects(ctx: Ctx) -> None:
    """Scheduled scenario injects for this turn, then the facilitator's pending ad-hoc injects
    (``add_inject``) in the order they were added; each is shown to its targets."""
    scheduled = [inj for inj in ctx.sc.injects if inj.turn == ctx.turn]
    for inj in (*scheduled, *ctx.state.pending_injects):
        aud = None if "all" in inj.targets else list(inj.targets)
        ctx.emit("inject", aud, inject_message(inj.title, inj.text), title=inj.title)
        eff = inj.effect
        if eff.radar_outage and eff.radar_outage in ctx.sites:
            ctx.sites[eff.radar_outage] = replace(ctx.sites[eff.radar_outage], outage_turn=ctx.turn)
        for sid, d in eff.ds_change.items():
            ctx.setn(sid, ds=ctx.rf(f.clamp(ctx.n[sid].ds + d, 0.0, 100.0)))
        for sid, b in eff.budget_change.items():
            delta = max(-ctx.n[sid].budget, b)
            ctx.ledger_add(sid, "inject", delta)
            ctx.setn(sid, budget=ctx.n[sid].budget + delta)
        for key, x in eff.incident.items():
            a, b2 = key.split(">")
            ctx.incident(a, b2, x)
