"""How a requester is shown to one user — the one rule the pages and the API share.

Units never see a confidential requester; lists always mask the number; in the detail only the
roles that call people (PHONE_ROLES) see it in full; the ID number stays masked until revealed
(and every reveal is logged by `services.workorder_reveal_phone`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import PHONE_ROLES
from hotline.accounts.models import User
from hotline.core.masking import mask_id_number, mask_phone

from .models import WorkOrder

CONFIDENTIAL = _("保密")
ANONYMOUS = _("匿名")


@dataclass(frozen=True)
class RequesterView:
    name: str
    phone: str
    id_number: str = ""
    # Confidential and the user is not hotline staff: nothing is shown or revealable.
    hidden: bool = False
    # Something is masked that a reveal would show.
    masked: bool = False


def sees_requester(user: User) -> bool:
    """Hotline staff see who asked; units never see a confidential requester."""
    return user.is_superuser or user.is_system or user.is_hotline_staff


def requester_view(
    user: User, order: WorkOrder, *, detail: bool, revealed: bool = False
) -> RequesterView:
    if order.is_confidential and not sees_requester(user):
        # str() fixes the wording in the language of this request.
        hidden = str(CONFIDENTIAL)
        return RequesterView(name=hidden, phone=hidden, id_number=hidden, hidden=True)
    name = str(ANONYMOUS) if order.is_anonymous else order.requester_name
    phone, id_number = order.requester_phone, order.requester_id_number
    full_phone = revealed or (detail and user.has_role(*PHONE_ROLES))
    shown_phone = phone if full_phone else mask_phone(phone)
    shown_id = id_number if revealed else mask_id_number(id_number)
    if not detail:
        shown_id = ""
    masked = (bool(phone) and shown_phone != phone) or (detail and shown_id != id_number)
    return RequesterView(name=name, phone=shown_phone, id_number=shown_id, masked=masked)
