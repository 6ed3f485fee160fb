"""The knowledge base over the API (mounted under /api/ by hotline.api): the list and its search,
an entry with its history, and every write. Same rules as the pages: reads through the scoped
selectors (an entry one may not see is a 404), writes through the services (a stale `version`
is a 409), errors in the API's one shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from hotline.accounts.api import ApiRequest
from hotline.accounts.models import Region, Unit, User
from hotline.catalog.models import Category, RequestType
from hotline.workorders.errors import InvalidInput

from . import selectors, services
from .models import ANSWER_MAX, BASIS_MAX, KEYWORDS_MAX, TITLE_MAX, Entry, Revision

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

router = Router(tags=["知识库"])

Ref = Annotated[int | str, Field(description="id 或编码")]


# ---- shapes ----------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    name: str
    full_name: str


class CodeName(Schema):
    id: int
    code: str
    name: str


class EntryOut(Schema):
    id: int
    title: str
    keywords: str
    answer: str
    basis: str
    category: CategoryOut | None
    request_type: CodeName | None
    region: CodeName | None
    unit: CodeName
    status: str
    status_label: str
    live: bool = Field(description="已发布且在有效期内：话务员可见")
    valid_until: date | None
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    published_at: datetime | None


class HitOut(Schema):
    score: float
    terms: list[str]


class EntryListItem(EntryOut):
    match: HitOut | None = Field(None, description="按关键词搜索时的相关度和匹配的词")


class EntryPage(Schema):
    items: list[EntryListItem]
    count: int
    next_cursor: str | None


class RevisionOut(Schema):
    version: int
    action: str
    action_label: str
    actor: str
    at: datetime
    note: str
    status: str
    title: str
    keywords: str
    answer: str
    basis: str
    category_id: int | None
    request_type_id: int | None
    region_id: int | None
    unit_id: int
    valid_until: date | None


class EntryDetail(EntryOut):
    uses: int = Field(description="据此直办的工单数")
    revisions: list[RevisionOut]


class EntryFiltersIn(Schema):
    q: str = Field("", max_length=100, description="来电人的问题或关键词（按相关度排序）")
    status: str = Field("", max_length=10, description="draft / pending / published / retired")
    category: int | None = Field(None, description="诉求分类 id（含下级）")
    request_type: int | None = Field(None, description="诉求类型 id")
    unit: int | None = Field(None, description="维护单位 id")
    term: str = Field("", max_length=10, description="expiring（30 天内到期）/ expired（已过期）")
    review: bool = Field(False, description="仅待我审核的条目（发布人）")
    mine: bool = Field(False, description="仅我维护的单位的条目")
    cursor: str | None = Field(
        None, max_length=20, description="下一页游标（上一页的 next_cursor）"
    )
    size: int = Field(20, ge=1, le=100)


class EntryIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    answer: str = Field(..., min_length=1, max_length=ANSWER_MAX)
    keywords: str = Field("", max_length=KEYWORDS_MAX)
    basis: str = Field("", max_length=BASIS_MAX)
    category: int | None = Field(None, description="诉求分类 id（最末一级）")
    request_type: Ref | None = None
    region: Ref | None = Field(None, description="适用区划 id 或行政区划代码；不填则全部适用")
    unit: Ref = Field(..., description="维护单位 id 或单位编码")
    valid_until: date | None = None
    status: Literal["draft", "pending", "published"] = "draft"
    note: str = Field("", max_length=services.NOTE_MAX)


class EntryPatch(Schema):
    """Only the fields given change; null clears category, request type, region and term."""

    version: int = Field(..., ge=1, description="客户端所见版本，过期则 409")
    note: str = Field("", max_length=services.NOTE_MAX)
    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    answer: str | None = Field(None, min_length=1, max_length=ANSWER_MAX)
    keywords: str | None = Field(None, max_length=KEYWORDS_MAX)
    basis: str | None = Field(None, max_length=BASIS_MAX)
    category: int | None = None
    request_type: Ref | None = None
    region: Ref | None = None
    unit: Ref | None = None
    valid_until: date | None = None


class MoveIn(Schema):
    version: int = Field(..., ge=1, description="客户端所见版本，过期则 409")
    note: str = Field("", max_length=services.NOTE_MAX, description="说明；退回、停用时必填")


# ---- translating ---------------------------------------------------------------------------


def _code_name(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    name = row.label if isinstance(row, RequestType) else row.name
    return {"id": row.pk, "code": row.code, "name": name}


def _entry(entry: Entry) -> dict[str, Any]:
    category = entry.category
    return {
        "id": entry.pk,
        "title": entry.title,
        "keywords": entry.keywords,
        "answer": entry.answer,
        "basis": entry.basis,
        "category": (
            {"id": category.pk, "name": category.name, "full_name": category.full_name}
            if category
            else None
        ),
        "request_type": _code_name(entry.request_type),
        "region": _code_name(entry.region),
        "unit": _code_name(entry.unit),
        "status": entry.status,
        "status_label": entry.get_status_display(),
        "live": entry.is_live(),
        "valid_until": entry.valid_until,
        "version": entry.version,
        "created_by": str(entry.created_by),
        "created_at": entry.created_at,
        "updated_by": str(entry.updated_by),
        "updated_at": entry.updated_at,
        "published_at": entry.published_at,
    }


def _revision(r: Revision) -> dict[str, Any]:
    return {
        "version": r.version,
        "action": r.action,
        "action_label": r.get_action_display(),
        "actor": str(r.actor),
        "at": r.at,
        "note": r.note,
        "status": r.status,
        "title": r.title,
        "keywords": r.keywords,
        "answer": r.answer,
        "basis": r.basis,
        "category_id": r.category_id,
        "request_type_id": r.request_type_id,
        "region_id": r.region_id,
        "unit_id": r.unit_id,
        "valid_until": r.valid_until,
    }


def _detail(user: User, entry: Entry) -> dict[str, Any]:
    entry = selectors.entry_for(user, entry.pk)
    return {
        **_entry(entry),
        "uses": entry.uses.count(),
        "revisions": [_revision(r) for r in selectors.entry_revisions(entry)],
    }


def _row(model: Any, ref: int | str, field: str, message: StrOrPromise) -> Any:
    """The row an id (or a code, where the model has one) names; a named error otherwise."""
    lookup = {"pk": ref} if isinstance(ref, int) else {"code": ref}
    found = model.objects.filter(**lookup).first()
    if found is None:
        raise InvalidInput(str(message).format(ref=ref), field=field)
    return found


# What each reference field names, and how a missing one is told.
REFS: dict[str, tuple[Any, StrOrPromise]] = {
    "category": (Category, gettext_lazy("诉求分类 {ref} 不存在")),
    "request_type": (RequestType, gettext_lazy("诉求类型 {ref} 不存在")),
    "region": (Region, gettext_lazy("区划 {ref} 不存在")),
    "unit": (Unit, gettext_lazy("单位 {ref} 不存在")),
}
# The fields an entry cannot do without, as a PATCH might try to clear them.
REQUIRED: dict[str, StrOrPromise] = {
    "title": gettext_lazy("问题"),
    "answer": gettext_lazy("答复口径"),
    "unit": gettext_lazy("维护单位"),
}


def _resolve(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for name, (model, message) in REFS.items():
        if out.get(name) is not None:
            out[name] = _row(model, out[name], name, message)
    return out


# ---- endpoints -----------------------------------------------------------------------------


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit():
        raise InvalidInput(_("翻页游标无效，请使用上一页返回的 next_cursor"), field="cursor")
    return int(cursor)


@router.get("/knowledge/entries", response=EntryPage, summary="知识条目列表与搜索")
def knowledge_entry_index(request: ApiRequest, filters: Query[EntryFiltersIn]) -> dict[str, Any]:
    f = filters.model_dump()
    start, size = _offset(f.pop("cursor")), f.pop("size")
    result = selectors.entry_list(user=request.auth, filters=selectors.EntryFilters(**f))
    count = result.entries.count()
    page = list(result.entries[start : start + size])
    items = []
    for e in page:
        hit = result.hits.get(e.pk)
        match = {"score": hit.score, "terms": list(hit.terms)} if hit else None
        items.append({**_entry(e), "match": match})
    more = start + size < count
    return {"items": items, "count": count, "next_cursor": str(start + size) if more else None}


@router.get("/knowledge/entries/{entry_id}", response=EntryDetail, summary="知识条目详情与修订记录")
def knowledge_entry_get(request: ApiRequest, entry_id: int) -> dict[str, Any]:
    return _detail(request.auth, selectors.entry_for(request.auth, entry_id))


@router.post("/knowledge/entries", response={201: EntryDetail}, summary="新建知识条目")
def knowledge_entry_post(request: ApiRequest, payload: EntryIn) -> Status:
    fields = _resolve(payload.model_dump())
    entry = services.knowledge_entry_create(actor=request.auth, **fields)
    return Status(201, _detail(request.auth, entry))


@router.patch("/knowledge/entries/{entry_id}", response=EntryDetail, summary="修改知识条目")
def knowledge_entry_patch(
    request: ApiRequest, entry_id: int, payload: EntryPatch
) -> dict[str, Any]:
    entry = selectors.entry_for(request.auth, entry_id)
    given = payload.model_dump(exclude_unset=True)
    version, note = given.pop("version"), given.pop("note", "")
    for name, label in REQUIRED.items():
        if name in given and given[name] is None:
            raise InvalidInput(_("{label}不能为空").format(label=label), field=name)
    changed = services.knowledge_entry_update(
        actor=request.auth, entry=entry, version=version, note=note, **_resolve(given)
    )
    return _detail(request.auth, changed)


MOVES = {
    "submit": services.knowledge_entry_submit,
    "publish": services.knowledge_entry_publish,
    "reject": services.knowledge_entry_reject,
    "retire": services.knowledge_entry_retire,
}


@router.post(
    "/knowledge/entries/{entry_id}/{move}",
    response=EntryDetail,
    summary="提交审核（submit）、发布（publish）、退回（reject）、停用（retire）",
)
def knowledge_entry_move(
    request: ApiRequest,
    entry_id: int,
    move: Literal["submit", "publish", "reject", "retire"],
    payload: MoveIn,
) -> dict[str, Any]:
    entry = selectors.entry_for(request.auth, entry_id)
    changed = MOVES[move](
        actor=request.auth, entry=entry, version=payload.version, note=payload.note
    )
    return _detail(request.auth, changed)
