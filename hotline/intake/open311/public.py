"""What `GET requests` may publish about an order. The list is public (no key), platform-wide,
as the spec intends; so it carries no requester field at all, confidential orders never appear
(see views._public_orders), and what the requester wrote is not published unless the city
chooses `OPEN311_PUBLIC_DESCRIPTION = "scrubbed"`: then it is scrubbed of the personal data
people type into it (phone and ID numbers, and the requester's own name).

Where the matter is: `settings.OPEN311_PUBLIC_ADDRESS` — "region" (default) publishes the
order's region (county and street) instead of the address, and the point rounded to 0.01°
(about 1 km); "exact" publishes the address and point as given."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings

from hotline.accounts.models import Region
from hotline.workorders.models import WorkOrder

from ..models import ChannelRequest
from ..portal_selectors import RequesterNote

EXACT = "exact"
REGION = "region"
COARSE = Decimal("0.01")
# Mobile numbers, landlines with or without area code, 15/18-digit ID numbers: any run of 7 or
# more digits (with the usual separators) is masked; order numbers are not in the text.
_NUMBERS = re.compile(r"(?<![\dA-Za-z])(?:\+?86[- ]?)?\d[\d -]{5,}\d[Xx]?(?![\dA-Za-z])")
MASK = "****"


SCRUBBED = "scrubbed"


def public_description(order: WorkOrder) -> str:
    """`description` as published: by default not what the requester wrote (it names people,
    flats and children in ways no scrub catches) but the category's name; the scrubbed text
    only where the city chooses `OPEN311_PUBLIC_DESCRIPTION = "scrubbed"`."""
    if getattr(settings, "OPEN311_PUBLIC_DESCRIPTION", "none") == SCRUBBED:
        return scrub(order.content, order)
    return order.category.full_name if order.category else ""


def public_status_notes(note: RequesterNote, order: WorkOrder) -> str:
    """`status_notes` as published. Only what the requester may read is a candidate (the
    portal's rule: the accepted answer, a transfer's note). It is free text the requester's
    own words often flow into ("王先生您好，您反映的5号楼302室…"), so it follows the same
    setting as `description`: scrubbed where the city publishes the words, and by default only
    the order's state in the portal's plain words (已办结, 承办单位正在办理...)."""
    if getattr(settings, "OPEN311_PUBLIC_DESCRIPTION", "none") == SCRUBBED and note.text:
        return scrub(note.text, order)
    return note.label


def public_media_url(req: ChannelRequest | None) -> str:
    """The photo's URL the client gave (`media_url`), published where the city publishes the
    requester's words (`OPEN311_PUBLIC_DESCRIPTION = "scrubbed"`): a photo shows a home or a
    face as plainly as the text names them."""
    if req is None or getattr(settings, "OPEN311_PUBLIC_DESCRIPTION", "none") != SCRUBBED:
        return ""
    return str((req.data or {}).get("channel", {}).get("media_url", ""))


def address_mode() -> str:
    mode = getattr(settings, "OPEN311_PUBLIC_ADDRESS", REGION)
    return EXACT if mode == EXACT else REGION


def scrub(text: str, order: WorkOrder) -> str:
    """The text with digit runs that may be phone or ID numbers masked, and the requester's
    name (as registered) replaced."""

    def mask(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group())
        return MASK if digits >= 7 else match.group()

    text = _NUMBERS.sub(mask, text or "")
    name = (order.requester_name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


class RegionNames:
    """Region paths below the city ("子洲县 双湖峪街道"), one query per region per request."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    def __call__(self, region_id: int) -> str:
        if region_id not in self._names:
            region = Region.objects.get(pk=region_id)
            rows = dict(
                Region.objects.filter(pk__in=region.ancestor_ids()).values_list("pk", "name")
            )
            names = [rows[i] for i in region.ancestor_ids() if i in rows]
            # The city and province are the platform's own: from the county down.
            self._names[region_id] = " ".join(names[-2:])
        return self._names[region_id]


def coarse(value: Decimal | None) -> str:
    if value is None:
        return ""
    if address_mode() == EXACT:
        return str(value)
    return str(value.quantize(COARSE, rounding=ROUND_HALF_EVEN))


def public_address(order: WorkOrder, regions: RegionNames) -> str:
    if address_mode() == EXACT:
        return order.address
    return regions(order.region_id)
