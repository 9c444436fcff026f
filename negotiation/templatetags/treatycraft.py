from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """mapping[key] in a template, or None (for dicts keyed by variables)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def get_item_int(mapping: Any, key: int) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


# The order composer's body, rendered once per composer, game and language (issue #17, fourth
# pass). A Composer is frozen and hashable, and holds everything the body shows (order types,
# fields, typed values, errors, cost and budget left); the body is rendered from the composer and
# the game's id alone, so the key cannot miss a part of what it shows.
_COMPOSERS: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_COMPOSERS_LOCK = threading.Lock()
COMPOSERS_CACHE_SIZE = 1024


@register.simple_tag(takes_context=True)
def composer_body(context: template.Context) -> SafeString:
    """``{% include "negotiation/_private.html#composer-body" %}`` with the context's composer (a
    Composer, or a callable building it), reused while the composer and the language are the same."""
    composer = context.get("composer")
    if callable(composer):
        composer = composer()
    game_pk = context["game"].pk
    key = (get_language(), game_pk, composer)
    with _COMPOSERS_LOCK:
        html = _COMPOSERS.get(key)
        if html is not None:
            _COMPOSERS.move_to_end(key)
            return html
    html = mark_safe(render_to_string("negotiation/_private.html#composer-body",  # noqa: S308
                                      {"composer": composer, "game": {"pk": game_pk}}))
    with _COMPOSERS_LOCK:
        _COMPOSERS[key] = html
        while len(_COMPOSERS) > COMPOSERS_CACHE_SIZE:
            _COMPOSERS.popitem(last=False)
    return html
