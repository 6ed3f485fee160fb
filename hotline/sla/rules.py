"""Which time limit applies to an order, and the deadlines it gives (pure once loaded).

The most specific active rule wins: more narrowing fields first; on a tie urgency outranks a
category, a category a region, a region the request type (a critical order's 15 minutes beat
its type's working days); deeper category or region nodes beat shallower ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .calendar import WorkCalendar
from .choices import Clock, LimitUnit
from .conf import office_end, sla_setting


@dataclass(frozen=True)
class Rule:
    pk: int
    clock: str
    amount: int
    unit: str
    request_type_id: int | None = None
    urgency_id: int | None = None
    category_path: str | None = None
    region_path: str | None = None

    def matches(self, facts: OrderFacts) -> bool:
        return (
            (self.request_type_id is None or self.request_type_id == facts.request_type_id)
            and (self.urgency_id is None or self.urgency_id == facts.urgency_id)
            and (self.category_path is None or facts.category_path.startswith(self.category_path))
            and (self.region_path is None or facts.region_path.startswith(self.region_path))
        )

    def specificity(self) -> tuple[int, ...]:
        fields = (self.urgency_id, self.category_path, self.region_path, self.request_type_id)
        return (
            sum(f is not None for f in fields),
            self.urgency_id is not None,
            len(self.category_path or ""),
            len(self.region_path or ""),
            self.request_type_id is not None,
        )


@dataclass(frozen=True)
class OrderFacts:
    """What rule matching needs to know about an order."""

    request_type_id: int
    urgency_id: int
    category_path: str = ""
    region_path: str = ""


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    warn_at: datetime | None
    rule: Rule


class RuleBook:
    """The active rules, grouped by clock and sorted most specific first."""

    def __init__(self, rules: list[Rule]) -> None:
        self.by_clock: dict[str, list[Rule]] = {}
        for rule in sorted(rules, key=Rule.specificity, reverse=True):
            self.by_clock.setdefault(rule.clock, []).append(rule)

    def rule_for(self, clock: str, facts: OrderFacts) -> Rule | None:
        for rule in self.by_clock.get(clock, []):
            if rule.matches(facts):
                return rule
        return None


def load_rulebook() -> RuleBook:
    from .models import TimeLimitRule

    rows = TimeLimitRule.objects.filter(is_active=True).select_related("category", "region")
    return RuleBook(
        [
            Rule(
                pk=r.pk,
                clock=r.clock,
                amount=r.amount,
                unit=r.unit,
                request_type_id=r.request_type_id,
                urgency_id=r.urgency_id,
                category_path=r.category.path if r.category else None,
                region_path=r.region.path if r.region else None,
            )
            for r in rows
        ]
    )


@dataclass
class Limits:
    """The settings the arithmetic needs, read once per batch."""

    counting: str
    office_end: time
    warn_percent: int
    warn_workdays_left: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            counting=str(sla_setting("COUNTING")),
            office_end=office_end(),
            warn_percent=int(sla_setting("WARN_PERCENT")),
            warn_workdays_left=int(sla_setting("WARN_WORKDAYS_LEFT")),
        )


def due_after(
    start: datetime, amount: int, unit: str, calendar: WorkCalendar, limits: Limits
) -> datetime:
    """The deadline `amount` `unit` after `start`. Raises CalendarUnknown."""
    if unit == LimitUnit.MINUTES:
        return start + timedelta(minutes=amount)
    if unit == LimitUnit.HOURS:
        return start + timedelta(hours=amount)
    return calendar.add_working_days(
        start, amount, counting=limits.counting, office_end=limits.office_end
    )


def warn_at(
    start: datetime, due: datetime, rule: Rule, calendar: WorkCalendar, limits: Limits
) -> datetime:
    """When the clock turns yellow: `warn_workdays_left` working days before the deadline when
    that setting is > 0 and the limit is in (more) working days; otherwise when `warn_percent`
    of the time is used."""
    left = limits.warn_workdays_left
    if rule.unit == LimitUnit.WORKING_DAYS and 0 < left < rule.amount:
        return calendar.add_working_days(
            start, rule.amount - left, counting=limits.counting, office_end=limits.office_end
        )
    return (start + (due - start) * limits.warn_percent / 100).replace(microsecond=0)


def deadline(
    clock: str,
    facts: OrderFacts,
    start: datetime,
    book: RuleBook,
    calendar: WorkCalendar,
    limits: Limits,
) -> Deadline | None:
    """The deadline of one clock started at `start`, or None when no rule covers the order."""
    rule = book.rule_for(clock, facts)
    if rule is None:
        return None
    due = due_after(start, rule.amount, rule.unit, calendar, limits)
    warn = warn_at(start, due, rule, calendar, limits) if clock == Clock.REPLY else None
    return Deadline(due, warn, rule)
