"""Sending a short message (短信). One function, pluggable backends chosen by settings.SMS_BACKEND.

The default console backend writes the message to the log (and stdout) so `make run` needs no
gateway; production points SMS_BACKEND at a gateway adapter. Callers (requester notices, staff
alerts) log each message with its delivery state in their own records."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("hotline.sms")


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    # The gateway's message id, or an error description when not ok.
    detail: str = ""


class ConsoleBackend:
    """Prints the message; always succeeds. The embedded default."""

    def send(self, *, phone: str, text: str) -> SmsResult:
        logger.info("SMS to %s: %s", phone, text)
        print(f"[SMS] {phone}: {text}")
        return SmsResult(ok=True, detail="console")


def get_backend() -> ConsoleBackend:
    path = getattr(settings, "SMS_BACKEND", "hotline.core.sms.ConsoleBackend")
    return import_string(path)()


def send_sms(*, phone: str, text: str) -> SmsResult:
    """Send one message through the configured backend; never raises for a gateway failure."""
    try:
        return get_backend().send(phone=phone, text=text)
    except Exception as e:  # a gateway outage must not break the move that caused the message
        logger.exception("SMS to %s failed", phone)
        return SmsResult(ok=False, detail=str(e)[:500])
