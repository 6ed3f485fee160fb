"""The knowledge base's pages: the list with its search, an entry with its history and uses,
the entry form, and the moves (submit, publish, send back, retire).

Reads go through `selectors` (an entry one may not see is a 404), writes through `services`;
every POST carries the version the user saw, so a stale page changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotline.accounts.models import User
from hotline.workorders.errors import InvalidInput, NotFound, WorkOrderError

from . import selectors, services
from .choices import EntryStatus
from .forms import EntryFilterForm, EntryForm
from .models import Entry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 20
EXCERPT = 120


class AuthedRequest(HttpRequest):
    user: User


def _reader(request: AuthedRequest) -> User:
    if not selectors.reads(request.user):
        raise PermissionDenied(_("只有热线和承办单位的工作人员可以查阅知识库"))
    return request.user


def _entry(user: User, pk: int) -> Entry:
    try:
        return selectors.entry_for(user, pk)
    except NotFound:
        raise Http404(_("知识条目不存在")) from None


# --- list -----------------------------------------------------------------------------------


def _page_number(raw: str | None) -> int:
    if not raw:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(_("页码应为正整数"), field="page")
    return int(raw)


@login_required
def entry_list(request: AuthedRequest) -> HttpResponse:
    user = _reader(request)
    scope = services.scope_of(user)
    tab = request.GET.get("tab", "")
    if tab not in ("review", "mine"):
        tab = ""
    form = EntryFilterForm(request.GET or None, writer=scope.writes)
    error, status, page, hits = "", 200, None, {}
    if not form.is_bound or form.is_valid():
        filters = form.filters(tab=tab) if form.is_bound else selectors.EntryFilters()
        try:
            result = selectors.entry_list(user=user, filters=filters)
            hits = result.hits
            paginator = Paginator(result.entries, PAGE_SIZE)
            try:
                page = paginator.page(_page_number(request.GET.get("page")))
            except EmptyPage:
                page = paginator.page(paginator.num_pages)
        except WorkOrderError as e:
            error, status = e.message, e.http_status
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(e, hits.get(e.pk)) for e in page.object_list] if page is not None else []
    context = {
        "form": form,
        "tab": tab,
        "scope": scope,
        "rows": rows,
        "page": page,
        "page_query": query.urlencode(),
        "error": error,
        "excerpt": EXCERPT,
        "pending_count": (
            selectors.entry_list(
                user=user, filters=selectors.EntryFilters(review=True)
            ).entries.count()
            if scope.is_publisher
            else 0
        ),
    }
    return render(request, "knowledge/list.html", context, status=status)


# --- one entry ------------------------------------------------------------------------------


def _moves(user: User, entry: Entry) -> dict[str, bool]:
    """Which buttons this user sees on this entry (the services check again)."""
    scope = services.scope_of(user)
    writes = scope.maintains(entry.unit)
    publishes = scope.publishes(entry.unit)
    return {
        "edit": writes,
        "submit": writes and entry.status == EntryStatus.DRAFT,
        "publish": publishes and entry.status != EntryStatus.PUBLISHED,
        "reject": publishes and entry.status == EntryStatus.PENDING,
        "retire": publishes and entry.status != EntryStatus.RETIRED,
    }


def _detail(
    request: AuthedRequest, entry: Entry, *, error: str = "", field: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    context = {
        "entry": entry,
        "revisions": list(selectors.entry_revisions(entry)),
        "uses": selectors.entry_uses(user, entry),
        "moves": _moves(user, entry),
        "error": error,
        "error_field": field,
        "posted": request.POST,
    }
    return render(request, "knowledge/detail.html", context, status=status)


@login_required
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _entry(_reader(request), pk))


MOVES: dict[str, tuple[Callable[..., Entry], StrOrPromise]] = {
    "submit": (services.knowledge_entry_submit, gettext_lazy("已提交审核")),
    "publish": (services.knowledge_entry_publish, gettext_lazy("已发布")),
    "reject": (services.knowledge_entry_reject, gettext_lazy("已退回")),
    "retire": (services.knowledge_entry_retire, gettext_lazy("已停用")),
}


def _version(raw: str | None) -> int:
    if not raw or not raw.isdigit():
        raise InvalidInput(_("缺少版本号，请刷新页面后重试"), field="version")
    return int(raw)


@login_required
@require_POST
def entry_move(request: AuthedRequest, pk: int, move: str) -> HttpResponse:
    entry = _entry(_reader(request), pk)
    if move not in MOVES:
        raise Http404(_("没有这项操作"))
    service, done = MOVES[move]
    try:
        service(
            actor=request.user,
            entry=entry,
            version=_version(request.POST.get("version")),
            note=request.POST.get("note", ""),
        )
    except WorkOrderError as e:
        entry.refresh_from_db()
        return _detail(request, entry, error=e.message, field=e.field or "", status=e.http_status)
    messages.success(request, str(done))
    return redirect("knowledge_detail", entry.pk)


# --- the entry form -------------------------------------------------------------------------


def _form_page(
    request: AuthedRequest, form: EntryForm, entry: Entry | None, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "entry": entry,
        # The version the user started from, kept through a refused save: a stale form stays
        # stale until reloaded, rather than silently overwriting the newer version.
        "version": request.POST.get("version") or (entry.version if entry else ""),
        "publisher": any(services.scope_of(request.user).publishes(u) for u in form.units),
    }
    return render(request, "knowledge/form.html", context, status=status)


def _show_error(form: EntryForm, e: WorkOrderError) -> None:
    if e.field in form.fields:
        form.add_error(e.field, e.message)
    else:
        form.add_error(None, e.message)


@login_required
def entry_create(request: AuthedRequest) -> HttpResponse:
    user = _reader(request)
    if not services.scope_of(user).writes:
        raise PermissionDenied(_("只有单位管理员和热线中心的督办员、系统管理员可以新建知识条目"))
    form = EntryForm(request.POST or None, user=user)
    if request.method != "POST":
        return _form_page(request, form, None)
    if not form.is_valid():
        return _form_page(request, form, None, status=400)
    wanted = request.POST.get("status") or EntryStatus.DRAFT
    try:
        entry = services.knowledge_entry_create(
            actor=user, status=wanted, note=form.cleaned_data["note"], **form.changes()
        )
    except WorkOrderError as e:
        _show_error(form, e)
        return _form_page(request, form, None, status=e.http_status)
    messages.success(
        request, _("已新建知识条目（{status}）").format(status=entry.get_status_display())
    )
    return redirect("knowledge_detail", entry.pk)


@login_required
def entry_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    entry = _entry(user, pk)
    if not services.scope_of(user).maintains(entry.unit):
        raise PermissionDenied(_("您无权修改该单位的知识条目"))
    if request.method != "POST":
        form = EntryForm(initial=EntryForm.initial_for(entry), user=user)
        return _form_page(request, form, entry)
    form = EntryForm(request.POST, user=user)
    if not form.is_valid():
        return _form_page(request, form, entry, status=400)
    try:
        changed = services.knowledge_entry_update(
            actor=user,
            entry=entry,
            version=_version(request.POST.get("version")),
            note=form.cleaned_data["note"],
            **form.changes(),
        )
    except WorkOrderError as e:
        _show_error(form, e)
        return _form_page(request, form, entry, status=e.http_status)
    note: Any = _("已保存（第 {version} 版）").format(version=changed.version)
    if changed.status == EntryStatus.PENDING and entry.status == EntryStatus.PUBLISHED:
        note = _("已保存（第 {version} 版），待热线中心审核后重新发布").format(
            version=changed.version
        )
    messages.success(request, note)
    return redirect("knowledge_detail", changed.pk)
