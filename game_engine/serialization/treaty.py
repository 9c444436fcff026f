"""JSON codec of a :class:`~game_engine.state.Treaty`."""

from __future__ import annotations

from game_engine.errors import RuleCode, RuleViolation
from game_engine.jsontypes import JSONDict
from game_engine.serialization.reader import Fields, json_value
from game_engine.state import (
    Treaty,
)


def treaty_to_json(t: Treaty) -> JSONDict:
    return {
        "id": t.id,
        "template": t.template,
        "name": t.name,
        "parties": list(t.parties),
        "terms": json_value(t.terms),
        "terms_hash": t.terms_hash,
        "status": t.status,
        "entry_turn": t.entry_turn,
        "created_turn": t.created_turn,
        "withdrawing": dict(t.withdrawing),
        "withdrawn": list(t.withdrawn),
        "cs": dict(t.cs),
        "cs_true": dict(t.cs_true),
    }


def treaty_from_json(r: Fields, ids: tuple[str, ...]) -> Treaty:
    terms = json_value(r.obj("terms"))
    assert isinstance(terms, dict)
    wd = r.obj("withdrawing")
    withdrawing: dict[str, int] = {}
    for k in ids:
        if k in wd:
            v = wd[k]
            if not isinstance(v, int) or isinstance(v, bool):
                raise RuleViolation(
                    RuleCode.E_BAD_PARAM, f"invalid snapshot field {r.where}.withdrawing"
                )
            withdrawing[k] = v
    return Treaty(
        id=r.s("id"),
        template=r.s("template"),
        name=r.s("name"),
        parties=r.strs("parties"),
        terms={k: terms[k] for k in sorted(terms)},
        terms_hash=r.s("terms_hash"),
        status=r.s("status"),
        entry_turn=r.oi("entry_turn"),
        created_turn=r.i("created_turn"),
        withdrawing=withdrawing,
        withdrawn=r.strs("withdrawn"),
        cs=r.floats("cs", ids),
        cs_true=r.floats("cs_true", ids),
    )

