"""The demo's performance self-evaluation: the county's 12345 project for the demo year, its
budget and payment, the usual indicators filled from the demo's own figures, and report text in
the words such reports use (after ../shared/seeds, rewritten)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hotline.accounts.models import Unit
from hotline.evaluation.models import EvaluationProject, PaymentLine
from hotline.evaluation.services import (
    achievement_summary,
    evaluation_sheet,
    indicators_fill,
    indicators_from_template,
)
from hotline.workorders.models import WorkOrder

# Reasons for a shortfall, in the words the filed reports use (after ../shared/seeds), by the
# indicator's source figure.
SHORTFALL_REASONS = {
    "closure": "部分诉求涉及多个部门，协调时间较长，年末仍有工单在办理中。",
    "callback_rate": "部分诉求人多次回访未接通，匿名诉求无法回访。",
    "answer_rate": "话务高峰时段坐席不足，部分来电排队时放弃。",
    "on_time_reply": "部分复杂诉求需多部门会商或申请延期，超出办理时限。",
    "resolution": "部分诉求受政策和客观条件限制，暂时无法解决，已向诉求人解释。",
    "satisfaction": "部分问题没有彻底解决，个别诉求人对办理结果不认可。",
    "budget_spent": "年中追加平台运维内容，支出超出年初预算。",
}


def seed_evaluation(*, centre: Unit, year: int) -> EvaluationProject:
    """Create (once) the demo project of `year` and fill its indicators from the platform."""
    project, created = EvaluationProject.objects.get_or_create(
        name="12345 政务服务便民热线运行经费",
        year=year,
        unit=centre,
        defaults={
            "department": "子洲县行政审批服务局",
            "budget_initial": Decimal("49"),
            "budget_full_year": Decimal("49"),
            "executed": Decimal("48.8"),
            "goal": "整合各类政务服务热线，实现“一号响应”；工单按时办结率、群众满意率不低于 95%。",
            "achievement": "",  # written from the filled figures (_explain)
            "overview": "本项目保障县 12345 政务服务便民热线平台运行，包括话务坐席、平台运维和线路租用。",
            "funds": "年初预算 49 万元，全年执行 48.8 万元，按合同约定一次性支付运维服务单位。",
            "management": "项目单位制定了热线运行管理制度和工单办理考核办法，按月通报承办单位办理情况。",
            "problems": "部分诉求涉及多个部门，协调时间较长，个别工单答复不够具体。",
            "measures": "完善派单目录和联席会商机制，加强答复质量审核和回访。",
            "leader": "热线中心主任",
            "contact": "热线中心综合科",
            "contact_phone": "0912-12345",
            "evaluated_on": date(year + 1, 3, 10) if year < date.today().year else None,
        },
    )
    if created:
        PaymentLine.objects.create(
            project=project,
            paid_on=date(year, 9, 21),
            purpose="12345 热线平台运维服务",
            amount=Decimal("48.8"),
        )
        indicators_from_template(project, orders_target=15000)
        indicators_fill(project)
        _explain(project)
    return project


def _explain(project: EvaluationProject) -> None:
    """Write 实际完成情况 from the filled figures and a reason for each shortfall, as a filed
    report does, so the demo's prose never contradicts its own table."""
    sheet = evaluation_sheet(project)
    for row in sheet.rows:
        indicator = row.indicator
        if row.lost <= 0:
            continue
        if indicator.kpi == "orders_handled":
            first = (
                WorkOrder.objects.filter(created_at__year=project.year)
                .order_by("created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            since = f"{first:%Y年%m月%d日}" if first else f"{project.year}年"
            reason = f"演示数据自{since}起生成，未覆盖全年，受理量低于年度指标值。"
        else:
            reason = SHORTFALL_REASONS.get(indicator.kpi, "")
        if reason:
            indicator.reason = reason  # the table puts the figure and the points lost before it
            indicator.save(update_fields=["reason"])
    project.achievement = (
        "热线 7×24 小时运行，受理群众诉求分类派办、回访评价全程留痕。"
        + achievement_summary(evaluation_sheet(project))
    )
    project.save(update_fields=["achievement"])
