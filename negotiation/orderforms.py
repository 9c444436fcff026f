"""Order forms built from the engine's ORDER_SPECS, so every order the engine knows has a form,
and parsing web input back into a raw order dict for the engine to validate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

import game_engine
from game_engine.catalogue import CATALOGUE
from game_engine.orders import order_cost as engine_cost
from game_engine.orders import parse_order
from negotiation import engine_texts, labels

# The groups players use most come first and start open.
GROUP_ORDER = ("Offense", "Defense", "Transparency", "Treaties", "Sovereignty", "Verification", "Economy")
OPEN_GROUPS = ("Offense", "Defense")
# The section of docs/rules.md that explains each group's orders.
RULES_ANCHORS = {"Offense": "orders-offense", "Defense": "orders-defense", "Sovereignty": "orders-sovereignty",
                 "Transparency": "orders-transparency", "Verification": "orders-verification",
                 "Treaties": "orders-treaties", "Economic": "orders-treaties", "Economy": "orders-treaties"}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # number | checkbox | select | text | counts
    label: str
    required: bool
    min: int | None = None
    max: int | None = None
    options: tuple[tuple[str, str], ...] = ()
    counts: tuple[str, ...] = ()
    default: str = ""


@dataclass(frozen=True, slots=True)
class OrderForm:
    type: str
    label: str
    group: str
    help: str
    fields: tuple[Field, ...]
    anchor: str


@dataclass(frozen=True, slots=True)
class OrderGroup:
    name: str
    open: bool
    forms: tuple[OrderForm, ...] = field(default_factory=tuple)
    title: str = ""  # the group's name in the user's language
    rules_anchor: str = "orders"


def choice_label(code: Any) -> str:
    """A fixed choice of an order in words: a radar mode, a technology, an invitation (the order
    it accepts); a missile class is its own name."""
    raw = str(code or "")
    for wid in (f"word.mode.{raw}", f"word.tech.{raw}"):
        if wid in CATALOGUE:
            return engine_texts.word(wid)
    if any(s.type == raw for s in game_engine.ORDER_SPECS):
        return labels.order_type(raw)
    return raw


def _options(kind: str, view: game_engine.View, me: str | None, spec_choices: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if spec_choices:
        return tuple((c, choice_label(c)) for c in spec_choices)
    if kind == "missile_class":
        return tuple((c, c) for c in view.classes)
    if kind == "interceptor_type":
        return tuple((t, labels.interceptor_type(t).capitalize()) for t in view.interceptor_types)
    if kind == "state":
        return tuple((s.id, s.name) for s in view.states if s.id != me)
    if kind == "site":
        names = {s.id: s.name for s in view.states}
        seen: dict[str, str] = {}
        for s in view.states:
            for site in s.sites:
                seen.setdefault(site.id, f"{site.id} ({names.get(site.host, site.host)})")
        for own in view.me.sites if view.me is not None else ():
            seen.setdefault(own.id, f"{own.id} ({names.get(own.host, own.host)})")
        return tuple(sorted(seen.items()))
    if kind == "treaty":
        return tuple((t.id, f"{t.name} ({labels.treaty_status(t.status)})") for t in view.treaties)
    return ()


def _signable(view: game_engine.View, me: str | None) -> tuple[tuple[str, str], ...]:
    """The treaty texts the viewer's state may sign, by terms hash: the drafts it is party to, and
    the treaties in force it belongs to (signing one again renews it where it expires)."""
    out: list[tuple[str, str]] = []
    for t in view.treaties:
        if me is None or me not in t.parties or not t.terms_hash:
            continue
        expires = t.terms.get("expires_turn")
        if t.status == "draft":
            out.append((t.terms_hash, gettext("%(name)s (draft)") % {"name": t.name}))
        elif t.status == "in_force" and isinstance(expires, int) and not isinstance(expires, bool):
            out.append((t.terms_hash, gettext("%(name)s (in force until the end of turn %(turn)s: sign again to renew)")
                        % {"name": t.name, "turn": expires}))
        elif t.status == "in_force":
            out.append((t.terms_hash, gettext("%(name)s (in force)") % {"name": t.name}))
    return tuple(out)


def order_groups(view: game_engine.View, me: str | None) -> tuple[OrderGroup, ...]:
    """Every order type as a form, grouped, with choices filled from what this viewer may know."""
    by_group: dict[str, list[OrderForm]] = {}
    for spec in game_engine.ORDER_SPECS:
        fields = []
        for p in spec.params:
            if p.kind == "bool":
                fields.append(Field(p.name, "checkbox", gettext(p.label), False))
            elif p.kind == "int":
                fields.append(Field(p.name, "number", gettext(p.label), p.required, p.min, p.max,
                                    default=str(p.min) if p.required and p.min is not None and p.min > 0 else ""))
            elif p.kind == "counts":
                fields.append(Field(p.name, "counts", gettext(p.label), p.required,
                                    counts=view.classes))
            elif p.name == "terms_hash":  # a treaty text is chosen by its name, never typed as a hash
                fields.append(Field(p.name, "select", gettext("Treaty"), p.required,
                                    options=_signable(view, me)))
            elif p.kind == "text" and not p.choices:
                fields.append(Field(p.name, "text", gettext(p.label), p.required))
            else:
                fields.append(Field(p.name, "select", gettext(p.label), p.required,
                                    options=_options(p.kind, view, me, p.choices)))
        by_group.setdefault(spec.group, []).append(OrderForm(
            type=spec.type, label=gettext(spec.label), group=spec.group, help=gettext(spec.help), fields=tuple(fields),
            anchor=spec.type.lower().replace("_", "-"),
        ))
    names = [g for g in GROUP_ORDER if g in by_group] + sorted(g for g in by_group if g not in GROUP_ORDER)
    return tuple(OrderGroup(name=g, open=g in OPEN_GROUPS, forms=tuple(by_group[g]), title=gettext(g),
                            rules_anchor=RULES_ANCHORS.get(g, "orders")) for g in names)


def raw_order(post: Mapping[str, Any]) -> dict[str, Any]:
    """The raw order dict for the engine from a posted order form (the engine validates it)."""
    kind = str(post.get("type", "")).strip().upper()
    spec = {s.type: s for s in game_engine.ORDER_SPECS}.get(kind)
    raw: dict[str, Any] = {"type": kind}
    if spec is None:
        return raw
    for p in spec.params:
        if p.kind == "bool":
            raw[p.name] = post.get(p.name) == "on"
        elif p.kind == "counts":
            prefix = f"{p.name}__"
            raw[p.name] = {
                str(key)[len(prefix):]: str(value).strip()
                for key, value in post.items()
                if str(key).startswith(prefix) and str(value).strip() != ""
            }
        elif p.name in post and str(post.get(p.name, "")).strip() != "":
            raw[p.name] = str(post.get(p.name, "")).strip()[:200]
    return raw


def describe(raw: Mapping[str, Any], treaty_names: Mapping[str, str] | None = None,
             names: Mapping[str, str] | None = None) -> str:
    """A plain-English line for an order (shown in the player's own order list); `treaty_names`
    (treaty id or terms hash -> name) names the treaty an order acts on, `names` the states."""
    kind = str(raw.get("type", "?"))
    qty = raw.get("qty")
    match kind:
        case "SIGN" if treaty_names and str(raw.get("terms_hash", "")) in treaty_names:
            return gettext("Sign %(treaty)s") % {"treaty": treaty_names[str(raw.get("terms_hash", ""))]}
        case "BUILD":
            if raw.get("covert"):
                return gettext("Build %(qty)s %(cls)s covertly") % {"qty": qty, "cls": raw.get("class")}
            return gettext("Build %(qty)s %(cls)s") % {"qty": qty, "cls": raw.get("class")}
        case "REDUCE":
            if raw.get("verified"):
                return gettext("Reduce %(cls)s by %(qty)s (verified)") % {"qty": qty, "cls": raw.get("class")}
            return gettext("Reduce %(cls)s by %(qty)s") % {"qty": qty, "cls": raw.get("class")}
        case "BUY_INTERCEPTORS":
            return gettext("Buy %(qty)s %(type)s interceptors") % {"qty": qty, "type": labels.interceptor_type(raw.get("itype"))}
        case "DEPLOY":
            return gettext("Deploy %(qty)s %(type)s interceptors at %(site)s") % {
                "qty": qty, "type": labels.interceptor_type(raw.get("itype")), "site": raw.get("site")}
        case "TEST":
            if raw.get("notify"):
                return gettext("Test a %(cls)s missile (notified)") % {"cls": raw.get("class")}
            return gettext("Test a %(cls)s missile (unannounced)") % {"cls": raw.get("class")}
        case "DECLARE":
            counts = raw.get("counts") or {}
            listed = ", ".join(f"{v} {k}" for k, v in counts.items()) if isinstance(counts, dict) else ""
            return gettext("Declare inventory: %(counts)s") % {"counts": listed or gettext("nothing")}
    spec = {s.type: s for s in game_engine.ORDER_SPECS}.get(kind)
    if spec is None:
        return kind.replace("_", " ").title()
    details = []
    for p in spec.params:
        value = raw.get(p.name)
        if value in (None, "", False, {}) or p.name in labels.HIDDEN_DETAILS:
            continue  # a terms hash is no title: the order's own words say what it signs
        label = gettext(p.label).lower()
        if p.kind == "state":
            value = (names or {}).get(str(value), value)
        elif p.kind == "treaty":
            value = (treaty_names or {}).get(str(value), value)
        elif p.choices:
            value = choice_label(value)
        details.append(label if value is True else f"{label} {value}")
    return gettext(spec.label) + (f" ({', '.join(details)})" if details else "")


def _number(value: object) -> float | None:
    """A numeric treaty term, or None when the treaty does not set it."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def treaty_warnings(view: game_engine.View, me: str, orders: list[Mapping[str, Any]]) -> dict[int, str]:
    """Orders that would break a treaty in force for `me` (a warning, never a block: cheating is a
    legal order). Keys are order indexes."""
    mine = view.me
    treaties = [t for t in view.treaties if t.status in ("in_force", "withdrawing") and me in t.parties]
    if not treaties or mine is None:
        return {}
    missiles = dict(mine.missiles)
    weights = {c: row.w for c, row in view.class_table.items()}
    interceptors = sum(mine.interceptors_store.values())
    interceptors += sum(n for site in mine.sites for n in site.interceptors.values())
    own_sites = {s.id: s for s in mine.sites}
    warnings: dict[int, str] = {}
    for index, order in enumerate(orders):
        kind = order.get("type")
        qty = int(order.get("qty") or 0) if str(order.get("qty", "0")).lstrip("-").isdigit() else 0
        cls = str(order.get("class", ""))
        if kind == "BUILD":
            missiles[cls] = int(missiles.get(cls, 0)) + qty
        elif kind == "REDUCE":
            missiles[cls] = max(0, int(missiles.get(cls, 0)) - qty)
        elif kind == "BUY_INTERCEPTORS":
            interceptors += qty
        for t in treaties:
            terms = t.terms
            name = t.name or gettext("a treaty")
            raw_caps = terms.get("caps")
            caps = {c: n for c, n in raw_caps.items() if isinstance(n, int)} if isinstance(raw_caps, dict) else {}
            banned = terms.get("classes")
            weighted_cap = _number(terms.get("weighted_cap"))
            max_interceptors = _number(terms.get("max_interceptors"))
            if kind == "BUILD" and cls in caps and missiles[cls] > caps[cls]:
                warnings[index] = gettext("Would exceed the cap of %(cap)s %(cls)s under %(name)s.") % {
                    "cap": caps[cls], "cls": cls, "name": name}
            elif kind == "BUILD" and isinstance(banned, list) and cls in banned:
                warnings[index] = gettext("%(cls)s is banned under %(name)s.") % {"cls": cls, "name": name}
            elif kind == "BUILD" and weighted_cap is not None and weights:
                total = sum(weights.get(c, 1.0) * int(n) for c, n in missiles.items())
                if total > weighted_cap:
                    warnings[index] = gettext("Would exceed the weighted cap of %(cap)s under %(name)s.") % {
                        "cap": terms["weighted_cap"], "name": name}
            elif kind == "BUY_INTERCEPTORS" and max_interceptors is not None and interceptors > max_interceptors:
                warnings[index] = gettext("Would exceed %(n)s interceptors under %(name)s.") % {
                    "n": terms["max_interceptors"], "name": name}
            elif kind == "DEPLOY" and terms.get("no_foreign_basing") and order.get("site") in own_sites \
                    and own_sites[order["site"]].host != me:
                warnings[index] = gettext("Foreign basing is ruled out by %(name)s.") % {"name": name}
            elif kind == "EXPORT" and t.template == "EXPORT_CONTROL":
                warnings[index] = gettext("Exports are controlled under %(name)s.") % {"name": name}
            elif kind == "TEST" and terms.get("notification") and not order.get("notify"):
                warnings[index] = gettext("Tests must be notified under %(name)s.") % {"name": name}
    return warnings


# --- The order composer: one form, the chosen type's fields, its cost and the budget left -------

# Which field of an order a refused rule points at: the quantity for budget and capacity limits,
# the class for a missing technology, the site for consent and ownership, the treaty for treaty rules.
_QUANTITY_CODES = frozenset({"E_BUDGET", "E_CAPACITY", "E_NEGATIVE", "E_SITE_CAPACITY", "E_QUOTA", "E_TOO_MANY_TESTS"})
_FIELD_BY_CODE = {"E_NO_TECH": ("missile_class",), "E_NO_CONSENT": ("site",), "E_NOT_OWNER": ("site",),
                  "E_NOT_PARTY": ("treaty",), "E_NOTICE": ("treaty", "site"), "E_UNKNOWN": ("site", "treaty", "state")}


@dataclass(frozen=True, slots=True)
class ComposerField:
    """One control of the composer, with what the player typed and the error beside it."""

    field: Field
    value: str = ""
    values: tuple[tuple[str, str], ...] = ()  # counts: (class, typed value)
    error: str = ""
    dom_id: str = ""


@dataclass(frozen=True, slots=True)
class Composer:
    type: str
    form: OrderForm | None
    groups: tuple[OrderGroup, ...]
    fields: tuple[ComposerField, ...]
    cost: int | None = None
    after: int | None = None  # the budget left once this order is added too
    error: str = ""  # an error that belongs to no single field (shown beside the type)
    error_field: str = ""  # the dom id of the control that takes the focus


def _form_for(groups: tuple[OrderGroup, ...], kind: str) -> OrderForm | None:
    for group in groups:
        for form in group.forms:
            if form.type == kind:
                return form
    return None


def composer(groups: tuple[OrderGroup, ...], kind: str = "", values: Mapping[str, Any] | None = None, *,
             error: str = "", error_param: str = "", cost: int | None = None,
             left: int | None = None) -> Composer:
    """The composer for order type `kind` (the first type when unknown), its controls filled with
    `values`; `error` goes beside the control of `error_param` ("" or "type": beside the type)."""
    values = values or {}
    form = _form_for(groups, kind.strip().upper()) or (groups[0].forms[0] if groups and groups[0].forms else None)
    if form is None:
        return Composer(type="", form=None, groups=groups, fields=(), error=error,
                        error_field="order-type" if error else "")
    fields: list[ComposerField] = []
    target = ""
    posted = bool(values)
    for f in form.fields:
        dom_id = f"order-{f.name}"
        field_error = error if error_param == f.name or error_param.startswith(f"{f.name}__") else ""
        if field_error:
            target = f"order-{error_param}" if f.kind == "counts" else dom_id
        if f.kind == "counts":
            typed = tuple((c, str(values.get(f"{f.name}__{c}", ""))) for c in f.counts)
            fields.append(ComposerField(f, values=typed, error=field_error, dom_id=dom_id))
        elif f.kind == "checkbox":
            fields.append(ComposerField(f, value="on" if values.get(f.name) == "on" else "", error=field_error, dom_id=dom_id))
        else:
            value = str(values.get(f.name, "")) if posted else f.default
            fields.append(ComposerField(f, value=value[:200], error=field_error, dom_id=dom_id))
    loose = error if error and not target else ""
    after = left - cost if left is not None and cost is not None else None
    return Composer(type=form.type, form=form, groups=groups, fields=tuple(fields), cost=cost, after=after, error=loose,
                    error_field=target or ("order-type" if loose else ""))


def composer_values(c: Composer) -> dict[str, str]:
    """The composer's values as a posted form would carry them (what its controls show now: a
    required choice shows its first option)."""
    values: dict[str, str] = {"type": c.type}
    for cf in c.fields:
        f = cf.field
        if f.kind == "counts":
            values.update({f"{f.name}__{cls}": v for cls, v in cf.values if v})
        elif f.kind == "checkbox":
            if cf.value:
                values[f.name] = "on"
        elif cf.value:
            values[f.name] = cf.value
        elif f.kind == "select" and f.required and f.options:
            values[f.name] = f.options[0][0]
    return values


def order_cost(state: game_engine.GameState, actor: str, raw: Mapping[str, Any]) -> int | None:
    """What an order costs by the engine's own cost table, or None while it is not a whole order."""

    try:
        return int(engine_cost(state, actor, parse_order(raw)))
    except (game_engine.OrderError, StopIteration, KeyError, ValueError, TypeError, AttributeError):
        return None


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    index: int
    text: str
    cost: int | None


@dataclass(frozen=True, slots=True)
class Plan:
    """The orders queued this turn with their costs, and the budget they leave."""

    budget: int
    orders: tuple[PlannedOrder, ...]

    @property
    def spent(self) -> int:
        return sum(o.cost or 0 for o in self.orders)

    @property
    def left(self) -> int:
        return self.budget - self.spent


def plan(state: game_engine.GameState, actor: str, budget: int, raws: Sequence[Mapping[str, Any]]) -> Plan:
    treaties, names = order_words(state, actor)
    return Plan(budget=int(budget), orders=tuple(
        PlannedOrder(i, describe(raw, treaties, names), order_cost(state, actor, raw)) for i, raw in enumerate(raws)))


def order_words(state: game_engine.GameState, actor: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """What an order line names, in the active language: treaties by id and terms hash (a draft
    only for its parties: ``actor`` None names public treaties only), and states by id."""
    texts = engine_texts.texts_for(state.scenario)
    treaties: dict[str, str] = {}
    for t in state.treaties:
        if t.status != "draft" or (actor is not None and actor in t.parties):
            name = texts.treaty_name(t.name)
            treaties[t.id] = name
            if t.terms_hash:
                treaties[t.terms_hash] = name
    return treaties, dict(texts.state_names)


def error_param(state: game_engine.GameState, actor: str, raws: Sequence[Mapping[str, Any]], raw: Mapping[str, Any]) -> str:
    """The name of the control a refused order points at ("type" when it is the order as a whole):
    the engine is asked again, read-only, for the reason's code and field."""
    kind = str(raw.get("type", "")).upper()
    spec = {s.type: s for s in game_engine.ORDER_SPECS}.get(kind)
    if spec is None:
        return "type"
    try:
        game_engine.validate_orders(state, actor, [*raws, dict(raw)])
    except game_engine.MalformedOrder as exc:
        path = str(getattr(exc, "path", "") or "")
        if exc.order_index is not None and exc.order_index != len(raws):
            return "type"
        return path.replace(".", "__", 1) if path else (spec.params[0].name if spec.params else "type")
    except game_engine.OrderError as exc:
        code = str(exc.code)
        if code in _QUANTITY_CODES:
            for p in spec.params:
                if p.kind == "int":
                    return str(p.name)
        for kind_wanted in _FIELD_BY_CODE.get(code, ()):
            for p in spec.params:
                if p.kind == kind_wanted:
                    return str(p.name)
        return str(spec.params[0].name) if spec.params else "type"
    return "type"
