"""Notifications: the in-app inbox always, plus pluggable channels (SMS, e-mail) from
settings SLA["CHANNELS"]. Rows are written with the change that causes them; the channels are
called after commit so a slow gateway never holds a lock and a rolled-back change sends nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from hotline.accounts.choices import CENTRE_KINDS, UNIT_ROLES, Role
from hotline.accounts.models import Unit, User
from hotline.core.sms import send_sms
from hotline.workorders.models import WorkOrder

from .conf import sla_setting
from .models import Notification, NotificationDelivery

logger = logging.getLogger("hotline.sla")


class Channel(Protocol):
    name: str

    def deliver(self, notification: Notification) -> tuple[bool, str] | None:
        """Send; (ok, detail), or None when the recipient cannot be reached this way."""


class SmsChannel:
    """A short message to the recipient's mobile through hotline.core.sms (console by
    default; settings.SMS_BACKEND picks the gateway)."""

    name = "sms"

    def deliver(self, notification: Notification) -> tuple[bool, str] | None:
        phone = notification.recipient.phone
        if not phone:
            return None
        result = send_sms(phone=phone, text=f"【12345】{notification.title}")
        return result.ok, result.detail


class EmailChannel:
    """An e-mail through Django's mail (console backend by default; EMAIL_BACKEND=smtp works)."""

    name = "email"

    def deliver(self, notification: Notification) -> tuple[bool, str] | None:
        address = notification.recipient.email
        if not address:
            return None
        try:
            send_mail(notification.title, notification.body or notification.title, None, [address])
        except Exception as e:  # an SMTP outage must not break the scan
            logger.exception("e-mail to %s failed", address)
            return False, str(e)[:500]
        return True, "sent"


_BUILTIN: dict[str, type] = {"sms": SmsChannel, "email": EmailChannel}


def channels() -> list[Channel]:
    out: list[Channel] = []
    for name in sla_setting("CHANNELS"):
        cls = _BUILTIN.get(name) or import_string(name)
        out.append(cls())
    return out


def deliver(notifications: list[Notification]) -> None:
    """Push notifications through every configured channel, recording each attempt."""
    active = channels()
    if not active:
        return
    rows = []
    for notification in notifications:
        for channel in active:
            outcome = channel.deliver(notification)
            if outcome is not None:
                ok, detail = outcome
                rows.append(
                    NotificationDelivery(
                        notification=notification, channel=channel.name, ok=ok, detail=detail
                    )
                )
    NotificationDelivery.objects.bulk_create(rows)


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str = "",
    order: WorkOrder | None = None,
    at: datetime,
) -> list[Notification]:
    """Write one inbox row per recipient and deliver through the channels after commit."""
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, order=order, kind=kind, title=title, body=body, created_at=at
            )
            for user in dict.fromkeys(recipients)
        ]
    )
    if rows:
        transaction.on_commit(lambda: deliver(rows))
    return rows


def _active_users(q: Q) -> list[User]:
    return list(
        User.objects.filter(
            q, is_active=True, memberships__is_active=True, is_system=False
        ).distinct()
    )


def unit_staff(unit: Unit | None) -> list[User]:
    """The handlers and managers of a unit: who must act on its orders."""
    if unit is None:
        return []
    return _active_users(Q(memberships__unit=unit, memberships__role__in=UNIT_ROLES))


def hotline_staff(order: WorkOrder, role: str) -> list[User]:
    """Holders of a hotline role at a centre whose region covers the order."""
    path = order.region.path
    centres = [
        u.pk
        for u in Unit.objects.filter(kind__in=CENTRE_KINDS, is_active=True).select_related("region")
        if path.startswith(u.region.path)
    ]
    return _active_users(Q(memberships__unit__in=centres, memberships__role=role))


def administrators() -> list[User]:
    return _active_users(Q(memberships__role=Role.ADMIN)) + list(
        User.objects.filter(is_superuser=True, is_active=True, is_system=False)
    )
