"""Pages of figures. Every figure is computed over the viewer's own scope (`visible_to`), so a
unit manager sees the figures of the orders sent to the unit's subtree and nothing else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from hotline.accounts.choices import HOTLINE_ROLES, Role, UnitKind
from hotline.accounts.models import Region, User
from hotline.workorders.models import WorkOrder

from .dashboard import dashboard_data
from .forms import KpiFilterForm
from .kpis import KPIS, Figure, Kpi, kpi_table

# Who reads figures: the hotline's staff and the managers of units.
READERS = frozenset(HOTLINE_ROLES | {Role.UNIT_MANAGER})
# Call, quality-inspection and knowledge-base figures belong to the hotline centre (a unit never
# sees the orders answered at intake, and the entries' count is not one of its orders' figures);
# units are judged on orders.
TELEPHONY = (
    "answer_rate",
    "answer_within",
    "abandonment",
    "average_wait",
    "average_talk",
    "quality_pass",
    "knowledge_entries",
    "knowledge_direct_share",
)


def kpi_codes_for(user: User) -> list[str]:
    codes = list(KPIS)
    if not (user.roles() & HOTLINE_ROLES or user.is_superuser):
        codes = [c for c in codes if c not in TELEPHONY]
    return codes


def require_platform_reader(user: User, message: str) -> User:
    """Reports and the assessment cover every order of the platform, so only hotline staff of a
    top-level centre (not a sub-centre, which sees its own region only) read them."""
    if user.is_superuser or any(
        m.role in HOTLINE_ROLES and m.unit.kind == UnitKind.CENTRE
        for m in user.active_memberships()
    ):
        return user
    raise PermissionDenied(message)


def require_reader(user: User) -> None:
    if not (user.is_superuser or user.roles() & READERS):
        raise PermissionDenied(gettext("只有热线工作人员和单位管理员可以查看统计指标"))


def display(kpi: Kpi, figure: Figure) -> str:
    """The figure as people read it: 95.90 %, 16.3 秒, 85.7 件/日, 1 234."""
    value = figure.value
    if value is None:
        return "—"
    if kpi.kind == "ratio":
        return f"{value * 100:.2f} %"
    if kpi.kind == "seconds":
        return gettext("{value} 秒").format(value=f"{value:.1f}")
    if kpi.kind == "per_day":
        return gettext("{value} 件/日").format(value=f"{value:.1f}")
    return f"{value:,.0f}"


def _number(n: Decimal | None) -> str:
    if n is None:
        return ""
    return f"{n:,.0f}" if n == n.to_integral_value() else f"{n:,.2f}"


@login_required
def kpi_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_reader(user)
    form = KpiFilterForm(request.GET or KpiFilterForm.month_to_date())
    rows: list[dict[str, Any]] = []
    if form.is_valid():
        base = WorkOrder.objects.visible_to(user)
        for kpi, figure in kpi_table(form.filters(), base, kpi_codes_for(user)):
            rows.append(
                {
                    "kpi": kpi,
                    "value": display(kpi, figure),
                    "numerator": _number(figure.numerator),
                    "denominator": _number(figure.denominator),
                }
            )
    return render(request, "analytics/kpis.html", {"form": form, "rows": rows})


def _around(user: User, form: KpiFilterForm) -> Region:
    """The region whose parts the dashboard compares: the one asked for, else the viewer's."""
    region = form.cleaned_data.get("region")
    if region is not None:
        return region
    membership = next(iter(user.active_memberships()), None)
    if membership is not None:
        return membership.unit.region
    return Region.objects.filter(parent__isnull=True).order_by("pk").first() or Region()


def dashboard_context(user: User, data: Any) -> tuple[KpiFilterForm, dict[str, Any] | None]:
    form = KpiFilterForm(data or KpiFilterForm.month_to_date())
    if not form.is_valid():
        return form, None
    payload = dashboard_data(
        form.filters(),
        WorkOrder.objects.visible_to(user),
        around=_around(user, form),
        telephony=bool(user.is_superuser or user.roles() & HOTLINE_ROLES),
    )
    return form, payload


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_reader(user)
    form, payload = dashboard_context(user, request.GET)
    return render(
        request,
        "analytics/dashboard.html",
        {"form": form, "payload": payload, "query": request.GET.urlencode()},
    )


@login_required
def wall_page(request: HttpRequest) -> HttpResponse:
    """数据驾驶舱: full screen, refreshes itself from the dashboard API every minute."""
    user: User = request.user  # type: ignore[assignment]
    require_reader(user)
    form, payload = dashboard_context(user, request.GET)
    return render(
        request,
        "analytics/wall.html",
        {"form": form, "payload": payload, "query": request.GET.urlencode()},
    )
