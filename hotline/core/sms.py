"""Sending a short message (短信). One function, pluggable backends chosen by settings.SMS_BACKEND.

The default console backend writes the message to the log (and stdout) so `make run` needs no
gateway; production points SMS_BACKEND at a gateway adapter. Callers (requester notices, staff
alerts) log each message with its delivery state in their own records."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

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


class HttpGatewayBackend:
    """Posts `{"phone", "text", "sign"}` as JSON to settings.SMS_GATEWAY_URL with a bearer
    token (SMS_GATEWAY_TOKEN); a 2xx answer is success and its `id` (or `message_id`) is kept
    as the receipt. Most Chinese SMS platforms offer such an HTTP interface, or a small relay
    in front of their SDK does."""

    def send(self, *, phone: str, text: str) -> SmsResult:
        url = getattr(settings, "SMS_GATEWAY_URL", "")
        if not url:
            return SmsResult(ok=False, detail="SMS_GATEWAY_URL is not set")
        body = json.dumps(
            {"phone": phone, "text": text, "sign": getattr(settings, "SMS_GATEWAY_SIGN", "")},
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {getattr(settings, 'SMS_GATEWAY_TOKEN', '')}",
            },
        )
        timeout = getattr(settings, "SMS_GATEWAY_TIMEOUT", 5)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                raw = resp.read(4096)
        except urllib.error.HTTPError as e:
            return SmsResult(
                ok=False, detail=f"HTTP {e.code}: {e.read(200).decode(errors='replace')}"
            )
        except (urllib.error.URLError, OSError) as e:
            return SmsResult(ok=False, detail=str(getattr(e, "reason", e))[:500])
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        receipt = answer.get("id") or answer.get("message_id") if isinstance(answer, dict) else None
        return SmsResult(ok=True, detail=str(receipt or raw[:100].decode(errors="replace")))


class Backend(Protocol):
    def send(self, *, phone: str, text: str) -> SmsResult: ...


def get_backend() -> Backend:
    path = getattr(settings, "SMS_BACKEND", "hotline.core.sms.ConsoleBackend")
    return import_string(path)()


def send_sms(*, phone: str, text: str) -> SmsResult:
    """Send one message through the configured backend; never raises for a gateway failure."""
    try:
        return get_backend().send(phone=phone, text=text)
    except Exception as e:  # a gateway outage must not break the move that caused the message
        logger.exception("SMS to %s failed", phone)
        return SmsResult(ok=False, detail=str(e)[:500])
