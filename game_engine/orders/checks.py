"""Is a well-formed order allowed? One checker per order type (the B3 validation table).

:func:`check_order` dispatches on the order's class with ``match`` (``assert_never`` makes a new
order type without a checker a type error). A checker reads the start-of-turn state and the
running budget and inventory (:class:`Running`), updates the latter, and raises
:class:`RuleViolation` when the order breaks a rule. Checkers only read what the submitting state
may know (its own posture and public data), so an error never leaks hidden facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from game_engine.errors import RuleCode, RuleViolation
from game_engine.messages import Message, Param, msg
from game_engine.orders.rules import (
    Running,
    active_consent,
    has_agreement,
    in_force,
    is_party,
    order_cost,
)
from game_engine.orders.specs import AGREE_KIND
from game_engine.orders.types import (
    Accept,
    AcceptImport,
    Agree,
    AgreeDataExchange,
    AgreeHotline,
    AgreeNotification,
    Build,
    BuildRadar,
    BuyInterceptors,
    ChallengeInspection,
    Command,
    ConsentHosting,
    Declare,
    DeclareLimits,
    Deploy,
    EconomicPressure,
    Export,
    Inspect,
    InvestNtm,
    Invite,
    InviteObservers,
    JointExercise,
    MissileTest,
    Payment,
    PublishEvidence,
    Reduce,
    Research,
    RevokeConsent,
    SetChallengePolicy,
    SetConcealment,
    SetRadarMode,
    SetSensorSharing,
    ShareEvidence,
    Sign,
    Withdraw,
    WithdrawDeployment,
)
from game_engine.params import CLASS_ORDER, Params
from game_engine.state import GameState, Nation, Site, Treaty


def names_of(state: GameState) -> dict[str, str]:
    """State id -> English name (only for the English text of an error)."""
    return {i.id: i.name for i in state.scenario.info.states}


def violation(state: GameState, code: RuleCode, id: str, /, *parts: Message, **params: Param) -> RuleViolation:
    """A rule error with the message ``id`` of the catalogue."""
    return RuleViolation(code, msg(id, *parts, **params), names=names_of(state))


def _term_int(t: Treaty, key: str, default: int) -> int:
    v = t.terms.get(key, default)
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def _term_bool(t: Treaty, key: str, default: bool) -> bool:
    v = t.terms.get(key, default)
    return v if isinstance(v, bool) else default


@dataclass(slots=True)
class Check:
    """One order's checking context: who orders, against which state, with what left."""

    state: GameState
    actor: str
    run: Running

    @property
    def nat(self) -> Nation:
        return self.state.nations[self.actor]

    @property
    def me(self) -> str:
        return self.state.name_of(self.actor)

    @property
    def p(self) -> Params:
        return self.state.scenario.params

    def fail(self, code: RuleCode, id: str, /, *parts: Message, **params: Param) -> RuleViolation:
        return violation(self.state, code, id, *parts, **params)

    def bad(self, id: str, /, **params: Param) -> RuleViolation:
        return violation(self.state, RuleCode.E_BAD_PARAM, id, **params)

    def other(self, sid: str) -> str:
        """Another state named by the order."""
        if sid not in self.state.state_ids:
            raise self.fail(RuleCode.E_UNKNOWN, "rule.unknown_state", raw=repr(sid))
        if sid == self.actor:
            raise self.bad("rule.not_with_itself", s=self.actor)
        return sid

    def site(self, sid: str) -> Site:
        site = self.state.site(sid)
        if site is None:
            raise self.fail(RuleCode.E_UNKNOWN, "rule.unknown_site", raw=repr(sid))
        return site

    def treaty(self, tid: str) -> Treaty:
        tr = self.state.treaty(tid)
        if tr is None:
            raise self.fail(RuleCode.E_UNKNOWN, "rule.unknown_treaty", raw=repr(tid))
        return tr


