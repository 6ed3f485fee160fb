"""Applying a rule-set preset (规则集) to the time-limit rules.

`ruleset_plan` says what applying would change, without writing; `ruleset_apply` does it in one
transaction. Two ways:

- merge (default): the clocks the preset's document states get exactly the preset's rows for
  them (every other active rule of those clocks is deactivated, an administrator's too); the
  other clocks keep their rules, and get the preset's platform default only if they have none.
- replace: every active rule is deactivated except the preset's; the result is the preset.

Rules are deactivated, never deleted: the events of the deadlines they gave name their ids. A
row identical to one of the preset's (limits, source and preset) is kept, or switched on again
when inactive, instead of being written twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.catalog.models import RequestType, Urgency
from hotline.core.conf import hotline_int

from .models import TimeLimitRule
from .presets import PRESETS, Preset, PresetRule

Key = tuple[str, int | None, int | None, int | None, int | None, int, str, str, str]


class RulesetError(Exception):
    """A preset that cannot be applied (unknown, or naming a code the catalogue lacks)."""


def _key(rule: TimeLimitRule) -> Key:
    return (
        rule.clock,
        rule.request_type_id,
        rule.urgency_id,
        rule.category_id,
        rule.region_id,
        rule.amount,
        rule.unit,
        rule.source,
        rule.preset,
    )


@dataclass
class RulesetPlan:
    preset: Preset
    replace: bool
    keep: list[TimeLimitRule] = field(default_factory=list)
    deactivate: list[TimeLimitRule] = field(default_factory=list)
    activate: list[TimeLimitRule] = field(default_factory=list)
    create: list[TimeLimitRule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.deactivate) + len(self.activate) + len(self.create)

    def summary(self) -> str:
        return _(
            "规则集「{name}」：停用 {off} 条，新增 {new} 条，重新启用 {on} 条，保留 {keep} 条"
        ).format(
            name=self.preset.name,
            off=len(self.deactivate),
            new=len(self.create),
            on=len(self.activate),
            keep=len(self.keep),
        )


def preset_get(code: str) -> Preset:
    try:
        return PRESETS[code]
    except KeyError:
        raise RulesetError(
            _("没有规则集「{code}」，可选：{choices}").format(code=code, choices="、".join(PRESETS))
        ) from None


def _instances(preset: Preset) -> list[TimeLimitRule]:
    """The preset's rows as unsaved rules, its codes resolved against the catalogue."""
    types = dict(RequestType.objects.values_list("code", "pk"))
    urgencies = dict(Urgency.objects.values_list("code", "pk"))

    def resolve(row: PresetRule) -> TimeLimitRule:
        if row.request_type is not None and row.request_type not in types:
            raise RulesetError(
                _("规则集「{name}」需要诉求类型「{code}」，但诉求类型中没有它").format(
                    name=preset.name, code=row.request_type
                )
            )
        if row.urgency is not None and row.urgency not in urgencies:
            raise RulesetError(
                _("规则集「{name}」需要紧急程度「{code}」，但紧急程度中没有它").format(
                    name=preset.name, code=row.urgency
                )
            )
        return TimeLimitRule(
            clock=row.clock,
            request_type_id=types[row.request_type] if row.request_type else None,
            urgency_id=urgencies[row.urgency] if row.urgency else None,
            amount=row.amount,
            unit=row.unit,
            source=row.source,
            preset=preset.code,
        )

    return [resolve(row) for row in preset.rules]


def ruleset_plan(*, preset: str, replace: bool = False) -> RulesetPlan:
    """What applying `preset` would change now (nothing is written)."""
    chosen = preset_get(preset)
    plan = RulesetPlan(chosen, replace)
    wanted = _instances(chosen)
    active = list(TimeLimitRule.objects.filter(is_active=True).order_by("clock", "pk"))
    if replace:
        clocks = {r.clock for r in wanted}
    else:
        has_rules = {r.clock for r in active}
        clocks = set(chosen.clocks_stated()) | {r.clock for r in wanted if r.clock not in has_rules}
    wanted = [r for r in wanted if r.clock in clocks]
    wanted_keys = {_key(r): r for r in wanted}
    for rule in active:
        if rule.clock not in clocks and not replace:
            plan.keep.append(rule)
        elif _key(rule) in wanted_keys:
            plan.keep.append(rule)
            wanted_keys.pop(_key(rule))
        else:
            plan.deactivate.append(rule)
    inactive = {
        _key(r): r for r in TimeLimitRule.objects.filter(is_active=False, preset=chosen.code)
    }
    for key, rule in wanted_keys.items():
        if key in inactive:
            plan.activate.append(inactive[key])
        else:
            plan.create.append(rule)
    cap = chosen.extension_max_days
    if cap is not None and hotline_int("EXTENSION_MAX_DAYS") != cap:
        plan.notes.append(
            _(
                "该规则集的延期上限为 {cap} 个工作日，当前设置 HOTLINE_EXTENSION_MAX_DAYS={now}，"
                "请一并修改该设置"
            ).format(cap=cap, now=hotline_int("EXTENSION_MAX_DAYS"))
        )
    return plan


@transaction.atomic
def ruleset_apply(*, preset: str, replace: bool = False) -> RulesetPlan:
    """Apply a preset to the rules in one transaction (see the module docstring); returns
    what was done. Raises RulesetError, writing nothing."""
    # Lock the rules so two administrators applying at once do not interleave.
    # (Unordered: the default ordering joins nullable foreign keys, which PostgreSQL cannot lock.)
    list(TimeLimitRule.objects.order_by().select_for_update().values_list("pk", flat=True))
    plan = ruleset_plan(preset=preset, replace=replace)
    TimeLimitRule.objects.filter(pk__in=[r.pk for r in plan.deactivate]).update(is_active=False)
    TimeLimitRule.objects.filter(pk__in=[r.pk for r in plan.activate]).update(is_active=True)
    for rule in plan.create:
        rule.full_clean()
        rule.save()
    return plan
