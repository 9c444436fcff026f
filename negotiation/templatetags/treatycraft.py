from __future__ import annotations

from typing import Any

from django import template

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