def check_order(state: GameState, actor: str, o: Command, run: Running) -> int:
    """Validate ``o`` for ``actor`` against the start-of-turn state and ``run``; apply it to ``run``.

    Returns the cost. Raises ``RuleViolation`` with a plain-English message (B3 table).
    """
    c = Check(state, actor, run)
    # Builds and interceptor purchases check their budget themselves (their message names what).
    flat_cost = None if isinstance(o, (Build, BuyInterceptors)) else order_cost(state, actor, o)
    match o:
        case Build():
            check_build(c, o)
        case Reduce():
            check_reduce(c, o)
        case MissileTest():
            check_test(c, o)
        case Export():
            check_export(c, o)
        case AcceptImport():
            check_accept_import(c, o)
        case BuyInterceptors():
            check_buy_interceptors(c, o)
        case Deploy():
            check_deploy(c, o)
        case WithdrawDeployment():
            check_withdraw_deployment(c, o)
        case BuildRadar():
            check_build_radar(c, o)
        case SetRadarMode():
            check_set_radar_mode(c, o)
        case SetSensorSharing():
            check_set_sensor_sharing(c, o)
        case ConsentHosting():
            check_consent_hosting(c, o)
        case RevokeConsent():
            check_revoke_consent(c, o)
        case Payment():
            c.other(o.to)
        case Declare() | SetChallengePolicy():
            pass
        case AgreeHotline() | AgreeNotification() | AgreeDataExchange():
            check_agree(c, o)
        case DeclareLimits():
            check_declare_limits(c, o)
        case JointExercise() | InviteObservers():
            check_invite(c, o)
        case Accept():
            c.other(o.partner)
        case Inspect():
            check_inspect(c, o)
        case ChallengeInspection():
            check_challenge_inspection(c, o)
        case InvestNtm():
            check_invest_ntm(c, o)
        case SetConcealment():
            check_set_concealment(c, o)
        case PublishEvidence():
            check_publish_evidence(c, o)
        case ShareEvidence():
            check_share_evidence(c, o)
        case Sign():
            check_sign(c, o)
        case Withdraw():
            check_withdraw(c, o)
        case EconomicPressure():
            check_economic_pressure(c, o)
        case Research():
            check_research(c, o)
        case _:
            assert_never(o)
    if flat_cost is None:
        cost = order_cost(state, actor, o)
    else:
        cost = flat_cost
        if cost > run.budget:
            raise c.fail(
                RuleCode.E_BUDGET, "rule.afford_order", s=c.actor, lowlabel=o.type, n=cost, m=run.budget
            )
    run.budget -= cost
    return cost


# ------------------------------------------------------------------------------ offense


def check_build(c: Check, o: Build) -> None:
    nat, run = c.nat, c.run
    if o.cls not in nat.tech:
        raise c.fail(RuleCode.E_NO_TECH, "rule.no_production_tech", s=c.actor, cls=o.cls)
    cap = nat.prod_cap.get(o.cls, 0)
    if run.built.get(o.cls, 0) + o.qty > cap:
        left = cap - run.built.get(o.cls, 0)
        raise c.fail(
            RuleCode.E_CAPACITY, "rule.build_capacity", s=c.actor, n=cap, cls=o.cls, m=max(0, left)
        )
    cost = order_cost(c.state, c.actor, o)
    if cost > run.budget:
        raise c.fail(
            RuleCode.E_BUDGET, "rule.afford_missiles", s=c.actor, q=o.qty, cls=o.cls, n=cost, m=run.budget
        )
    run.built[o.cls] = run.built.get(o.cls, 0) + o.qty
    run.missiles[o.cls] = run.missiles.get(o.cls, 0) + o.qty


def check_reduce(c: Check, o: Reduce) -> None:
    have = c.run.missiles.get(o.cls, 0)
    if o.qty > have:
        raise c.fail(RuleCode.E_NEGATIVE, "rule.eliminate_more", s=c.actor, n=have, cls=o.cls, q=o.qty)
    c.run.missiles[o.cls] -= o.qty


def check_test(c: Check, o: MissileTest) -> None:
    nat, p = c.nat, c.p
    if o.cls not in nat.tech and o.cls not in nat.developing and nat.missiles.get(o.cls, 0) <= 0:
        raise c.fail(RuleCode.E_NO_TECH, "rule.nothing_to_test", s=c.actor, cls=o.cls)
    if c.run.tests + 1 > p.max_tests_per_turn:
        raise c.fail(RuleCode.E_TOO_MANY_TESTS, "rule.tests_per_turn", n=p.max_tests_per_turn)
    c.run.tests += 1


def check_export(c: Check, o: Export) -> None:
    c.other(o.to)
    if o.tech:
        if o.cls not in c.nat.tech:
            raise c.fail(RuleCode.E_NO_TECH, "rule.no_tech_to_export", s=c.actor, cls=o.cls)
        return
    if o.qty <= 0:
        raise c.bad("rule.export_nothing")
    have = c.run.missiles.get(o.cls, 0)
    if o.qty > have:
        raise c.fail(RuleCode.E_NEGATIVE, "rule.export_more", s=c.actor, n=have, cls=o.cls)
    c.run.missiles[o.cls] -= o.qty


