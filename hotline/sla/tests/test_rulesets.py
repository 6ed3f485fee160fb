"""Rule-set presets: the shipped default is Shandong's; applying another preset; the command and
the admin page that show the changes first."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from hotline.accounts.models import User
from hotline.catalog.models import Category, Urgency
from hotline.core.testing import PASSWORD
from hotline.sla.models import TimeLimitRule
from hotline.sla.presets import GUANGDONG, PRESETS, SHANDONG, SHANDONG_DOC, TIANJIN, Preset
from hotline.sla.rulesets import RulesetError, ruleset_apply, ruleset_plan
from hotline.workorders.tests.factories import move, registered

SH = ZoneInfo("Asia/Shanghai")


def active_rows() -> set[tuple]:
    return {
        (
            r.clock,
            r.request_type.code if r.request_type else None,
            r.urgency.code if r.urgency else None,
            r.amount,
            r.unit,
            r.source,
            r.preset,
        )
        for r in TimeLimitRule.objects.filter(is_active=True).select_related(
            "request_type", "urgency"
        )
    }


def preset_rows(preset: Preset) -> set[tuple]:
    return {
        (r.clock, r.request_type, r.urgency, r.amount, r.unit, r.source, preset.code)
        for r in preset.rules
    }


@pytest.fixture
def admin_client(org):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    c = Client()
    assert c.login(username="root", password=PASSWORD)
    return c


def test_it_ships_exactly_the_shandong_set_and_labelled_platform_defaults(db):
    assert active_rows() == preset_rows(SHANDONG)
    by_clock = {r.clock: r for r in TimeLimitRule.objects.filter(is_active=True)}
    assert (by_clock["reply"].amount, by_clock["return"].amount) == (5, 2)
    assert SHANDONG_DOC in by_clock["reply"].source and "5个工作日" in by_clock["reply"].source
    assert SHANDONG_DOC in by_clock["return"].source and "2个工作日" in by_clock["return"].source
    # Shandong states no acknowledge and no callback limit: never attributed to it.
    assert by_clock["acknowledge"].source == "平台默认：山东办法未规定签收时限"
    assert by_clock["callback"].source == "平台默认：山东办法未规定回访时限"
    # On a database without orders the 0002 mix left nothing behind.
    assert not TimeLimitRule.objects.filter(is_active=False).exists()


def test_it_states_each_presets_document_in_every_row():
    for preset in PRESETS.values():
        for row in preset.rules:
            if row.platform_default:
                assert row.source.startswith("平台默认：")
            else:
                assert any(doc in row.source for doc in preset.documents)
            assert len(row.source) <= 200


def test_it_gives_a_complaint_five_working_days_under_the_shipped_default(org):
    with time_machine.travel(datetime(2026, 2, 13, 10, tzinfo=SH), tick=False):
        order = move(
            registered(org, request_type="complaint"), "dispatch", org.dave, lead_unit=org.water.pk
        )
    # Day 1 is the make-up Saturday 14 February, then the Spring Festival (15–23) rests.
    assert order.reply_due_at == datetime(2026, 2, 27, 17, 30, tzinfo=SH)
    assert order.acknowledge_due_at == datetime(2026, 2, 14, 17, 30, tzinfo=SH)
    rule = TimeLimitRule.objects.get(clock="reply", is_active=True)
    assert order.events.get(action="dispatch").payload["clocks"]["rules"]["reply"] == rule.pk


def test_it_merges_tianjin_into_the_clocks_its_documents_state(db):
    shandong = {r.clock: r.pk for r in TimeLimitRule.objects.all()}
    plan = ruleset_apply(preset="tianjin_2024")
    assert {r.pk for r in plan.deactivate} == {shandong["acknowledge"], shandong["return"]}
    rows = active_rows()
    tianjin = {r for r in preset_rows(TIANJIN) if r[0] in ("acknowledge", "return")}
    shandong_kept = {r for r in preset_rows(SHANDONG) if r[0] in ("reply", "callback")}
    assert rows == tianjin | shandong_kept
    assert ("acknowledge", None, "critical", 15, "minutes") in {r[:5] for r in rows}
    # Deactivated, not deleted: the events of deadlines they gave still name them.
    assert TimeLimitRule.objects.filter(pk=shandong["return"], is_active=False).exists()


def test_it_replaces_every_rule_with_guangdongs(db):
    ruleset_apply(preset="guangdong_2022", replace=True)
    assert active_rows() == preset_rows(GUANGDONG)
    reply = {r[1]: r[3] for r in active_rows() if r[0] == "reply"}
    assert reply == {
        "inquiry": 2,
        "help": 10,
        "suggestion": 10,
        "complaint": 15,
        "report": 15,
        None: 10,
    }
    assert TimeLimitRule.objects.filter(preset="shandong_2020", is_active=False).count() == 4


def test_it_keeps_an_administrators_rule_of_a_clock_the_document_does_not_state(db):
    category = Category.objects.first()
    own = TimeLimitRule.objects.create(
        clock="callback", category=category, amount=1, unit="working_days"
    )
    ruleset_apply(preset="guangdong_2022")
    own.refresh_from_db()
    assert own.is_active
    ruleset_apply(preset="guangdong_2022", replace=True)
    own.refresh_from_db()
    assert not own.is_active


def test_it_switches_rows_back_on_instead_of_writing_them_twice(db):
    shandong = set(TimeLimitRule.objects.values_list("pk", flat=True))
    ruleset_apply(preset="guangdong_2022", replace=True)
    count = TimeLimitRule.objects.count()
    plan = ruleset_apply(preset="shandong_2020", replace=True)
    assert len(plan.activate) == 4 and not plan.create
    assert (
        set(TimeLimitRule.objects.filter(is_active=True).values_list("pk", flat=True)) == shandong
    )
    assert TimeLimitRule.objects.count() == count
    assert ruleset_apply(preset="shandong_2020", replace=True).changes == 0


def test_it_refuses_a_preset_whose_urgency_is_missing_and_writes_nothing(db):
    Urgency.objects.filter(code="critical").update(code="life")
    before = active_rows()
    with pytest.raises(RulesetError, match="紧急程度「critical」"):
        ruleset_apply(preset="tianjin_2024")
    assert active_rows() == before


def test_it_refuses_an_unknown_preset(db):
    with pytest.raises(RulesetError, match="没有规则集「beijing」"):
        ruleset_plan(preset="beijing")


def test_it_notes_an_extension_cap_that_differs_from_the_presets(db, settings):
    settings.HOTLINE = {**settings.HOTLINE, "EXTENSION_MAX_DAYS": 60}
    assert "HOTLINE_EXTENSION_MAX_DAYS=60" in ruleset_plan(preset="shandong_2020").notes[0]
    settings.HOTLINE = {**settings.HOTLINE, "EXTENSION_MAX_DAYS": 10}
    assert ruleset_plan(preset="shandong_2020").notes == []


def test_it_applies_a_preset_from_the_command(db):
    out = StringIO()
    call_command("sla_apply_rules", "guangdong_2022", "--dry-run", stdout=out)
    assert "新增" in out.getvalue() and "（未写入）" in out.getvalue()
    assert active_rows() == preset_rows(SHANDONG)
    call_command("sla_apply_rules", "guangdong_2022", "--replace", stdout=StringIO())
    assert active_rows() == preset_rows(GUANGDONG)
    with pytest.raises(CommandError, match="没有规则集"):
        call_command("sla_apply_rules", "nowhere", stdout=StringIO())


def test_it_shows_the_changes_on_the_admin_page_before_applying(admin_client):
    url = "/admin/sla/timelimitrule/apply/"
    assert "应用规则集" in admin_client.get("/admin/sla/timelimitrule/").content.decode()
    page = admin_client.get(url, {"preset": "guangdong_2022", "replace": "on"}).content.decode()
    assert page.count('class="ruleset-deactivate"') == 4
    assert page.count('class="ruleset-create"') == 9
    assert active_rows() == preset_rows(SHANDONG)  # looking writes nothing
    response = admin_client.post(url, {"preset": "guangdong_2022", "replace": "on", "apply": "1"})
    assert response.status_code == 302
    assert active_rows() == preset_rows(GUANGDONG)


def test_it_names_an_unknown_preset_on_the_admin_page(admin_client):
    page = admin_client.post(
        "/admin/sla/timelimitrule/apply/", {"preset": "mars", "apply": "1"}
    ).content.decode()
    assert "没有这个规则集：mars" in page
    assert active_rows() == preset_rows(SHANDONG)


def test_it_refuses_the_apply_page_to_a_hotline_user(org):
    c = Client()
    assert c.login(username="sue", password=PASSWORD)
    assert c.get("/admin/sla/timelimitrule/apply/").status_code == 302


def test_it_makes_an_edited_preset_row_the_administrators_own(admin_client):
    rule = TimeLimitRule.objects.get(clock="reply", is_active=True)
    response = admin_client.post(
        f"/admin/sla/timelimitrule/{rule.pk}/change/",
        {
            "clock": "reply",
            "amount": "7",
            "unit": "working_days",
            "is_active": "on",
            "source": rule.source,
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.amount, rule.preset) == (7, "")
    assert rule.source.startswith("管理员修改；原依据：")
