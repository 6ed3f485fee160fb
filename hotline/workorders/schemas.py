"""The shapes of the work-order API: what comes in (typed, bounded) and what goes out.

Input limits come from settings.HOTLINE where the platform has one; the services check again,
so a caller that bypasses the API meets the same rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from hotline.core.conf import hotline_int

from .choices import Channel, ContactMethod, Rating, TransferTarget

TITLE_MAX = hotline_int("TITLE_MAX_LENGTH")
CONTENT_MAX = hotline_int("CONTENT_MAX_LENGTH")

# Digits with the separators people type; the service checks the number itself.
PHONE_PATTERN = r"^[0-9\s()（）+-]*$"
ID_NUMBER_PATTERN = r"^(\d{17}[\dXx])?$"
UnitRef = Annotated[int | str, Field(description="单位 id 或单位编码")]


class RegisterIn(Schema):
    channel: Channel
    request_type: str = Field(..., min_length=1, max_length=20, description="诉求类型编码")
    urgency: str = Field("normal", min_length=1, max_length=20, description="紧急程度编码")
    category: int | None = Field(None, description="诉求分类 id")
    region: str | None = Field(None, max_length=12, description="行政区划代码")
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    content: str = Field(..., min_length=1, max_length=CONTENT_MAX)
    address: str = Field("", max_length=200)
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field("", max_length=30, pattern=PHONE_PATTERN)
    requester_id_number: str = Field("", max_length=18, pattern=ID_NUMBER_PATTERN)
    is_anonymous: bool = False
    is_confidential: bool = False
    attributes: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="分类的附加信息项：{编码: 值}，多选为列表；必填项须给出（见 Open311 services/{service_code}）",
    )


class ActionIn(Schema):
    """Parameters of a move; which ones a move needs is the transition's business."""

    note: str = Field("", max_length=CONTENT_MAX)
    expected_version: int | None = Field(None, ge=1, description="客户端所见版本，过期则 409")
    lead_unit: UnitRef | None = None
    assisting_units: list[UnitRef] | None = None
    legal_basis: str | None = Field(None, max_length=500)
    days: int | None = Field(None, description="延期工作日")
    level: int | None = Field(
        None, description="督办级别，1 起（上限见 HOTLINE_SUPERVISION_LEVELS）"
    )
    rating: Rating | None = None
    solved: bool | None = None
    master: str | None = Field(None, max_length=20, description="主单编号（并单）")
    target: TransferTarget | None = None
    other: str | None = Field(None, max_length=20, description="关联工单编号")
    method: ContactMethod | None = Field(None, description="联系诉求人的方式")
    contacted_at: datetime | None = Field(None, description="联系时间（默认为提交时）")


class ListFilters(Schema):
    status: str | None = Field(None, max_length=300, description="状态，逗号分隔")
    request_type: str | None = Field(None, max_length=20)
    category: int | None = Field(None, description="诉求分类 id（含下级）")
    unit: int | None = Field(None, description="当前主办单位 id")
    unit_subtree: bool = Field(False, description="主办单位含下级单位")
    region: int | None = Field(None, description="区划 id（含下级）")
    channel: str | None = Field(None, max_length=20)
    urgency: str | None = Field(None, max_length=20)
    created_from: date | None = None
    created_to: date | None = None
    time_status: str | None = Field(
        None, max_length=10, description="时限状态：normal / warning / overdue"
    )
    overdue: bool = Field(False, description="仅超期（同 time_status=overdue）")
    phone: str | None = Field(None, max_length=30)
    q: str | None = Field(None, max_length=100, description="工单编号或标题关键词")
    open_only: bool = False
    sort: str = "-created_at"
    cursor: str | None = Field(None, max_length=200)
    size: int = Field(50, ge=1, le=500)


class RevealIn(Schema):
    reason: str = Field("", max_length=200)


class CodeName(Schema):
    code: str
    name: str


class UnitBrief(Schema):
    id: int
    code: str
    name: str


class CategoryBrief(Schema):
    id: int
    name: str
    full_name: str


class Requester(Schema):
    name: str
    phone: str
    is_anonymous: bool
    is_confidential: bool


class RequesterDetail(Requester):
    id_number: str
    phone_masked: bool


class OrderListItem(Schema):
    number: str
    status: str
    status_label: str
    version: int
    channel: str
    request_type: CodeName
    urgency: CodeName
    category: CategoryBrief | None
    region: CodeName
    title: str
    lead_unit: UnitBrief | None
    requester: Requester
    created_at: datetime
    updated_at: datetime


class OrderPage(Schema):
    items: list[OrderListItem]
    next_cursor: str | None


class AssignmentOut(Schema):
    unit: UnitBrief
    role: str
    role_label: str
    dispatched_by: UnitBrief
    dispatched_at: datetime
    acknowledged_at: datetime | None
    replied_at: datetime | None
    reply: str
    returned_at: datetime | None


class ExtensionOut(Schema):
    id: int
    unit: UnitBrief
    days: int
    reason: str
    requested_by: str
    requested_at: datetime


class LinkOut(Schema):
    number: str
    title: str
    status: str
    note: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_by: str
    created_at: datetime
    url: str


class OrderDetail(OrderListItem):
    channel_label: str
    content: str
    address: str
    requester: RequesterDetail
    centre: UnitBrief
    master: str | None
    registered_by: str
    dispatched_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    return_count: int
    redo_count: int
    urge_count: int
    supervision_level: int
    callback_attempts: int
    rating: str
    solved: bool | None
    transfer_target: str
    assignments: list[AssignmentOut]
    pending_extension: ExtensionOut | None
    links: list[LinkOut]
    merged_orders: list[LinkOut]
    attachments: list[AttachmentOut]
    allowed_actions: list[str] = Field(..., description="当前用户此刻可执行的操作")


class EventOut(Schema):
    seq: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str
    actor_unit: UnitBrief | None
    unit: UnitBrief | None
    note: str
    payload: dict[str, Any]
    created_at: datetime


class ActionOut(Schema):
    event: EventOut
    status: str
    status_label: str
    version: int


class RevealOut(Schema):
    number: str
    phone: str
    id_number: str


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None
