from django.db import models


class Status(models.TextChoices):
    REGISTERED = "registered", "已受理"
    DISPATCHED = "dispatched", "已派单"
    IN_PROGRESS = "in_progress", "办理中"
    RETURNED = "returned", "已退单"
    REPLIED = "replied", "已答复"
    AWAITING_CALLBACK = "awaiting_callback", "待回访"
    CLOSED = "closed", "已办结"
    MERGED = "merged", "已并单"
    TRANSFERRED_OUT = "transferred_out", "已转出"
    INVALID = "invalid", "无效"
    WITHDRAWN = "withdrawn", "已撤回"


TERMINAL = frozenset(
    {Status.CLOSED, Status.MERGED, Status.TRANSFERRED_OUT, Status.INVALID, Status.WITHDRAWN}
)
OPEN = frozenset(set(Status) - TERMINAL)
# States in which a unit holds the order.
WITH_UNIT = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED, Status.REPLIED})


class Action(models.TextChoices):
    REGISTER = "register", "受理"
    RESOLVE_AT_INTAKE = "resolve_at_intake", "直接办结"
    DISPATCH = "dispatch", "派单"
    REDISPATCH = "redispatch", "下派"
    REASSIGN = "reassign", "改派"
    ACKNOWLEDGE = "acknowledge", "签收"
    RETURN = "return", "退单"
    REJECT_RETURN = "reject_return", "退单驳回"
    REPLY = "reply", "答复"
    ASSIST_REPLY = "assist_reply", "协办答复"
    ACCEPT_REPLY = "accept_reply", "审核通过"
    SEND_BACK = "send_back", "审核退回"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    APPROVE_EXTENSION = "approve_extension", "同意延期"
    REJECT_EXTENSION = "reject_extension", "驳回延期"
    URGE = "urge", "催办"
    SUPERVISE = "supervise", "督办"
    CALLBACK = "callback", "回访"
    CALLBACK_UNREACHABLE = "callback_unreachable", "回访未接通"
    REDO = "redo", "重办"
    CLOSE = "close", "办结"
    MERGE = "merge", "并单"
    TRANSFER_OUT = "transfer_out", "转出"
    MARK_INVALID = "mark_invalid", "作废"
    WITHDRAW = "withdraw", "撤回"
    ADD_NOTE = "add_note", "备注"
    ATTACH = "attach", "上传附件"
    LINK = "link", "关联工单"
    MASTER_CLOSED = "master_closed", "主单办结"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    WECHAT = "wechat", "微信公众号"
    MINI_PROGRAM = "mini_program", "小程序"
    APP = "app", "政务App"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    MESSAGE_BOARD = "message_board", "网络问政"
    OPEN311 = "open311", "Open311"
    PARTNER = "partner", "兄弟热线"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSISTING = "assisting", "协办"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIRLY_SATISFIED = "fairly_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class TransferTarget(models.TextChoices):
    POLICE = "110", "110 报警"
    FIRE = "119", "119 消防"
    AMBULANCE = "120", "120 急救"
    TRAFFIC = "122", "122 交通事故"
    LEGAL = "legal", "依法告知其他渠道（诉讼、仲裁、信访等）"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已驳回"