def check_accept_import(c: Check, o: AcceptImport) -> None:
    c.other(o.supplier)
    if not o.tech and o.qty <= 0:
        raise c.bad("rule.accept_nothing")


# ------------------------------------------------------------------------------ defense


def check_buy_interceptors(c: Check, o: BuyInterceptors) -> None:
    run = c.run
    cost = order_cost(c.state, c.actor, o)
    if cost > run.budget:
        raise c.fail(
            RuleCode.E_BUDGET, "rule.afford_interceptors", s=c.actor, q=o.qty, itype=o.itype, n=cost, m=run.budget
        )
    run.store[o.itype] = run.store.get(o.itype, 0) + o.qty


def check_deploy(c: Check, o: Deploy) -> None:
    state, actor, run = c.state, c.actor, c.run
    site = c.site(o.site)
    it, q = o.itype, o.qty
    if it not in site.allowed:
        raise c.bad("rule.site_types", site=site.id, raw=", ".join(site.allowed))
    consent = None
    if site.owner == actor or site.owner == "":
        if site.host != actor:
            consent = active_consent(state, site.id, actor)
    else:
        raise c.fail(RuleCode.E_NO_CONSENT, "rule.site_belongs", site=site.id, s=site.owner)
    if q > run.store.get(it, 0):
        raise c.fail(
            RuleCode.E_NEGATIVE, "rule.deploy_more", s=c.actor, n=run.store.get(it, 0), itype=it, q=q
        )
    now = sum(run.deployed[site.id].values())
    if now + q > site.capacity:
        raise c.fail(RuleCode.E_SITE_CAPACITY, "rule.site_full", site=site.id, n=site.capacity, m=now)
    if consent is not None and now + q > consent.max_interceptors:
        raise c.fail(
            RuleCode.E_SITE_CAPACITY,
            "rule.consent_cap",
            s=site.host,
            n=consent.max_interceptors,
            site=site.id,
            m=now,
        )
    run.store[it] -= q
    run.deployed[site.id][it] = run.deployed[site.id].get(it, 0) + q


def check_withdraw_deployment(c: Check, o: WithdrawDeployment) -> None:
    run = c.run
    site = c.site(o.site)
    if site.owner != c.actor:
        raise c.fail(RuleCode.E_NOT_OWNER, "rule.withdraw_owner", site=site.id)
    have = run.deployed[site.id].get(o.itype, 0)
    if o.qty > have:
        raise c.fail(RuleCode.E_NEGATIVE, "rule.withdraw_more", site=site.id, n=have, itype=o.itype)
    run.deployed[site.id][o.itype] = have - o.qty
    run.store[o.itype] = run.store.get(o.itype, 0) + o.qty


def check_build_radar(c: Check, o: BuildRadar) -> None:
    actor = c.actor
    site = c.site(o.site)
    if site.owner not in (actor, "") or (site.owner == "" and site.host != actor):
        raise c.fail(RuleCode.E_NOT_OWNER, "rule.not_operator", s=c.actor, site=site.id)
    new_q = c.run.radar[site.id] + c.p.radar_level_step * o.levels
    limit = site.radar_max_q
    if site.host != actor:
        cons = active_consent(c.state, site.id, actor)
        limit = min(limit, cons.max_radar_q if cons else site.radar_q)
    if new_q > limit + 1e-9:
        raise c.fail(RuleCode.E_CAPACITY, "rule.radar_max", site=site.id, x=f"{limit:g}")
    c.run.radar[site.id] = new_q


def _pending(c: Check, site: Site) -> bool:
    """A candidate site may be consented to the actor this very turn: resolution checks the
    consent and its terms after matching, as for DEPLOY (B3 step 3)."""
    return c.p.rules >= 2 and site.owner == "" and site.host != c.actor


def _operated_site(c: Check, site_id: str) -> Site:
    site = c.site(site_id)
    if site.owner != c.actor and not _pending(c, site):
        raise c.fail(RuleCode.E_NOT_OWNER, "rule.not_operator", s=c.actor, site=site.id)
    return site


def check_set_radar_mode(c: Check, o: SetRadarMode) -> None:
    site = _operated_site(c, o.site)
    if site.host != c.actor and not _pending(c, site) and o.mode == "forward":
        cons = active_consent(c.state, site.id, c.actor)
        if cons is None or not cons.forward_allowed:
            raise c.fail(RuleCode.E_NO_CONSENT, "rule.forward_not_allowed", s=site.host, site=site.id)


