"""Every write of the knowledge base: create, edit, submit, publish, send back, retire an
entry, and record its use at intake. Each is atomic, checks who acts, locks the entry, refuses
a stale version, and writes one `Revision` with the entry as it then stands.

Who does what (a unit maintains its answers; the hotline vouches for them):
- a publisher (督办员 or 系统管理员 at a hotline centre) edits, publishes and retires every entry
  of the units in the centre's region; what a publisher saves keeps its status;
- a unit's manager (单位管理员) writes the entries of the unit and the units below it and submits
  them; a publisher publishes them. When a manager changes a published entry it goes back to
  待审核: the old answer is no longer the unit's word, and the new one is not yet the hotline's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.choices import CENTRE_KINDS
from hotline.accounts.models import Region, Unit, User
from hotline.catalog.models import Category, RequestType
from hotline.workorders.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from hotline.workorders.models import WorkOrder

from .choices import MAINTAINER_ROLES, PUBLISHER_ROLES, EntryStatus, RevisionAction
from .models import ANSWER_MAX, BASIS_MAX, KEYWORDS_MAX, TITLE_MAX, Entry, Revision, Use

NOTE_MAX = 500
# The fields an edit may change, as the services take them.
EDITABLE = (
    "title",
    "keywords",
    "answer",
    "basis",
    "category",
    "request_type",
    "region",
    "unit",
    "valid_until",
)


# --- who may act ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where a user may write: the region paths of the centres where they publish, and the
    unit paths where they maintain."""

    publish_regions: tuple[str, ...]
    maintain_units: tuple[str, ...]
    everything: bool = False

    def publishes(self, unit: Unit) -> bool:
        if self.everything:
            return True
        path = unit.region.path
        return any(path.startswith(p) for p in self.publish_regions)

    def maintains(self, unit: Unit) -> bool:
        return self.publishes(unit) or any(unit.path.startswith(p) for p in self.maintain_units)

    @property
    def writes(self) -> bool:
        return self.everything or bool(self.publish_regions or self.maintain_units)

    @property
    def is_publisher(self) -> bool:
        return self.everything or bool(self.publish_regions)


def scope_of(user: User) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope((), ())
    if user.is_superuser:
        return Scope((), (), everything=True)
    publish: list[str] = []
    maintain: list[str] = []
    for m in user.active_memberships():
        if m.role in PUBLISHER_ROLES and m.unit.kind in CENTRE_KINDS:
            publish.append(m.unit.region.path)
        elif m.role in MAINTAINER_ROLES:
            maintain.append(m.unit.path)
    return Scope(tuple(publish), tuple(maintain))


def _require_maintainer(scope: Scope, unit: Unit) -> None:
    if not scope.maintains(unit):
        raise NotPermitted(_("您无权维护“{unit}”的知识条目").format(unit=unit.name), field="unit")


def _require_publisher(scope: Scope, unit: Unit) -> None:
    if not scope.publishes(unit):
        raise NotPermitted(_("只有热线中心的督办员或系统管理员可以发布、停用或退回知识条目"))


# --- input ----------------------------------------------------------------------------------


def _text(value: Any, field: str, label: str, limit: int, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写{label}").format(label=label), field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("{label}不能超过 {limit} 个字（现有 {n} 个）").format(
                label=label, limit=limit, n=len(text)
            ),
            field=field,
        )
    if "\x00" in text:
        raise InvalidInput(_("{label}含有无效字符").format(label=label), field=field)
    return text


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Check the given fields; returns them as the model takes them."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(_("无法修改的字段：{names}").format(names="、".join(sorted(unknown))))
    out: dict[str, Any] = {}
    limits = {
        "title": (_("问题"), TITLE_MAX, True),
        "keywords": (_("关键词"), KEYWORDS_MAX, False),
        "answer": (_("答复口径"), ANSWER_MAX, True),
        "basis": (_("政策依据"), BASIS_MAX, False),
    }
    for name, (label, limit, required) in limits.items():
        if name in fields:
            out[name] = _text(fields[name], name, str(label), limit, required=required)
    if "category" in fields:
        category = fields["category"]
        if category is not None:
            if not isinstance(category, Category) or not category.is_active:
                raise InvalidInput(_("诉求分类不存在或已停用"), field="category")
            if category.children.filter(is_active=True).exists():
                raise InvalidInput(
                    _("请选择最末一级的诉求分类（“{name}”下还有细类）").format(
                        name=category.full_name
                    ),
                    field="category",
                )
        out["category"] = category
    if "request_type" in fields:
        request_type = fields["request_type"]
        if request_type is not None and (
            not isinstance(request_type, RequestType) or not request_type.is_active
        ):
            raise InvalidInput(_("诉求类型不存在或已停用"), field="request_type")
        out["request_type"] = request_type
    if "region" in fields:
        region = fields["region"]
        if region is not None and not isinstance(region, Region):
            raise InvalidInput(_("适用区划不存在"), field="region")
        out["region"] = region
    if "unit" in fields:
        unit = fields["unit"]
        if not isinstance(unit, Unit) or not unit.is_active:
            raise InvalidInput(_("请选择在用的维护单位"), field="unit")
        out["unit"] = unit
    if "valid_until" in fields:
        valid_until = fields["valid_until"]
        if valid_until is not None and not isinstance(valid_until, date):
            raise InvalidInput(_("有效期应为日期"), field="valid_until")
        out["valid_until"] = valid_until
    return out


