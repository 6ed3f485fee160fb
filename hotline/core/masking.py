"""Masking of personal data shown to people who do not need it in full."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    if not phone:
        return ""
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * (len(phone) - 2) + phone[-2:]


def mask_name(name: str) -> str:
    """张三丰 → 张**; keeps the family name only."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:]
