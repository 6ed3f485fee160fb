"""Knowledge entries for the tests, built only through the services (as real ones are)."""

from __future__ import annotations

from typing import Any

from hotline.accounts.models import Unit, User
from hotline.catalog.models import Category, RequestType
from hotline.core.testing import Org
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry
from hotline.knowledge.services import knowledge_entry_create


def category(*names: str) -> Category:
    """A category of the default tree by its path of names ("城乡建设", "供水", "停水")."""
    node = None
    for name in names:
        node = Category.objects.get(name=name, parent=node)
    assert node is not None
    return node


def request_type(code: str) -> RequestType:
    return RequestType.objects.get(code=code)


def entry(
    org: Org,
    *,
    actor: User | None = None,
    unit: Unit | None = None,
    status: str = EntryStatus.PUBLISHED,
    **fields: Any,
) -> Entry:
    """An entry of the water utility, published by sue unless told otherwise."""
    values: dict[str, Any] = {
        "title": "停水什么时候恢复供水",
        "answer": "计划停水请关注自来水公司公告，抢修一般在 8 小时内恢复供水，可拨打 96116 查询。",
        "keywords": "停水 没水 来水",
    }
    values.update(fields)
    return knowledge_entry_create(
        actor=actor or org.sue, unit=unit or org.water, status=status, **values
    )


def water_stop(org: Org, **fields: Any) -> Entry:
    return entry(org, category=category("城乡建设", "供水", "停水"), **fields)