def _note(note: str, *, required: bool = False) -> str:
    return _text(note, "note", str(_("说明")), NOTE_MAX, required=required)


# --- writing --------------------------------------------------------------------------------


def _revise(entry: Entry, *, actor: User, action: str, note: str) -> Revision:
    return Revision.objects.create(
        entry=entry,
        version=entry.version,
        action=action,
        actor=actor,
        at=entry.updated_at,
        note=note,
        **Revision.copied(entry),
    )


def _check_term(entry: Entry) -> None:
    if entry.status == EntryStatus.PUBLISHED and entry.is_expired():
        raise InvalidInput(
            _("有效期已过（{day}），请先修改有效期再发布").format(day=entry.valid_until),
            field="valid_until",
        )


@transaction.atomic
def knowledge_entry_create(
    *,
    actor: User,
    unit: Unit,
    title: str,
    answer: str,
    keywords: str = "",
    basis: str = "",
    category: Category | None = None,
    request_type: RequestType | None = None,
    region: Region | None = None,
    valid_until: date | None = None,
    status: str = EntryStatus.DRAFT,
    note: str = "",
) -> Entry:
    """A new entry, as a draft, submitted for review (PENDING) or, by a publisher, PUBLISHED."""
    scope = scope_of(actor)
    fields = _clean(
        {
            "unit": unit,
            "title": title,
            "answer": answer,
            "keywords": keywords,
            "basis": basis,
            "category": category,
            "request_type": request_type,
            "region": region,
            "valid_until": valid_until,
        }
    )
    _require_maintainer(scope, fields["unit"])
    if status not in (EntryStatus.DRAFT, EntryStatus.PENDING, EntryStatus.PUBLISHED):
        raise InvalidInput(_("新条目的状态只能是草稿、待审核或已发布"), field="status")
    if status == EntryStatus.PUBLISHED:
        _require_publisher(scope, fields["unit"])
    now = timezone.now()
    entry = Entry(
        **fields,
        status=status,
        version=1,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
        published_at=now if status == EntryStatus.PUBLISHED else None,
    )
    _check_term(entry)
    entry.save()
    _revise(entry, actor=actor, action=RevisionAction.CREATE, note=_note(note))
    return entry


def _locked(entry: Entry | int, version: int) -> Entry:
    pk = entry.pk if isinstance(entry, Entry) else entry
    # Only the entry's row: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    # joins (category, request type, region), and they need no lock.
    found = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("unit__region", "category", "request_type", "region")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("知识条目不存在"))
    if found.version != version:
        raise ConcurrentUpdate(
            _(
                "该知识条目已被 {user} 修改（现为第 {current} 版，您编辑的是第 {version} 版），"
                "请刷新后再改"
            ).format(user=found.updated_by, current=found.version, version=version),
            field="version",
        )
    return found


def _save(entry: Entry, *, actor: User, action: str, note: str) -> Entry:
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = timezone.now()
    if action == RevisionAction.PUBLISH:
        entry.published_at = entry.updated_at
    try:
        with transaction.atomic():
            entry.save()
            _revise(entry, actor=actor, action=action, note=note)
    except IntegrityError as e:  # another writer took this version between lock and write
        raise ConcurrentUpdate(_("该知识条目已被他人修改，请刷新后再改")) from e
    return entry


