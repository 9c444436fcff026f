"""``parse_scenario``: a scenario table (TOML) -> :class:`~game_engine.scenario.types.Scenario`,
or a :class:`~game_engine.errors.ScenarioError` listing every problem with its field path."""

from __future__ import annotations

from collections.abc import Mapping

from game_engine.errors import ScenarioError
from game_engine.params import (
    CLASS_ORDER,
    DEFAULT_CLASSES,
    DEFAULT_INTERCEPTORS,
    ITYPE_ORDER,
    ClassSpec,
    InterceptorSpec,
    params_from_mapping,
)
from game_engine.scenario.codec import _to_json_dict
from game_engine.scenario.reader import _geo, _objective, _Reader
from game_engine.scenario.translations import _i18n
from game_engine.scenario.types import (
    AGREEMENT_KINDS,
    DEFAULT_PREREQ,
    RADAR_MODES,
    RESERVED_IDS,
    SCHEMA_VERSION,
    TREATY_TEMPLATES,
    AgreementSetup,
    ConsentSetup,
    Coverage,
    Inject,
    InjectEffect,
    RelationSetup,
    Scenario,
    ScenarioInfo,
    SiteSetup,
    StateInfo,
    StateSetup,
    TreatySetup,
)


def parse_scenario(data: Mapping[str, object], source: str = "") -> Scenario:
    """Validate a scenario table (parsed TOML or JSON) and build a :class:`Scenario`.

    Raises ``ScenarioError`` listing every problem with its field path.
    """
    r = _Reader()
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        r.err("schema_version", f"must be {SCHEMA_VERSION}")
    params, perrs = params_from_mapping(r.table(data, "params", ""))
    r.errors.extend(perrs)

    class_tab = r.table(data, "classes", "")
    classes: list[ClassSpec] = []
    for base in DEFAULT_CLASSES:
        over = class_tab.get(base.name, {})
        p = f"classes.{base.name}."
        if not isinstance(over, Mapping):
            r.err(p[:-1], "must be a table")
            over = {}
        o = {str(k): v for k, v in over.items()}
        classes.append(
            ClassSpec(
                name=base.name,
                w=r.float_(o, "w", p, base.w, 0.0, 10.0),
                cost=r.int_(o, "cost", p, base.cost, 0, 1000),
                v=r.float_(o, "v", p, base.v),
                pcf=r.float_(o, "pcf", p, base.pcf),
                kappa=r.float_(o, "kappa", p, base.kappa),
                eta_test=r.float_(o, "eta_test", p, base.eta_test, 0.0, 10.0),
                cat1=r.bool_(o, "cat1", p, base.cat1),
            )
        )
    for k in sorted(class_tab):
        if k not in CLASS_ORDER:
            r.err(f"classes.{k}", "unknown missile class")
    cls_names = CLASS_ORDER

    itab = r.table(data, "interceptors", "")
    itypes: list[InterceptorSpec] = []
    for base_i in DEFAULT_INTERCEPTORS:
        over = itab.get(base_i.name, {})
        p = f"interceptors.{base_i.name}."
        if not isinstance(over, Mapping):
            r.err(p[:-1], "must be a table")
            over = {}
        o = {str(k): v for k, v in over.items()}
        p0_over = r.table(o, "p0", p)
        p0 = {c: r.float_(p0_over, c, f"{p}p0.", base_i.p0[c]) for c in cls_names}
        for k in sorted(p0_over):
            if k not in cls_names:
                r.err(f"{p}p0.{k}", "unknown missile class")
        itypes.append(
            InterceptorSpec(
                name=base_i.name,
                cost=r.int_(o, "cost", p, base_i.cost, 0, 1000),
                p0=p0,
                x_weight=r.float_(o, "x_weight", p, base_i.x_weight, 0.0, 10.0),
            )
        )
    for k in sorted(itab):
        if k not in ITYPE_ORDER:
            r.err(f"interceptors.{k}", "unknown interceptor type")

    turns = r.int_(data, "turns", "", None, 1, 100)
    state_tabs = r.tables(data, "states", "")
    if len(state_tabs) < 2:
        r.err("states", "needs at least two states")
    ids: list[str] = []
    for n, st in enumerate(state_tabs):
        sid = r.str_(st, "id", f"states[{n}].")
        if (
            not sid
            or not sid.replace("_", "").isalnum()
            or sid != sid.lower()
            or sid.startswith("@")
        ):
            r.err(f"states[{n}].id", "must be a short lowercase slug")
        if sid in ids:
            r.err(f"states[{n}].id", f"duplicate id {sid!r}")
        if sid in RESERVED_IDS:
            r.err(f"states[{n}].id", f"{sid!r} is reserved")
        ids.append(sid)
    id_tuple = tuple(ids)

    states: list[StateSetup] = []
    for n, st in enumerate(state_tabs):
        p = f"states[{n}]."
        weights_raw = st.get("weights", [0.45, 0.20, 0.35])
        weights = (0.45, 0.20, 0.35)
        if (
            isinstance(weights_raw, list)
            and len(weights_raw) == 3
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in weights_raw)
            and all(0 <= x <= 1 for x in weights_raw)
        ):
            weights = (float(weights_raw[0]), float(weights_raw[1]), float(weights_raw[2]))
        else:
            r.err(f"{p}weights", "must be three numbers between 0 and 1 (w_sec, w_comp, w_reg)")
        missiles = r.counts(st, "missiles", p, cls_names)
        tech = r.strs(st, "tech", p, cls_names)
        tech = tuple(c for c in cls_names if c in tech)
        pub = r.counts(st, "public_missiles", p, cls_names) if "public_missiles" in st else None
        cards = tuple(
            _objective(r, o, f"{p}objective_cards[{m}].", cls_names)
            for m, o in enumerate(r.tables(st, "objective_cards", p))
        )
        npc = r.bool_(st, "npc", p, False)
        states.append(
            StateSetup(
                info=StateInfo(
                    id=ids[n],
                    name=r.str_(st, "name", p),
                    role=r.str_(st, "role", p, ""),
                    public_briefing=r.str_(st, "public_briefing", p, ""),
                    secret_briefing=r.str_(st, "secret_briefing", p, ""),
                    objectives=r.strs(st, "objectives", p),
                    color=r.str_(st, "color", p, "#777777"),
                    npc=npc,
                ),
                nuclear=r.bool_(st, "nuclear", p, False),
                missiles=missiles,
                public_missiles=pub,
                tech=tech,
                developing=r.counts(st, "developing", p, cls_names),
                prod_cap=r.counts(st, "prod_cap", p, cls_names),
                store=r.counts(st, "interceptors_store", p, ITYPE_ORDER),
                cm=r.float_(st, "cm", p, 0.0, 0.0, params.cm_max),
                ntm=r.float_(st, "ntm", p, 0.0, 0.0, params.ntm_max),
                conceal=r.float_(st, "conceal", p, 0.0, 0.0, params.conceal_max),
                program=r.int_(st, "program", p, 0, 0, 4),
                budget=r.int_(st, "budget", p, None, 0, 100000),
                income=r.int_(st, "income", p, None, 0, 100000),
                ds=r.float_(st, "ds", p, 50.0, 0.0, 100.0),
                n_sites=r.int_(st, "missile_sites", p, 4, 1, 1000),
                l_half=r.float_(st, "l_half", p, 8.0, 0.1, 1000.0),
                u=r.float_(st, "u", p, 0.5, 0.01, 1.0),
                weights=weights,
                k=r.float_(st, "k", p, params.k_default, 0.0, 0.5),
                a=r.float_(st, "a", p, params.a_default, 0.0, 1.0),
                s0=r.float_(st, "s0", p, 0.5, 0.0, 2.0),
                treaty_pref=r.float_(st, "treaty_pref", p, 0.0, -10.0, 10.0),
                shame=r.float_(st, "shame", p, 1.0, 0.0, 5.0),
                hawkish=r.float_(st, "hawkish", p, 0.0, 0.0, 5.0),
                allow_challenge=r.bool_(st, "allow_challenge", p, True),
                doctrine=r.choice(st, "doctrine", p, ("barrage", "sls"), "barrage"),
                objective_cards=cards,
                geo=_geo(r, st, p),
                npc=npc,
            )
        )

    rels: dict[tuple[str, str], RelationSetup] = {}
    for n, rt in enumerate(r.tables(data, "relations", "")):
        p = f"relations[{n}]."
        src = r.str_(rt, "from", p)
        dst = r.str_(rt, "to", p)
        both = r.bool_(rt, "mutual", p, False)
        for x, key in ((src, "from"), (dst, "to")):
            if x not in id_tuple:
                r.err(f"{p}{key}", f"unknown state {x!r}")
        trust = rt.get("trust", [2, 2])
        alpha, beta = 2.0, 2.0
        if (
            isinstance(trust, list)
            and len(trust) == 2
            and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in trust
            )
        ):
            alpha, beta = float(trust[0]), float(trust[1])
        else:
            r.err(f"{p}trust", "must be [alpha, beta] with both > 0")
        pairs = [(src, dst), (dst, src)] if both else [(src, dst)]
        for a_, b_ in pairs:
            if a_ == b_:
                r.err(p[:-1], "a relation needs two different states")
                continue
            rels[(a_, b_)] = RelationSetup(
                src=a_,
                dst=b_,
                h=r.float_(rt, "h", p, 0.0),
                alpha=alpha,
                beta=beta,
                ev=r.float_(rt, "ev", p, 0.0),
                ed=r.float_(rt, "ed", p, 0.0) if (a_, b_) == (src, dst) else 0.0,
                rival=r.bool_(rt, "rival", p, False),
            )
    relations: list[RelationSetup] = [
        rels.get(
            (a_, b_),
            RelationSetup(src=a_, dst=b_, h=0.0, alpha=2.0, beta=2.0, ev=0.0, ed=0.0, rival=False),
        )
        for a_ in id_tuple
        for b_ in id_tuple
        if a_ != b_
    ]

    reach_tab = r.table(data, "reach", "")
    reach: dict[str, dict[str, tuple[str, ...]]] = {}
    for att in sorted(reach_tab):
        if att not in id_tuple:
            r.err(f"reach.{att}", "unknown state")
            continue
        inner = r.table(reach_tab, att, "reach.")
        reach[att] = {}
        for tgt in sorted(inner):
            if tgt not in id_tuple or tgt == att:
                r.err(f"reach.{att}.{tgt}", "unknown target state")
                continue
            cl = r.strs(inner, tgt, f"reach.{att}.", cls_names)
            reach[att][tgt] = tuple(c for c in cls_names if c in cl)

    sites: list[SiteSetup] = []
    site_ids: list[str] = []
    for n, s in enumerate(r.tables(data, "sites", "")):
        p = f"sites[{n}]."
        sid = r.str_(s, "id", p)
        if sid in site_ids:
            r.err(f"{p}id", f"duplicate site id {sid!r}")
        site_ids.append(sid)
        host = r.str_(s, "host", p)
        owner = r.str_(s, "owner", p, "")
        if host not in id_tuple:
            r.err(f"{p}host", f"unknown state {host!r}")
        if owner and owner not in id_tuple:
            r.err(f"{p}owner", f"unknown state {owner!r}")
        covs: list[Coverage] = []
        for m, c in enumerate(r.tables(s, "coverage", p)):
            cp = f"{p}coverage[{m}]."
            defends = r.str_(c, "defends", cp)
            if defends not in id_tuple:
                r.err(f"{cp}defends", f"unknown state {defends!r}")
            against = r.strs(c, "against", cp, id_tuple)
            value = r.float_(c, "value", cp)
            covs.extend(Coverage(defends=defends, against=x, value=value) for x in against)
        radar_q = r.float_(s, "radar_q", p, 0.0)
        capacity = r.int_(s, "capacity", p, None, 0, 100000)
        inter = r.counts(s, "interceptors", p, ITYPE_ORDER)
        if sum(inter.values()) > capacity:
            r.err(f"{p}interceptors", f"total exceeds capacity {capacity}")
        sites.append(
            SiteSetup(
                id=sid,
                host=host,
                owner=owner,
                kind=r.choice(s, "kind", p, ("home", "hosted", "sea"), "home"),
                capacity=capacity,
                allowed=r.strs(s, "allowed", p, ITYPE_ORDER) or ITYPE_ORDER,
                interceptors=inter,
                radar_q=radar_q,
                radar_max_q=r.float_(s, "radar_max_q", p, 1.0),
                radar_mode=r.choice(s, "radar_mode", p, RADAR_MODES, "terminal"),
                sensor_sharing=r.bool_(s, "sensor_sharing", p, False),
                ready_turn=r.int_(s, "ready_turn", p, 1, 1, 100),
                coverage=tuple(covs),
                sees=r.strs(s, "sees", p, id_tuple),
                ds_burden=r.float_(s, "ds_burden", p, 1.0, 0.0, 10.0),
                geo=_geo(r, s, p),
            )
        )
    site_tuple = tuple(site_ids)

    consents: list[ConsentSetup] = []
    for n, c in enumerate(r.tables(data, "consents", "")):
        p = f"consents[{n}]."
        site = r.str_(c, "site", p)
        if site not in site_tuple:
            r.err(f"{p}site", f"unknown site {site!r}")
        host = r.str_(c, "host", p)
        owner = r.str_(c, "owner", p)
        for x, key in ((host, "host"), (owner, "owner")):
            if x not in id_tuple:
                r.err(f"{p}{key}", f"unknown state {x!r}")
        consents.append(
            ConsentSetup(
                host=host,
                owner=owner,
                site=site,
                max_interceptors=r.int_(c, "max_interceptors", p, None, 0, 100000),
                max_radar_q=r.float_(c, "max_radar_q", p, 1.0),
                forward_allowed=r.bool_(c, "forward_allowed", p, False),
                sensor_sharing_allowed=r.bool_(c, "sensor_sharing_allowed", p, False),
                compensation=r.int_(c, "compensation", p, 0, 0, 10000),
                notice_turns=r.int_(c, "notice_turns", p, 1, 0, 20),
            )
        )

    treaties: list[TreatySetup] = []
    for n, t in enumerate(r.tables(data, "treaties", "")):
        p = f"treaties[{n}]."
        parties = r.strs(t, "parties", p, id_tuple)
        if len(parties) < 2:
            r.err(f"{p}parties", "needs at least two parties")
        terms_raw = r.table(t, "terms", p)
        terms = _to_json_dict(terms_raw)
        treaties.append(
            TreatySetup(
                template=r.choice(t, "template", p, TREATY_TEMPLATES, "OFFENSE_CAP"),
                name=r.str_(t, "name", p, ""),
                parties=tuple(sorted(set(parties))),
                terms=terms,
            )
        )

    agreements: list[AgreementSetup] = []
    for n, a in enumerate(r.tables(data, "agreements", "")):
        p = f"agreements[{n}]."
        between = r.strs(a, "between", p, id_tuple)
        if len(between) != 2 or between[0] == between[1]:
            r.err(f"{p}between", "must name two different states")
            continue
        lo, hi = sorted(between)
        agreements.append(
            AgreementSetup(kind=r.choice(a, "kind", p, AGREEMENT_KINDS, "HOTLINE"), a=lo, b=hi)
        )

    injects: list[Inject] = []
    for n, inj in enumerate(r.tables(data, "injects", "")):
        p = f"injects[{n}]."
        targets = r.strs(inj, "targets", p, (*id_tuple, "all")) or ("all",)
        eff = r.table(inj, "effect", p)
        ep = f"{p}effect."
        outage = r.str_(eff, "radar_outage", ep, "")
        if outage and outage not in site_tuple:
            r.err(f"{ep}radar_outage", f"unknown site {outage!r}")
        ds_tab = r.table(eff, "ds_change", ep)
        ds_change = {
            k: r.float_(ds_tab, k, f"{ep}ds_change.", 0.0, -100.0, 100.0) for k in sorted(ds_tab)
        }
        budget_tab = r.table(eff, "budget_change", ep)
        budget_change: dict[str, int] = {}
        for k in sorted(budget_tab):
            v = budget_tab[k]
            if isinstance(v, bool) or not isinstance(v, int):
                r.err(f"{ep}budget_change.{k}", "must be an integer")
            else:
                budget_change[k] = v
        inc_tab = r.table(eff, "incident", ep)
        incident = {k: r.float_(inc_tab, k, f"{ep}incident.", 0.0) for k in sorted(inc_tab)}
        for k in (*ds_change, *budget_change):
            if k not in id_tuple:
                r.err(f"{ep}{k}", f"unknown state {k!r}")
        for k in incident:
            parts = k.split(">")
            if len(parts) != 2 or parts[0] not in id_tuple or parts[1] not in id_tuple:
                r.err(f"{ep}incident.{k}", "key must be 'from>to' with two state ids")
        injects.append(
            Inject(
                turn=r.int_(inj, "turn", p, None, 1, 100),
                targets=targets,
                title=r.str_(inj, "title", p),
                text=r.str_(inj, "text", p, ""),
                effect=InjectEffect(
                    radar_outage=outage,
                    ds_change=ds_change,
                    budget_change=budget_change,
                    incident=incident,
                ),
            )
        )

    prereq_tab = r.table(data, "research_prereq", "")
    prereq: dict[str, tuple[str, ...]] = dict(DEFAULT_PREREQ)
    for k in sorted(prereq_tab):
        if k not in cls_names:
            r.err(f"research_prereq.{k}", "unknown missile class")
            continue
        prereq[k] = r.strs(prereq_tab, k, "research_prereq.", cls_names)

    for n, st2 in enumerate(states):
        for m, card in enumerate(st2.objective_cards):
            for q, cond in enumerate(card.conditions):
                if cond.site and cond.site not in site_tuple:
                    r.err(f"states[{n}].objective_cards[{m}].conditions[{q}].site", "unknown site")
                if cond.state and cond.state not in id_tuple:
                    r.err(
                        f"states[{n}].objective_cards[{m}].conditions[{q}].state", "unknown state"
                    )

    i18n = _i18n(r, data, states, injects, treaties)

    info = ScenarioInfo(
        slug=r.str_(data, "slug", ""),
        title=r.str_(data, "title", ""),
        summary=r.str_(data, "summary", "", ""),
        turns=turns,
        states=tuple(s.info for s in states),
        background=r.str_(data, "background", "", ""),
        recommended_mode=r.choice(
            data, "recommended_mode", "", ("expected", "stochastic"), "expected"
        ),
    )
    if r.errors:
        raise ScenarioError(r.errors, source)
    return Scenario(
        info=info,
        params=params,
        classes=tuple(classes),
        interceptors=tuple(itypes),
        states=tuple(states),
        relations=tuple(relations),
        reach=reach,
        sites=tuple(sites),
        consents=tuple(consents),
        treaties=tuple(treaties),
        agreements=tuple(agreements),
        injects=tuple(injects),
        research_prereq=prereq,
        i18n=i18n,
    )


