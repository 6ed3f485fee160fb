from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REGISTERED = "registered", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("已退单")
    REPLIED = "replied", _("已答复")
    AWAITING_CALLBACK = "awaiting_callback", _("待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    INVALID = "invalid", _("无效")
    WITHDRAWN = "withdrawn", _("已撤回")


TERMINAL = frozenset(
    {Status.CLOSED, Status.MERGED, Status.TRANSFERRED_OUT, Status.INVALID, Status.WITHDRAWN}
)
OPEN = frozenset(set(Status) - TERMINAL)
# States in which a unit holds the order.
WITH_UNIT = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED, Status.REPLIED})


class Action(models.TextChoices):
    REGISTER = "register", _("受理")
    RESOLVE_AT_INTAKE = "resolve_at_intake", _("直接办结")
    DISPATCH = "dispatch", _("派单")
    REDISPATCH = "redispatch", _("下派")
    REASSIGN = "reassign", _("改派")
    ACKNOWLEDGE = "acknowledge", _("签收")
    RETURN = "return", _("退单")
    REJECT_RETURN = "reject_return", _("退单驳回")
    REPLY = "reply", _("答复")
    ASSIST_REPLY = "assist_reply", _("协办答复")
    ACCEPT_REPLY = "accept_reply", _("审核通过")
    SEND_BACK = "send_back", _("审核退回")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("同意延期")
    REJECT_EXTENSION = "reject_extension", _("驳回延期")
    # Written by the system when the order leaves the states where an extension is decided.
    LAPSE_EXTENSION = "lapse_extension", _("延期申请失效")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    CALLBACK = "callback", _("回访")
    CALLBACK_UNREACHABLE = "callback_unreachable", _("回访未接通")
    REDO = "redo", _("重办")
    CLOSE = "close", _("办结")
    MERGE = "merge", _("并单")
    TRANSFER_OUT = "transfer_out", _("转出")
    MARK_INVALID = "mark_invalid", _("作废")
    WITHDRAW = "withdraw", _("撤回")
    ADD_NOTE = "add_note", _("备注")
    ATTACH = "attach", _("上传附件")
    LINK = "link", _("关联工单")
    MASTER_CLOSED = "master_closed", _("主单办结")
    # The unit waits on the requester (补充材料、约定时间); where the city allows, the reply
    # clock stops until it resumes.
    PAUSE_CLOCK = "pause_clock", _("等待诉求人")
    RESUME_CLOCK = "resume_clock", _("恢复计时")
    # The lead unit reached the requester (Beijing's 响应率 counts the first contact of a round).
    CONTACT_REQUESTER = "contact_requester", _("联系诉求人")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信公众号")
    MINI_PROGRAM = "mini_program", _("小程序")
    APP = "app", _("政务App")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    MESSAGE_BOARD = "message_board", _("网络问政")
    OPEN311 = "open311", "Open311"
    PARTNER = "partner", _("兄弟热线")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSISTING = "assisting", _("协办")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY_SATISFIED = "fairly_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    VISIT = "visit", _("上门")


class TransferTarget(models.TextChoices):
    POLICE = "110", _("110 报警")
    FIRE = "119", _("119 消防")
    AMBULANCE = "120", _("120 急救")
    TRAFFIC = "122", _("122 交通事故")
    LEGAL = "legal", _("依法告知其他渠道（诉讼、仲裁、信访等）")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    # The order left the states where the request can be decided (replied, returned, closed…).
    LAPSED = "lapsed", _("已失效")
