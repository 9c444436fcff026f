"""Phase 1: diplomacy (B4 phase 1): signatures, entry into force, withdrawals, consents, agreements;
and the tabling of treaty drafts (``add_treaty_draft``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSON, JSONDict
from game_engine.messages import Message, msg
from game_engine.orders import (
    AGREE_KIND,
    Agree,
    AgreeDataExchange,
    AgreeHotline,
    AgreeNotification,
    ConsentHosting,
    RevokeConsent,
    Sign,
    Withdraw,
    is_party,
)
from game_engine.params import CLASS_ORDER, ITYPE_ORDER, Params
from game_engine.pipeline.context import Ctx, canon
from game_engine.pipeline.intake import consent_from_order
from game_engine.pipeline.terms import t_int, terms_hash
from game_engine.pipeline.violations import record_violation
from game_engine.scenario import TREATY_TEMPLATES, Scenario
from game_engine.state import (
    Agreement,
    Consent,
    GameState,
    Site,
    Treaty,
    builder,
    replace,
)


def _return_site(ctx: Ctx, site: Site, reason: Message) -> None:
    """An inert hosted site: interceptors go back to the owner's store (B2.5)."""
    owner = site.owner
    if owner and sum(site.interceptors.values()) > 0:
        store = dict(ctx.n[owner].store)
        for t, q in site.interceptors.items():
            store[t] = store.get(t, 0) + q
        ctx.setn(owner, store=canon(store, ITYPE_ORDER))
    ctx.sites[site.id] = replace(
        site,
        owner="" if site.host != owner else owner,
        interceptors={},
        radar_mode="terminal",
        sensor_sharing=False,
    )
    ctx.emit(
        "site_inert",
        None,
        msg("event.site_inert", reason, site=site.id, s=owner),
        site=site.id,
    )


