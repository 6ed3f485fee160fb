"""The agent desk's 知识库 card: the live entries matching the call being taken down, posted by
the desk (the caller's words stay out of URLs and logs) as the agent types, each with a button
that puts its answer in the desk's answer field (直办 from the knowledge base).

Who may use it is the desk's own rule (`accounts.selectors.agent_centre`, which
`intake.desk.agent_desk` also asks): an agent at a hotline centre."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hotline.accounts.models import Region, Unit, User
from hotline.accounts.selectors import agent_centre
from hotline.catalog.models import RequestType

from .search import Hit, search

# What the card shows: enough to choose from while the caller waits, few enough to read.
DESK_HITS = 4
# The desk's own limits on what it posts (the form refuses longer on registration).
TITLE_CHARS = 200
CONTENT_CHARS = 2000
# An answer longer than this shows its first lines and a button for the rest.
ANSWER_FOLD = 90


class DeskRequest(HttpRequest):
    user: User


def desk_hits(
    *, centre: Unit, title: str, content: str, region: str, request_type: str
) -> list[Hit]:
    """The entries for the call as the desk posts it: the region by code (within the centre's
    region, as the form offers them) and the request type by code."""
    text = f"{title[:TITLE_CHARS]}\n{content[:CONTENT_CHARS]}".strip()
    if not text:
        return []
    place = Region.objects.subtree(centre.region).filter(code=region).first() if region else None
    kind = (
        RequestType.objects.filter(code=request_type, is_active=True).first()
        if request_type
        else None
    )
    request_type_id = kind.pk if kind else None
    if place is not None and place != centre.region:
        return search(
            text, region_path=place.path, request_type_id=request_type_id, limit=DESK_HITS
        )
    # The centre's own region is the form's default: the agent has not asked where yet, so an
    # entry for any place of the centre shows (with its place), but none of another centre.
    root = centre.region.path
    hits = search(text, request_type_id=request_type_id, limit=DESK_HITS * 3)
    near = [
        h for h in hits if h.row.region_path.startswith(root) or root.startswith(h.row.region_path)
    ]
    return near[:DESK_HITS]


def region_names(hits: list[Hit]) -> dict[str, str]:
    """The names of the regions the hits hold in, by path (an entry for everywhere has none)."""
    paths = {h.row.region_path for h in hits if h.row.region_path}
    return dict(Region.objects.filter(path__in=paths).values_list("path", "name")) if paths else {}


@require_http_methods(["GET", "POST"])
@login_required
def matches(request: DeskRequest) -> HttpResponse:
    """知识库 card: up to `DESK_HITS` live entries for the typed title and content."""
    centre = agent_centre(request.user)
    if centre is None:
        raise PermissionDenied(_("知识库卡片只供热线中心的话务员在话务受理时使用"))
    params = request.POST if request.method == "POST" else request.GET
    title = params.get("title", "").strip()
    content = params.get("content", "").strip()
    hits = desk_hits(
        centre=centre,
        title=title,
        content=content,
        region=params.get("region", "").strip(),
        request_type=params.get("request_type", "").strip(),
    )
    names = region_names(hits)
    context = {
        "hits": [(h, names.get(h.row.region_path, "")) for h in hits],
        "asked": bool(title or content),
        "adopted": params.get("knowledge_entry", "").strip(),
        "fold": ANSWER_FOLD,
    }
    return render(request, "knowledge/_desk_matches.html", context)
