"""Raw JSON orders in, typed orders out (B3 step 1): the only place an order is read from JSON.

:func:`parse_order` checks a raw order against its form spec (:mod:`game_engine.orders.specs`),
coerces what a web form sends (``"2"``, ``"on"``), fills the optional fields' defaults and builds
the order's dataclass. Anything that does not fit raises :class:`MalformedOrder` with the field's
path; whether a well-formed order is *allowed* is the checkers' business
(:mod:`game_engine.orders.checks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from game_engine.errors import MalformedOrder, RuleCode
from game_engine.messages import Param, msg
from game_engine.orders.specs import SPEC_BY_TYPE
from game_engine.orders.types import ORDER_CLASSES, Command, OrderBase, ParamValue, json_names
from game_engine.params import CLASS_ORDER, ITYPE_ORDER


def _coerce_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if s.lstrip("+-").isdigit() and len(s) <= 12:
            return int(s)
    return None


def _coerce_bool(v: object) -> bool | None:
    if isinstance(v, bool):
        return v
    if v is None or v == "":
        return False
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("true", "on", "yes", "1"):
            return True
        if s in ("false", "off", "no", "0"):
            return False
    return None


def _bad(
    id: str, path: str, code: RuleCode = RuleCode.E_BAD_PARAM, /, **params: Param
) -> MalformedOrder:
    return MalformedOrder(code, msg(id, **params), path=path)


def parse_order(raw: Mapping[str, object]) -> Command:
    """Schema-check one raw order dict and coerce its values; raises :class:`MalformedOrder`."""
    if not isinstance(raw, Mapping):
        raise _bad("rule.not_an_object", "")
    otype = raw.get("type")
    if not isinstance(otype, str) or not otype.strip():
        raise _bad("rule.no_type", "type")
    otype = otype.strip().upper()
    spec = SPEC_BY_TYPE.get(otype)
    if spec is None:
        raise _bad("rule.unknown_order_type", "type", RuleCode.E_UNKNOWN, raw=repr(otype))
    values: dict[str, ParamValue] = {}
    for ps in spec.params:
        path = ps.name
        v = raw.get(ps.name)
        missing = v is None or (isinstance(v, str) and v.strip() == "")
        if ps.kind == "bool":
            b = _coerce_bool(v)
            if b is None:
                raise _bad("rule.expected_bool", path, label=ps.label, raw=repr(v))
            values[ps.name] = b
            continue
        if missing:
            if ps.required:
                raise _bad("rule.required", path, label=spec.label, label2=ps.label)
            if ps.kind == "int":
                values[ps.name] = 0 if ps.min is None or ps.min <= 0 else ps.min
            elif ps.kind == "counts":
                values[ps.name] = ()
            else:
                values[ps.name] = ""
            continue
        if ps.kind == "int":
            n = _coerce_int(v)
            if n is None:
                raise _bad("rule.expected_int", path, label=ps.label, raw=repr(v))
            if ps.min is not None and n < ps.min:
                if n < 0:
                    raise _bad("rule.field_negative", path, RuleCode.E_NEGATIVE, label=ps.label)
                raise _bad("rule.at_least", path, label=ps.label, n=ps.min)
            if ps.max is not None and n > ps.max:
                raise _bad("rule.at_most", path, label=ps.label, n=ps.max)
            values[ps.name] = n
        elif ps.kind == "counts":
            if not isinstance(v, Mapping):
                raise _bad("rule.expected_counts", path, label=ps.label)
            items: list[tuple[str, int]] = []
            for k in sorted(str(x) for x in v):
                kpath = f"{path}.{k}"
                if k not in CLASS_ORDER:
                    raise _bad("rule.unknown_class", kpath, RuleCode.E_UNKNOWN, raw=repr(k))
                n = _coerce_int(v[k])
                if n is None:
                    raise _bad("rule.count_expected_int", kpath, cls=k, raw=repr(v[k]))
                if n < 0:
                    raise _bad("rule.declared_negative", kpath, RuleCode.E_NEGATIVE, cls=k)
                if n > 1_000_000:
                    raise _bad("rule.implausible", kpath, cls=k)
                items.append((k, n))
            values[ps.name] = tuple(items)
        else:
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                raise _bad("rule.expected_text", path, label=ps.label, raw=repr(v))
            s = str(v).strip()
            if len(s) > 500:
                raise _bad("rule.too_long", path, label=ps.label)
            if ps.kind == "missile_class":
                s = s.upper()
                if s not in CLASS_ORDER:
                    raise _bad("rule.unknown_class", path, RuleCode.E_UNKNOWN, raw=repr(s))
            elif ps.kind == "interceptor_type":
                s = s.upper()
                if s not in ITYPE_ORDER:
                    raise _bad("rule.unknown_itype", path, RuleCode.E_UNKNOWN, raw=repr(s))
            elif ps.choices and s not in ps.choices:
                alt = s.upper() if s.upper() in ps.choices else s.lower()
                if alt not in ps.choices:
                    raise _bad("rule.one_of", path, label=ps.label, raw=", ".join(ps.choices))
                s = alt
            values[ps.name] = s
    prio = _coerce_int(raw.get("priority", 0) if raw.get("priority") not in (None, "") else 0)
    if prio is None or not -1000 <= prio <= 1000:
        raise _bad("rule.priority", "priority")
    oid = raw.get("order_id", "")
    if not isinstance(oid, (str, int)) or isinstance(oid, bool):
        raise _bad("rule.order_id", "order_id")
    cls = ORDER_CLASSES[otype]
    # The spec has checked each value's kind and range; the dataclass declares the same fields.
    fields_: dict[str, Any] = {attr: values[key] for attr, key in json_names(cls)}
    return cls(**fields_, priority=prio, order_id=str(oid)[:80])


def order_to_json(order: OrderBase) -> dict[str, object]:
    """The raw dict form of an order (what the web form sends); inverse of order_from_json."""
    out: dict[str, object] = {"type": order.type}
    for k, v in order.params():
        out[k] = dict(v) if isinstance(v, tuple) else v
    if order.priority:
        out["priority"] = order.priority
    if order.order_id:
        out["order_id"] = order.order_id
    return out


def order_from_json(data: Mapping[str, object]) -> Command:
    """Typed order from its JSON form (schema-checked; raises MalformedOrder on garbage)."""
    return parse_order(data)
