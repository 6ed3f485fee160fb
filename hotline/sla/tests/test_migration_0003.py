"""Migration 0003 moves a database from the 0002 mix to Shandong's rule set without clobbering
an administrator's edits. Its data step runs here against the 0002 rows as 0002 wrote them."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps

from hotline.catalog.models import Category
from hotline.sla.models import TimeLimitRule
from hotline.workorders.tests.factories import registered

m0002 = import_module("hotline.sla.migrations.0002_default_rules")
m0003 = import_module("hotline.sla.migrations.0003_rule_sets")


def as_0002_left_them():
    TimeLimitRule.objects.all().delete()
    m0002.create(apps, None)
    assert TimeLimitRule.objects.count() == len(m0003.SHIPPED_0002)


def test_it_replaces_untouched_0002_rows_with_shandongs(org):
    as_0002_left_them()
    registered(org)  # a database with orders: their events may name the old rules
    old = set(TimeLimitRule.objects.values_list("pk", flat=True))
    m0003.to_shandong(apps, None)
    active = TimeLimitRule.objects.filter(is_active=True)
    assert {(r.clock, r.amount, r.preset) for r in active} == {
        ("reply", 5, "shandong_2020"),
        ("return", 2, "shandong_2020"),
        ("acknowledge", 1, "shandong_2020"),
        ("callback", 3, "shandong_2020"),
    }
    # Deactivated, not deleted.
    assert set(TimeLimitRule.objects.filter(is_active=False).values_list("pk", flat=True)) == old


def test_it_leaves_edited_and_added_rows_alone(org):
    as_0002_left_them()
    registered(org)
    complaint = TimeLimitRule.objects.get(clock="reply", request_type__code="complaint")
    complaint.amount = 20
    complaint.save()
    ack = TimeLimitRule.objects.get(clock="acknowledge", urgency__isnull=True)
    ack.amount = 2
    ack.save()
    callback = TimeLimitRule.objects.get(clock="callback")
    callback.is_active = False  # the city has no callback limit
    callback.save()
    added = TimeLimitRule.objects.create(
        clock="reply", category=Category.objects.first(), amount=3, unit="working_days"
    )
    m0003.to_shandong(apps, None)
    for rule in (complaint, ack, added):
        rule.refresh_from_db()
        assert rule.is_active and rule.preset == ""
    assert complaint.amount == 20 and ack.amount == 2
    callback.refresh_from_db()
    assert not callback.is_active
    # Shandong's rows only where no rule of the same scope remains.
    assert set(
        TimeLimitRule.objects.filter(preset="shandong_2020").values_list("clock", flat=True)
    ) == {
        "reply",
        "return",
    }
    # The untouched 0002 rows are off (Tianjin's 特急 15 minutes among them).
    assert not TimeLimitRule.objects.filter(is_active=True, unit="minutes").exists()


def test_it_deletes_the_0002_rows_where_there_is_no_order_yet(db):
    as_0002_left_them()
    m0003.to_shandong(apps, None)
    assert TimeLimitRule.objects.count() == 4
