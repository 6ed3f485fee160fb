"""API authentication (bearer tokens for systems, the session for the browser), token issue,
the caller's own profile, and the organisation tree as reference data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from .models import ApiToken, Region, Unit, User

# last_used_at is written at most this often per token, so a busy integration does not turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# The largest id a database integer column holds: a bigger one is bad input (422), not a
# database error (SQLite raises OverflowError on it).
MAX_ID = 2**63 - 1


class ApiRequest(HttpRequest):
    """A request that passed AUTH: `auth` is the user, whichever way they signed in."""

    auth: User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`: an unrevoked token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or row.last_used_at < now - LAST_USED_RESOLUTION:
            # Conditional update: of several concurrent requests only one writes.
            ApiToken.objects.filter(pk=row.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        request.user = row.user
        return row.user


class BrowserSessionAuth(SessionAuth):
    """Django's session login, with CSRF checked on unsafe methods.

    The CSRF check runs only when a session cookie is present: a system calling with a wrong
    or revoked bearer token has no session, and must get 401, not a CSRF 403."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return super().authenticate(request, key)


# Every endpoint takes either; only token creation takes neither.
AUTH = [TokenAuth(), BrowserSessionAuth()]

router = Router(tags=["账号与组织"])


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=128)
    name: str = Field("API", min_length=1, max_length=100, description="用途，如“110 对接”")


class TokenOut(Schema):
    key: str = Field(..., description="令牌明文，仅此一次显示，请妥善保存")
    prefix: str
    name: str
    created_at: datetime


class UnitRef(Schema):
    id: int
    code: str
    name: str


class MembershipOut(Schema):
    unit: UnitRef
    unit_kind: str
    role: str
    role_label: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    is_superuser: bool
    roles: list[str]
    units: list[MembershipOut]


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent: int | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent: int | None
    region: str = Field(..., description="区划代码")
    is_active: bool


@router.post("/auth/tokens", auth=None, response={201: TokenOut}, summary="用账号密码申请 API 令牌")
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    user = auth.authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise AuthenticationError(message=_("用户名或密码错误"))
    token, key = ApiToken.issue(user=user, name=payload.name)
    out = {"key": key, "prefix": token.prefix, "name": token.name, "created_at": token.created_at}
    return Status(201, out)


@router.get("/me", response=MeOut, summary="当前用户、角色与所属单位")
def me(request: ApiRequest) -> dict[str, Any]:
    user = request.auth
    memberships = user.active_memberships()
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": str(user),
        "is_superuser": user.is_superuser,
        "roles": sorted(user.roles()),
        "units": [
            {
                "unit": m.unit,
                "unit_kind": m.unit.kind,
                "role": m.role,
                "role_label": m.get_role_display(),
            }
            for m in memberships
        ],
    }


class TreeFilters(Schema):
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="只列出该节点的直接下级")
    q: str | None = Field(None, max_length=50, description="名称或编码包含")


@router.get("/regions", response=list[RegionOut], summary="行政区划")
def region_list(request: HttpRequest, filters: Query[TreeFilters]) -> list[dict[str, Any]]:
    qs = Region.objects.all()
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return [
        {"id": r.pk, "code": r.code, "name": r.name, "level": r.level, "parent": r.parent_id}
        for r in qs
    ]


@router.get("/units", response=list[UnitOut], summary="承办单位（树）")
def unit_list(request: HttpRequest, filters: Query[TreeFilters]) -> list[dict[str, Any]]:
    qs = Unit.objects.select_related("region")
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind,
            "kind_label": u.get_kind_display(),
            "parent": u.parent_id,
            "region": u.region.code,
            "is_active": u.is_active,
        }
        for u in qs
    ]
