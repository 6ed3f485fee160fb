"""The notification inbox (通知) and its unread badge in the navigation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hotline.accounts.models import User

from .selectors import notifications_for, unread_count, visible_orders
from .services import notification_mark_read

PAGE_SIZE = 50


def _label() -> SafeString:
    # The count is fetched by htmx after the page loads (and every minute), so the base
    # template and the nav registry stay unaware of it.
    return format_html(
        '{} <span class="sla-unread" hx-get="{}" hx-trigger="load, every 60s" '
        'hx-swap="innerHTML"></span>',
        gettext("通知"),
        reverse_lazy("sla_notifications_unread"),
    )


nav_label = lazy(_label, SafeString)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("show") != "all"
    rows = list(
        notifications_for(user, unread_only=unread_only).select_related("order")[:PAGE_SIZE]
    )
    orders = visible_orders(user, rows)
    return render(
        request,
        "sla/notifications.html",
        {
            "rows": [(n, orders.get(n.order_id or 0)) for n in rows],
            "unread_only": unread_only,
            "unread": unread_count(user),
        },
    )


@login_required
def unread(request: HttpRequest) -> HttpResponse:
    count = unread_count(_user(request))
    if not count:
        return HttpResponse("")
    return HttpResponse(
        format_html(
            '<span class="badge" title="{}" style="{}">{}</span>',
            gettext("未读通知"),
            # Inline: the badge shows on every page, where sla.css is not loaded.
            "display:inline-block;min-width:1.4em;padding:0 .35em;border-radius:1em;"
            "background:#c62828;color:#fff;font-size:.8em;text-align:center",
            count if count < 100 else "99+",
        )
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    if not notification_mark_read(user=_user(request), notification_id=pk):
        if not notifications_for(_user(request)).filter(pk=pk).exists():
            raise Http404
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return redirect("sla_notifications")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=_user(request))
    return redirect("sla_notifications")