def check_set_sensor_sharing(c: Check, o: SetSensorSharing) -> None:
    site = _operated_site(c, o.site)
    if site.host != c.actor and not _pending(c, site) and o.sharing:
        cons = active_consent(c.state, site.id, c.actor)
        if cons is None or not cons.sensor_sharing_allowed:
            raise c.fail(RuleCode.E_NO_CONSENT, "rule.sharing_not_allowed", s=site.host, site=site.id)


# ------------------------------------------------------------------------------ sovereignty


def check_consent_hosting(c: Check, o: ConsentHosting) -> None:
    state, p, nat = c.state, c.p, c.nat
    owner = c.other(o.owner)
    site = c.site(o.site)
    if site.host != c.actor:
        raise c.fail(RuleCode.E_NOT_OWNER, "rule.consent_host", s=site.host, site=site.id)
    if site.owner not in ("", owner):
        raise c.bad("rule.operated_by", site=site.id, s=site.owner)
    existing = active_consent(state, site.id)
    if existing is not None and existing.owner != owner:
        raise c.bad("rule.already_hosts", site=site.id, s=existing.owner)
    if nat.ds < p.theta_consent:
        raise c.fail(
            RuleCode.E_DS_TOO_LOW,
            "rule.ds_consent",
            s=c.actor,
            n=round(nat.ds),
            m=round(p.theta_consent),
        )
    if o.max_interceptors > site.capacity:
        raise c.fail(RuleCode.E_SITE_CAPACITY, "rule.site_capacity", site=site.id, n=site.capacity)


def check_revoke_consent(c: Check, o: RevokeConsent) -> None:
    owner = c.other(o.owner)
    site = c.site(o.site)
    if site.host != c.actor:
        raise c.fail(RuleCode.E_NOT_OWNER, "rule.revoke_host", site=site.id)
    cons = active_consent(c.state, site.id, owner)
    if cons is None:
        raise c.fail(RuleCode.E_UNKNOWN, "rule.no_consent_to_revoke", site=site.id)
    if cons.revoke_effective is not None:
        raise c.fail(RuleCode.E_NOTICE, "rule.already_revoking", site=site.id)


# ------------------------------------------------------------------------------ transparency


def check_agree(c: Check, o: Agree) -> None:
    w = c.other(o.partner)
    if has_agreement(c.state, AGREE_KIND[o.type], c.actor, w):
        raise c.bad("rule.already_agreed", s=c.actor, s2=w)


def check_declare_limits(c: Check, o: DeclareLimits) -> None:
    site = c.site(o.site)
    if c.actor not in (site.owner, site.host) and site.owner != "":
        raise c.fail(RuleCode.E_NOT_OWNER, "rule.limit_owner", site=site.id)
    cap = o.max_interceptors
    if cap and cap < sum(c.run.deployed[site.id].values()):
        raise c.bad("rule.holds_more", site=site.id, n=cap)


def check_invite(c: Check, o: Invite) -> None:
    c.other(o.partner)
    if o.site:
        site = c.site(o.site)
        if c.actor not in (site.owner, site.host) and site.owner != "":
            raise c.fail(RuleCode.E_NOT_OWNER, "rule.visitors", s=c.actor, site=site.id)


# ------------------------------------------------------------------------------ verification


def _inspection_treaty(c: Check, target_id: str, treaty_id: str) -> tuple[str, Treaty]:
    target = c.other(target_id)
    tr = c.treaty(treaty_id)
    if not in_force(tr):
        raise c.bad("rule.not_in_force", t=tr.name or tr.id)
    if not is_party(tr, c.actor) or not is_party(tr, target):
        raise c.fail(RuleCode.E_NOT_PARTY, "rule.both_parties", s=c.actor, s2=target, t=tr.name or tr.id)
    return target, tr


def check_inspect(c: Check, o: Inspect) -> None:
    target, tr = _inspection_treaty(c, o.target, o.treaty)
    quota = _term_int(tr, "inspection_quota", 0)
    key = (target, tr.id)
    used = c.run.visits.get(key, 0) + o.visits
    if used > quota:
        raise c.fail(RuleCode.E_QUOTA, "rule.quota", t=tr.name or tr.id, n=quota, m=used)
    c.run.visits[key] = used


def check_challenge_inspection(c: Check, o: ChallengeInspection) -> None:
    _, tr = _inspection_treaty(c, o.target, o.treaty)
    if not _term_bool(tr, "challenge", False):
        raise c.bad("rule.no_challenge_clause", t=tr.name or tr.id)
    if o.site and c.state.site(o.site) is None:
        raise c.fail(RuleCode.E_UNKNOWN, "rule.unknown_site", raw=repr(o.site))


