"""Reference data, read-only: request types, urgencies, the category tree, and the dispatch
catalogue's suggestion for a category and region."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from hotline.accounts.models import Region, Unit

from .models import Category, RequestType, Urgency
from .selectors import dispatch_rule_for

router = Router(tags=["基础数据"])


# The largest id a database integer column holds: a bigger one is bad input (422), not a
# database error (SQLite raises OverflowError on it).
MAX_ID = 2**63 - 1


class CodeNameOut(Schema):
    code: str
    name: str


class UrgencyOut(CodeNameOut):
    rank: int


class CategoryOut(Schema):
    id: int
    name: str
    code: str
    level: int
    parent: int | None
    full_name: str = Field(..., description="完整路径，如“城乡建设 / 市政管理 / 城管执法”")
    is_active: bool


class UnitBrief(Schema):
    id: int
    code: str
    name: str


class SuggestionOut(Schema):
    found: bool = Field(..., description="派单目录中是否有适用的规则")
    rule: int | None
    category: str | None = Field(None, description="规则所属分类（可能是上级分类）")
    region: str | None = Field(None, description="规则所属区划代码；空表示全部区划")
    lead_unit: UnitBrief | None
    assisting_units: list[UnitBrief]
    duties: str


class SuggestIn(Schema):
    category: int = Field(..., description="诉求分类 id")
    region: str | None = Field(None, max_length=12, description="行政区划代码")


class CategoryFilters(Schema):
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="只列出该分类的直接下级")
    level: int | None = Field(None, ge=1, le=3)
    active_only: bool = False


@router.get("/request-types", response=list[CodeNameOut], summary="诉求类型")
def request_type_list(request: HttpRequest) -> Any:
    return RequestType.objects.filter(is_active=True)


@router.get("/urgencies", response=list[UrgencyOut], summary="紧急程度")
def urgency_list(request: HttpRequest) -> Any:
    return Urgency.objects.all()


@router.get("/categories", response=list[CategoryOut], summary="诉求分类（三级）")
def category_list(request: HttpRequest, filters: Query[CategoryFilters]) -> list[dict[str, Any]]:
    qs = Category.objects.all()
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.active_only:
        qs = qs.filter(is_active=True)
    rows = list(qs)
    # Full paths from one query for all ancestors, not one query per row (Category.full_name).
    ancestor_ids = {i for c in rows for i in c.ancestor_ids()}
    names = dict(Category.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    return [
        {
            "id": c.pk,
            "name": c.name,
            "code": c.code,
            "level": c.level,
            "parent": c.parent_id,
            "full_name": " / ".join(names[i] for i in c.ancestor_ids() if i in names),
            "is_active": c.is_active,
        }
        for c in rows
    ]


def _bad_input(field: str, message: str) -> ValidationError:
    # The API root turns this into the common 400 shape; "message" is shown as it is.
    return ValidationError([{"loc": ("query", field), "type": "not_found", "message": message}])


def _unit(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


@router.get(
    "/dispatch-catalogue/suggest", response=SuggestionOut, summary="按派单目录建议主办、协办单位"
)
def dispatch_suggest(request: HttpRequest, query: Query[SuggestIn]) -> dict[str, Any]:
    category = Category.objects.filter(pk=query.category).first()
    if category is None:
        raise _bad_input(
            "category", _("诉求分类「{category}」不存在").format(category=query.category)
        )
    region = None
    if query.region:
        region = Region.objects.filter(code=query.region).first()
        if region is None:
            raise _bad_input("region", _("区划「{region}」不存在").format(region=query.region))
    rule = dispatch_rule_for(category=category, region=region)
    if rule is None:
        return {
            "found": False,
            "rule": None,
            "lead_unit": None,
            "assisting_units": [],
            "duties": "",
        }
    return {
        "found": True,
        "rule": rule.pk,
        "category": rule.category.full_name,
        "region": rule.region.code if rule.region else None,
        "lead_unit": _unit(rule.lead_unit),
        "assisting_units": [
            _unit(u) for u in rule.assisting_units.filter(is_active=True).order_by("path")
        ],
        "duties": rule.duties,
    }