def phase_diplomacy(ctx: Ctx) -> None:
    """Phase 1: expiries, withdrawals, signatures, consents, agreements (B4.1)."""
    p = ctx.p
    turn = ctx.turn
    # (a) notices that expire now; consent revocations; treaty expiry.
    for tid in list(ctx.treaties):
        t = ctx.treaties[tid]
        if t.status != "in_force":
            continue
        exp = t_int(t, "expires_turn", 0)
        if exp and turn > exp:
            ctx.treaties[tid] = replace(t, status="terminated")
            ctx.emit("treaty_expired", None, msg("event.treaty_expired", t=t.name or t.id), treaty=tid)
            continue
        due = [x for x, eff in sorted(t.withdrawing.items()) if eff <= turn]
        if due:
            wd = {x: e for x, e in t.withdrawing.items() if x not in due}
            gone = tuple(sorted({*t.withdrawn, *due}, key=ctx.ids.index))
            remaining = [x for x in t.parties if x not in gone]
            status = "terminated" if len(remaining) < 2 else "in_force"
            ctx.treaties[tid] = replace(t, withdrawing=wd, withdrawn=gone, status=status)
            for x in due:
                ctx.left[x] = ctx.left.get(x, 0) + 1
                ctx.emit(
                    "treaty_withdrawal",
                    None,
                    msg("event.treaty_withdrawal", s=x, t=t.name or t.id),
                    treaty=tid,
                    state=x,
                )
    keep: list[Consent] = []
    for c in ctx.consents:
        if c.revoke_effective is not None and c.revoke_effective <= turn:
            site = ctx.sites.get(c.site)
            if site is not None and site.owner == c.owner:
                _return_site(ctx, site, msg("reason.consent_revoked", s=c.host))
            continue
        keep.append(c)
    ctx.consents = keep
    for sid, site in list(ctx.sites.items()):
        if site.owner and site.owner != site.host and not any(c.site == sid for c in ctx.consents):
            _return_site(ctx, site, msg("reason.no_consent"))

    # (b) new withdrawal notices.
    for sid, o, _ in ctx.accepted_of(Withdraw):
        t = ctx.treaties[o.treaty]
        notice = t_int(t, "notice_turns", p.default_notice_turns)
        others = [x for x in ctx.ids if x != sid]
        if o.immediate or notice == 0:
            gone = tuple(sorted({*t.withdrawn, sid}, key=ctx.ids.index))
            remaining = [x for x in t.parties if x not in gone]
            ctx.treaties[t.id] = replace(
                t, withdrawn=gone, status="terminated" if len(remaining) < 2 else "in_force"
            )
            ctx.left[sid] = ctx.left.get(sid, 0) + 1
            if o.immediate and notice > 0:
                record_violation(
                    ctx,
                    sid,
                    t.id,
                    "withdrawal",
                    "abrupt",
                    1.0,
                    p.sev_abrupt_withdrawal,
                    covert=False,
                    public=True,
                )
                for k in others:
                    ctx.trust(k, sid, db=p.trust_withdraw_abrupt)
                ctx.emit(
                    "treaty_withdrawal",
                    None,
                    msg("event.treaty_left_abruptly", s=sid, t=t.name or t.id),
                    treaty=t.id,
                    state=sid,
                )
            else:
                ctx.emit(
                    "treaty_withdrawal",
                    None,
                    msg("event.treaty_left", s=sid, t=t.name or t.id),
                    treaty=t.id,
                    state=sid,
                )
        else:
            wd = dict(t.withdrawing)
            wd[sid] = turn + notice
            ctx.treaties[t.id] = replace(t, withdrawing=wd)
            for k in others:
                if is_party(t, k):
                    ctx.trust(k, sid, db=p.trust_withdraw_notice)
            ctx.emit(
                "withdrawal_notice",
                None,
                msg("event.withdrawal_notice", s=sid, t=t.name or t.id, n=turn + notice),
                treaty=t.id,
                state=sid,
                effective_turn=turn + notice,
            )

    # (c) signatures.
    done: set[str] = set()
    for _sid, o, _ in ctx.accepted_of(Sign):
        h = o.terms_hash
        if h in done:
            continue
        t2 = next(
            (t for t in ctx.treaties.values() if t.terms_hash == h and t.status != "terminated"),
            None,
        )
        if t2 is None:
            continue
        done.add(h)
        if t2.status == "in_force":
            exp = t_int(t2, "expires_turn", 0)
            renew = t_int(t2, "renew_turns", 5)
            terms = dict(t2.terms)
            terms["expires_turn"] = max(exp, turn) + renew
            ctx.treaties[t2.id] = replace(t2, terms=terms)
            ctx.emit(
                "treaty_renewed",
                None,
                msg("event.treaty_renewed", t=t2.name or t2.id, n=max(exp, turn) + renew),
                treaty=t2.id,
            )
            continue
        parties = [x for x in t2.parties if x not in t2.withdrawn]
        ctx.treaties[t2.id] = replace(
            t2,
            status="in_force",
            entry_turn=turn,
            cs=dict.fromkeys(parties, 100.0),
            cs_true=dict.fromkeys(parties, 100.0),
        )
        for x in parties:
            ctx.joined[x] = ctx.joined.get(x, 0) + 1
        title = t2.name or t2.template
        ctx.emit(
            "treaty_in_force",
            None,
            msg("event.treaty_in_force_short", t=title)
            if "(" in title
            else msg("event.treaty_in_force", t=title, states=",".join(parties)),
            treaty=t2.id,
        )

    # (d) consents.
    for sid, o, _ in ctx.accepted_of(ConsentHosting):
        site = ctx.sites[o.site]
        if any(c.site == site.id and c.revoke_effective is None for c in ctx.consents):
            existing = next(c for c in ctx.consents if c.site == site.id)
            if existing.owner != o.owner:
                continue
            ctx.consents = [c for c in ctx.consents if c.site != site.id]
        c_new = consent_from_order(ctx.state, sid, o)
        ctx.consents.append(c_new)
        owner = c_new.owner
        first = site.owner != owner
        ctx.sites[site.id] = replace(site, owner=owner)
        ctx.emit(
            "consent",
            None,
            msg(
                "event.consent",
                s=sid,
                s2=owner,
                site=site.id,
                n=c_new.max_interceptors,
                m=c_new.compensation,
            ),
            site=site.id,
            host=sid,
            owner=owner,
        )
        if first:
            for k in ctx.ids:
                if k in (sid, owner):
                    continue
                if k in site.sees or any(cv.against == k for cv in site.coverage):
                    ctx.incident(k, owner, p.inc_hosted_site)
    for sid, o, _ in ctx.accepted_of(RevokeConsent):
        for n_, c in enumerate(ctx.consents):
            if c.site == o.site and c.owner == o.owner and c.revoke_effective is None:
                eff = turn + c.notice_turns
                ctx.consents[n_] = replace(c, revoke_effective=eff)
                ctx.emit(
                    "consent_revoked",
                    None,
                    msg("event.consent_revoked", s=sid, site=c.site, n=eff),
                    site=c.site,
                    effective_turn=eff,
                )
                if c.notice_turns == 0:
                    site = ctx.sites[c.site]
                    if site.owner == c.owner:
                        _return_site(ctx, site, msg("reason.consent_revoked", s=sid))
                    ctx.consents = [x for x in ctx.consents if x is not ctx.consents[n_]]
                break

    # (e) pairwise agreements.
    agree_types: tuple[type[Agree], ...] = (AgreeHotline, AgreeNotification, AgreeDataExchange)
    for agree_type in agree_types:
        kind = AGREE_KIND[agree_type.TYPE]
        for sid, agree, _ in ctx.accepted_of(agree_type):
            w = agree.partner
            a, b = sorted((sid, w))
            if sid != a or ctx.has_agreement(kind, a, b):
                continue
            ctx.agreements.append(Agreement(kind=kind, a=a, b=b, since=turn))
            ctx.emit(
                "agreement",
                None,
                msg("event.agreement", s=a, s2=b, w=f"word.agreement.{kind}"),
                kind=kind,
                a=a,
                b=b,
            )
            if kind == "HOTLINE":
                ctx.trust(a, b, da=ctx.p.trust_hotline)
                ctx.trust(b, a, da=ctx.p.trust_hotline)


