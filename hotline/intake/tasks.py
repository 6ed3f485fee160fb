"""Celery tasks of the intake app: thin wrappers that reload by id (house style). The sweeps are
registered as periodic jobs here, at import (the intake app's AppConfig is not ours to extend;
this module is imported by `intake.models` through `notices`)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from hotline.core import periodic


@shared_task(name="intake.deliver_webhook")
def deliver_webhook(delivery_id: int) -> bool:
    from .webhooks import webhook_deliver

    return webhook_deliver(delivery_id)


@shared_task(name="intake.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    from .webhooks import webhook_deliver_due

    return webhook_deliver_due()


@shared_task(name="intake.send_requester_sms")
def send_requester_sms(message_id: int) -> bool:
    from .sms_notices import sms_send

    return sms_send(message_id)


@shared_task(name="intake.send_queued_sms")
def send_queued_sms() -> int:
    from .sms_notices import sms_send_queued

    return sms_send_queued()


periodic.register("intake.webhooks", "intake.deliver_due_webhooks", every=timedelta(seconds=30))
periodic.register("intake.sms", "intake.send_queued_sms", every=timedelta(seconds=30))