def check_invest_ntm(c: Check, o: InvestNtm) -> None:
    p = c.p
    if o.points % p.ntm_cost_per_tenth:
        raise c.bad("rule.ntm_multiple", n=p.ntm_cost_per_tenth)
    new = c.run.ntm + 0.1 * o.points / p.ntm_cost_per_tenth
    if new > p.ntm_max + 1e-9:
        raise c.fail(RuleCode.E_CAPACITY, "rule.ntm_max", x=f"{p.ntm_max:g}")
    c.run.ntm = new


def check_set_concealment(c: Check, o: SetConcealment) -> None:
    if o.level / 10 > c.p.conceal_max + 1e-9:
        raise c.fail(RuleCode.E_CAPACITY, "rule.conceal_max", x=f"{c.p.conceal_max:g}")


def _held_evidence_published(c: Check, eid: str) -> bool:
    """Whether the evidence item ``eid`` the actor holds is public (raises if it holds none)."""
    ev = next((e for e in c.state.evidence if e.id == eid and e.holder == c.actor), None)
    if ev is None:
        raise c.fail(RuleCode.E_UNKNOWN, "rule.no_evidence", s=c.actor, raw=repr(eid))
    return ev.published


def check_publish_evidence(c: Check, o: PublishEvidence) -> None:
    if _held_evidence_published(c, o.evidence) or o.evidence in c.run.published:
        raise c.bad("rule.already_public", e=o.evidence)
    c.run.published.add(o.evidence)


def check_share_evidence(c: Check, o: ShareEvidence) -> None:
    _held_evidence_published(c, o.evidence)
    c.other(o.to)


# ------------------------------------------------------------------------------ treaties


def check_sign(c: Check, o: Sign) -> None:
    nat, p = c.nat, c.p
    tr = next(
        (x for x in c.state.treaties if x.terms_hash == o.terms_hash and x.status != "terminated"),
        None,
    )
    if tr is None:
        raise c.fail(RuleCode.E_UNKNOWN, "rule.no_tabled_treaty")
    if c.actor not in tr.parties or c.actor in tr.withdrawn:
        raise c.fail(RuleCode.E_NOT_PARTY, "rule.not_listed", s=c.actor, t=tr.name or tr.id)
    if tr.status == "in_force" and _term_int(tr, "expires_turn", 0) == 0:
        raise c.bad("rule.already_in_force", t=tr.name or tr.id)
    if nat.ds < p.theta_ratify:
        raise c.fail(
            RuleCode.E_DS_TOO_LOW, "rule.ds_ratify", s=c.actor, n=round(nat.ds), m=round(p.theta_ratify)
        )


def check_withdraw(c: Check, o: Withdraw) -> None:
    tr = c.treaty(o.treaty)
    if not in_force(tr) or not is_party(tr, c.actor):
        raise c.fail(RuleCode.E_NOT_PARTY, "rule.not_party", s=c.actor, t=tr.name or tr.id)
    if c.actor in tr.withdrawing:
        raise c.fail(RuleCode.E_NOTICE, "rule.already_leaving", s=c.actor, t=tr.name or tr.id)


# ------------------------------------------------------------------------------ economy


def check_economic_pressure(c: Check, o: EconomicPressure) -> None:
    if not c.p.economic_pressure_enabled:
        raise c.fail(RuleCode.E_DISABLED, "rule.pressure_disabled")
    c.other(o.target)


def check_research(c: Check, o: Research) -> None:
    nat, p, tech = c.nat, c.p, o.tech
    if tech in CLASS_ORDER:
        if tech in nat.tech or tech in nat.developing:
            raise c.bad("rule.already_researching", s=c.actor, cls=tech)
        need = c.state.scenario.research_prereq.get(tech, ())
        if need and not any(x in nat.tech for x in need):
            raise c.fail(
                RuleCode.E_NO_TECH, "rule.research_needs", *(msg("word.class", cls=x) for x in need), cls=tech
            )
    elif tech == "cm" and nat.cm >= p.cm_max - 1e-9:
        raise c.fail(RuleCode.E_CAPACITY, "rule.cm_max")
    elif tech == "discrimination" and nat.disc >= 1.0 - 1e-9:
        raise c.fail(RuleCode.E_CAPACITY, "rule.disc_max")
    elif tech == "program" and (nat.nuclear or nat.program >= 4):
        raise c.bad("rule.program_done", s=c.actor)