TEMPLATE_NAMES: dict[str, str] = {
    "EXPORT_CONTROL": "Export-control regime",
    "OFFENSE_CAP": "Offensive arms cap",
    "CLASS_BAN": "Missile class ban",
    "DEFENSE_LIMIT": "Missile-defense limits",
    "NONPROLIFERATION": "Non-proliferation treaty",
}


def normalize_terms(template: str, terms: Mapping[str, JSON], p: Params) -> JSONDict:
    """Treaty terms with every default filled in (B2.6)."""
    out: JSONDict = dict(terms)
    caps_like = template in ("OFFENSE_CAP", "CLASS_BAN", "DEFENSE_LIMIT")
    out.setdefault("grace_turns", p.default_grace_caps if caps_like else 0)
    out.setdefault("notice_turns", p.default_notice_turns)
    out.setdefault(
        "inspection_quota", p.default_inspection_quota if template == "OFFENSE_CAP" else 0
    )
    out.setdefault("data_exchange", template == "OFFENSE_CAP")
    out.setdefault("notification", template == "OFFENSE_CAP")
    out.setdefault("challenge", template in ("OFFENSE_CAP", "CLASS_BAN", "NONPROLIFERATION"))
    if template == "EXPORT_CONTROL":
        out.setdefault("members_only", True)
    return {k: out[k] for k in sorted(out)}


def treaty_name(
    template: str, parties: Sequence[str], sc: Scenario, terms: Mapping[str, JSON]
) -> str:
    name = terms.get("name")
    if isinstance(name, str) and name:
        return name
    names = {s.id: s.name for s in sc.info.states}
    return (
        f"{TEMPLATE_NAMES.get(template, template)} ({', '.join(names.get(x, x) for x in parties)})"
    )


