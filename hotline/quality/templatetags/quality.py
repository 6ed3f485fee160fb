"""Tags of the scoring table: the key of an item's score field, what was posted in it, and a
result written the one way the pages and messages write it."""

from __future__ import annotations

from typing import Any

from django import template

from hotline.quality.services import item_key as _item_key
from hotline.quality.services import score_text as _score_text

register = template.Library()


@register.simple_tag
def item_key(item: Any) -> int:
    return _item_key(item)


@register.simple_tag
def posted(data: Any, prefix: str, key: int, default: Any) -> Any:
    """The value posted for this field (a refused form keeps what was typed), else `default`."""
    name = f"{prefix}{key}"
    if data and name in data:
        return data.get(name)
    return default


@register.filter
def score_text(result: Any) -> str:
    """An inspection or outcome's "score / max" (see services.score_text)."""
    return _score_text(result.score, result.max_score)