@transaction.atomic
def knowledge_entry_update(
    *, actor: User, entry: Entry | int, version: int, note: str = "", **changes: Any
) -> Entry:
    """Change some of `EDITABLE` of the entry at `version`. A manager's change of a published
    or retired entry sends it for review (待审核) or back to a draft."""
    scope = scope_of(actor)
    fields = _clean(changes)
    note = _note(note)
    found = _locked(entry, version)
    _require_maintainer(scope, found.unit)
    if "unit" in fields:
        _require_maintainer(scope, fields["unit"])
    if not any(getattr(found, name) != value for name, value in fields.items()):
        raise InvalidInput(_("没有修改任何内容"))
    for name, value in fields.items():
        setattr(found, name, value)
    if not scope.publishes(found.unit):
        if found.status == EntryStatus.PUBLISHED:
            found.status = EntryStatus.PENDING
        elif found.status == EntryStatus.RETIRED:
            found.status = EntryStatus.DRAFT
    _check_term(found)
    return _save(found, actor=actor, action=RevisionAction.EDIT, note=note)


@transaction.atomic
def knowledge_entry_submit(
    *, actor: User, entry: Entry | int, version: int, note: str = ""
) -> Entry:
    """草稿 → 待审核."""
    scope = scope_of(actor)
    note = _note(note)
    found = _locked(entry, version)
    _require_maintainer(scope, found.unit)
    if found.status != EntryStatus.DRAFT:
        raise IllegalTransition(_("只有草稿可以提交审核"))
    found.status = EntryStatus.PENDING
    return _save(found, actor=actor, action=RevisionAction.SUBMIT, note=note)


@transaction.atomic
def knowledge_entry_publish(
    *, actor: User, entry: Entry | int, version: int, note: str = ""
) -> Entry:
    """草稿, 待审核 or 已停用 → 已发布: agents see it, the desk and the suggestions match it."""
    scope = scope_of(actor)
    note = _note(note)
    found = _locked(entry, version)
    _require_publisher(scope, found.unit)
    if found.status == EntryStatus.PUBLISHED:
        raise IllegalTransition(_("该知识条目已发布"))
    found.status = EntryStatus.PUBLISHED
    _check_term(found)
    return _save(found, actor=actor, action=RevisionAction.PUBLISH, note=note)


@transaction.atomic
def knowledge_entry_reject(*, actor: User, entry: Entry | int, version: int, note: str) -> Entry:
    """待审核 → 草稿, with the reason the unit reads."""
    scope = scope_of(actor)
    note = _note(note, required=True)
    found = _locked(entry, version)
    _require_publisher(scope, found.unit)
    if found.status != EntryStatus.PENDING:
        raise IllegalTransition(_("只有待审核的条目可以退回"))
    found.status = EntryStatus.DRAFT
    return _save(found, actor=actor, action=RevisionAction.REJECT, note=note)


@transaction.atomic
def knowledge_entry_retire(*, actor: User, entry: Entry | int, version: int, note: str) -> Entry:
    """→ 已停用, with the reason: the answer no longer holds. Its history and uses stay."""
    scope = scope_of(actor)
    note = _note(note, required=True)
    found = _locked(entry, version)
    _require_publisher(scope, found.unit)
    if found.status == EntryStatus.RETIRED:
        raise IllegalTransition(_("该知识条目已停用"))
    found.status = EntryStatus.RETIRED
    return _save(found, actor=actor, action=RevisionAction.RETIRE, note=note)


def knowledge_use_record(*, actor: User, entry_id: str | int, order: WorkOrder) -> Use | None:
    """The agent answered `order` from the entry (as the desk posts its id; anything that is
    not a live entry is ignored: the order is registered whatever this says). Once per order
    and entry."""
    raw = str(entry_id).strip()
    if not raw.isdigit():
        return None
    entry = Entry.objects.filter(pk=int(raw)).first()
    if entry is None or not entry.is_live():
        return None
    use, _created = Use.objects.get_or_create(
        entry=entry,
        order=order,
        defaults={"version": entry.version, "used_by": actor, "used_at": timezone.now()},
    )
    return use