_new_treaty = builder(Treaty)
"""``Treaty(...)``, cheaper (a bot's projection tables a draft)."""


def add_treaty_draft(
    state: GameState, template: str, parties: Sequence[str], terms: Mapping[str, JSON]
) -> tuple[GameState, str, str]:
    """Table a treaty draft (pure). Returns ``(new_state, treaty_id, terms_hash)``.

    Idempotent: the same text tabled twice returns the existing draft. Raises
    ``RuleViolation(E_BAD_PARAM / E_UNKNOWN)`` for a bad template, parties or terms.
    """
    if template not in TREATY_TEMPLATES:
        raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.unknown_template", raw=repr(template)))
    ps = [x for x in state.state_ids if x in parties]
    for x in parties:
        if x not in state.state_ids:
            raise RuleViolation(RuleCode.E_UNKNOWN, msg("rule.unknown_state", raw=repr(x)))
    if len(ps) < 2:
        raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.two_parties"))
    _check_terms(template, terms)
    norm = normalize_terms(template, terms, state.scenario.params)
    h = terms_hash(template, ps, norm)
    for t in state.treaties:
        if t.terms_hash == h and t.status != "terminated":
            return state, t.id, h
    counters = dict(state.counters)
    counters["treaty"] = counters.get("treaty", 0) + 1
    tid = f"T{counters['treaty']}"
    draft = _new_treaty(
        id=tid,
        template=template,
        name=treaty_name(template, ps, state.scenario, norm),
        parties=tuple(ps),
        terms=norm,
        terms_hash=h,
        status="draft",
        entry_turn=None,
        created_turn=state.turn,
    )
    return replace(state, treaties=(*state.treaties, draft), counters=counters), tid, h


_TERM_KINDS: dict[str, str] = {
    "name": "str",
    "caps": "caps",
    "classes": "classes",
    "weighted_cap": "num",
    "max_interceptors": "int",
    "max_per_site": "int",
    "max_sites": "int",
    "no_foreign_basing": "bool",
    "terminal_only": "bool",
    "inspection_quota": "int",
    "data_exchange": "bool",
    "notification": "bool",
    "challenge": "bool",
    "grace_turns": "int",
    "notice_turns": "int",
    "expires_turn": "int",
    "renew_turns": "int",
    "members_only": "bool",
}


def _check_terms(template: str, terms: Mapping[str, JSON]) -> None:
    for k, v in terms.items():
        kind = _TERM_KINDS.get(k)
        if kind is None:
            raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.unknown_term", raw=repr(k)))
        # The error is built only when a term is bad (a bot's projection tables ~4 texts of
        # ~8 terms each: building one per term was ~1 % of a bot game).
        if (
            (kind == "int" and (not isinstance(v, int) or isinstance(v, bool) or v < 0))
            or (kind == "num" and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0))
            or (kind == "bool" and not isinstance(v, bool))
            or (kind == "str" and not isinstance(v, str))
            or (
                kind == "caps"
                and not (
                    isinstance(v, dict)
                    and all(
                        c in CLASS_ORDER
                        and isinstance(n, int)
                        and not isinstance(n, bool)
                        and n >= 0
                        for c, n in v.items()
                    )
                )
            )
            or (
                kind == "classes"
                and not (isinstance(v, list) and all(c in CLASS_ORDER for c in v))
            )
        ):
            raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.bad_term", raw=repr(k)))
    if template in ("OFFENSE_CAP",) and not terms.get("caps") and not terms.get("weighted_cap"):
        raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.cap_needs_caps"))
    if template == "CLASS_BAN" and not terms.get("classes"):
        raise RuleViolation(RuleCode.E_BAD_PARAM, msg("rule.ban_needs_classes"))
