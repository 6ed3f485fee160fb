"""Writes of the agent's intake desk: one call from the phone becomes one order, registered and,
when the agent decides so, resolved at once or merged into an open order in the same transaction.

Every change goes through `workorders.services`; this module only chains them atomically."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.workorders.choices import Action, Channel
from hotline.workorders.errors import InvalidInput, WorkOrderError
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_register, workorder_transition

# A title is optional on the phone: the start of the content stands in for it.
TITLE_FROM_CONTENT = 30


class Decision:
    """What the agent does with the call once it is taken down."""

    DISPATCH = "dispatch"  # 转派单: registered, goes to the dispatcher queue
    RESOLVE = "resolve"  # 直接办结: answered on the phone
    MERGE = "merge"  # 登记并并入: a repeat of an open order


def intake_title(title: str, content: str) -> str:
    """The title given, or the first characters of the content (on one line)."""
    title = (title or "").strip()
    if title:
        return title
    flat = " ".join((content or "").split())
    return flat[:TITLE_FROM_CONTENT] + ("…" if len(flat) > TITLE_FROM_CONTENT else "")


def _step(error: WorkOrderError) -> None:
    """Re-point a second-step error at the desk's own field: the transition calls the answer
    `note`; the desk shows it beside the answer box."""
    if error.field == "note":
        error.field = "answer"


def intake_register(
    *,
    actor: User,
    decision: str,
    answer: str = "",
    master: str = "",
    title: str = "",
    content: str = "",
    **fields: Any,
) -> WorkOrder:
    """受理 a phone call at the agent's desk.

    `decision` dispatch registers the order for the dispatcher; resolve registers it and
    resolves it at intake with `answer`; merge registers it and merges it into the open order
    numbered `master`. Both steps run in one transaction: if the second fails, nothing is
    written (no order, no event, no number used)."""
    if decision not in {Decision.DISPATCH, Decision.RESOLVE, Decision.MERGE}:
        raise InvalidInput(_("未知的处理方式「{decision}」").format(decision=decision))
    if not (content or "").strip():
        # Checked here, before the title is derived from it, so the agent is told what is
        # missing rather than that the (optional) title is empty.
        raise InvalidInput(_("请填写诉求内容"), field="content")
    answer = (answer or "").strip()
    if decision == Decision.RESOLVE and not answer:
        raise InvalidInput(_("直接办结须填写答复内容"), field="answer")
    if decision == Decision.MERGE and not master:
        raise InvalidInput(_("请选择要并入的主单"), field="master")
    with transaction.atomic():
        order = workorder_register(
            actor=actor,
            channel=Channel.PHONE,
            title=intake_title(title, content),
            content=content,
            **fields,
        )
        try:
            if decision == Decision.RESOLVE:
                workorder_transition(
                    order=order, action=Action.RESOLVE_AT_INTAKE, actor=actor, note=answer
                )
            elif decision == Decision.MERGE:
                workorder_transition(
                    order=order, action=Action.MERGE, actor=actor, master=master, note=answer
                )
        except WorkOrderError as e:
            _step(e)
            raise
    return order
