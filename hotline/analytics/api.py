"""The figures over the API: the same KPIs, filters and scope as the pages."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema

from hotline.accounts.api import ApiRequest
from hotline.workorders.errors import NotPermitted
from hotline.workorders.models import WorkOrder

from .forms import KpiFilterForm
from .kpis import kpi_table
from .views import READERS, dashboard_context, kpi_codes_for

router = Router(tags=["统计指标"])


class KpiOut(Schema):
    code: str
    name: str
    formula: str
    kind: str = Field(..., description="ratio（比率，0–1）、count、seconds 或 per_day")
    numerator: float
    denominator: float | None = Field(None, description="比率的分母；计数类指标为空")
    value: float | None = Field(None, description="分子 ÷ 分母；分母为 0 时为空")


@router.get(
    "/analytics/kpis",
    response=list[KpiOut],
    summary="统计指标（含分子、分母）",
    description="参数：start、end（YYYY-MM-DD，含首尾）、region（区划代码）、unit（单位代码）、"
    "unit_subtree（默认 true）、channel、request_type、category（分类 id）。",
)
def kpi_list(request: ApiRequest) -> list[dict[str, Any]]:
    user = request.auth
    if not (user.is_superuser or user.roles() & READERS):
        raise NotPermitted("只有热线工作人员和单位管理员可以查看统计指标")
    data = request.GET.copy()
    data.setdefault("unit_subtree", "true")
    if data.get("unit_subtree", "").lower() in ("false", "0", "no"):
        data.pop("unit_subtree")
    form = KpiFilterForm(data)
    if not form.is_valid():
        raise form.first_error()
    base = WorkOrder.objects.visible_to(user)
    return [
        {
            "code": kpi.code,
            "name": str(kpi.name),
            "formula": str(kpi.formula),
            "kind": kpi.kind,
            "numerator": float(fig.numerator),
            "denominator": None if fig.denominator is None else float(fig.denominator),
            "value": None if fig.value is None else float(fig.value),
        }
        for kpi, fig in kpi_table(form.filters(), base, kpi_codes_for(user))
    ]


@router.get(
    "/analytics/dashboard",
    url_name="analytics_dashboard",
    summary="数据看板数据（每个数据点附带对应的工单列表链接）",
    description="参数同 /analytics/kpis。数据驾驶舱每分钟从这里刷新。",
)
def dashboard(request: ApiRequest) -> dict[str, Any]:
    user = request.auth
    if not (user.is_superuser or user.roles() & READERS):
        raise NotPermitted("只有热线工作人员和单位管理员可以查看统计指标")
    form, payload = dashboard_context(user, request.GET or None)
    if payload is None:
        raise form.first_error()
    return payload
