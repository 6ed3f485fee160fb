"""The interface in Chinese by default and in English on request (architecture.md: "Chinese
(zh-hans) UI by default, every string translatable, English available")."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hotline.workorders.choices import Status
from hotline.workorders.errors import IllegalTransition
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.services import workorder_transition
from hotline.workorders.tests import factories as f

LOCALE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
HOTLINE = Path(__file__).resolve().parents[2]
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}  # honoured by the API only


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # LocaleMiddleware leaves the request's language active in the thread; the next test (in
    # this module or another) must start from the default again.
    yield
    translation.deactivate()


def _po_entries(path: Path) -> list[dict[str, str]]:
    """Each entry of a .po file as {"msgid", "msgid_plural"?, "msgstr" / "msgstr[n]", "flags"}."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif m := re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
                key = m.group(1)
                entry[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
        entries.append(entry)
    return entries


def test_it_fills_every_english_message_and_marks_none_fuzzy():
    entries = [e for e in _po_entries(LOCALE / "django.po") if e.get("msgid")]
    assert len(entries) > 300
    empty = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k[:6] == "msgstr")]
    assert empty == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_it_ships_a_compiled_catalogue_matching_the_po():
    # The platform must run where gettext tools are absent, so the .mo is committed: it must
    # say what the .po says (someone edited the .po and forgot compilemessages otherwise).
    with (LOCALE / "django.mo").open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    for e in _po_entries(LOCALE / "django.po"):
        if not e.get("msgid"):
            continue
        if "msgid_plural" in e:
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr[1]"]
        else:
            assert compiled.gettext(e["msgid"]) == e["msgstr"], e["msgid"]


def test_it_leaves_no_chinese_outside_translation_tags_in_templates():
    tags = re.compile(
        r'\{% translate ".*?" %\}|\{% blocktranslate.*?%\}.*?\{% endblocktranslate %\}'
        r'|_\(".*?"\)|\{#.*?#\}',
        re.S,
    )
    found = {}
    for template in HOTLINE.rglob("templates/**/*.html"):
        rest = tags.sub("", template.read_text(encoding="utf-8"))
        if han := re.findall(r"[\u4e00-\u9fff]+", rest):
            found[str(template.relative_to(HOTLINE))] = han
    assert found == {}


def test_it_speaks_chinese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "<title>登录 · 12345 政务服务便民热线</title>" in page
    assert str(Status.CLOSED.label) == "已办结"


@pytest.mark.parametrize("accept", ["zh-CN,zh;q=0.9,en;q=0.8", "zh-TW", "fr-FR,fr;q=0.9", "en-US"])
def test_it_keeps_pages_chinese_whatever_the_browser_prefers(client, accept):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="zh-hans">' in page and "<title>登录 ·" in page


def test_it_shows_the_login_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "<title>Log in · 12345 Government Service Hotline</title>" in page
    assert ">Username</label>" in page
    assert "登录" not in page


def test_it_shows_an_order_page_in_english(org, client):
    order = f.dispatched(org)
    client.force_login(org.dave)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("workorder_detail", args=[order.number]))
    text = page.content.decode()
    assert page.status_code == 200
    assert '<span class="status s-dispatched" id="order-status">Dispatched</span>' in text
    assert "Basic information" in text and "基本信息" not in text
    assert ">Lead</td>" in text  # the assignment's role, a choices label
    # Data stay as entered: the title is the requester's words, not interface text.
    assert order.title in text


def test_it_answers_an_illegal_move_through_the_api_in_english(org, client):
    order = f.move(f.awaiting_callback(org), "callback", org.carl, rating="satisfied", solved=True)
    events = WorkOrderEvent.objects.filter(order=order).count()
    client.force_login(org.bob)
    r = client.post(
        f"/api/workorders/{order.number}/actions/reply",
        {"note": "again"},
        content_type="application/json",
        **ENGLISH,
    )
    assert r.status_code == 409
    assert r.json() == {
        "code": "illegal_transition",
        "message": f"Work order {order.number} is “Closed”: “Reply” is not possible",
        "field": None,
    }
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert WorkOrderEvent.objects.filter(order=order).count() == events


def test_it_names_a_bad_field_in_english(org, client):
    client.force_login(org.alice)
    r = client.post(
        "/api/workorders", {"channel": "phone"}, content_type="application/json", **ENGLISH
    )
    assert r.status_code == 400
    assert r.json()["field"] == "request_type"
    assert r.json()["message"] == "Please fill in Request type (request_type)"


def test_it_translates_service_errors_in_the_active_language(org):
    order = f.registered(org)
    with translation.override("en"), pytest.raises(IllegalTransition) as err:
        workorder_transition(order=order, action="reply", actor=org.bob, note="x")
    assert err.value.message == (
        f"Work order {order.number} is “Registered”: “Reply” is not possible"
    )
    with pytest.raises(IllegalTransition) as err:
        workorder_transition(order=order, action="reply", actor=org.bob, note="x")
    assert err.value.message == f"工单 {order.number} 当前状态为「已受理」，不能执行「答复」"


def test_it_switches_the_language_from_the_header(client):
    login = reverse("login")
    page = client.get(login).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language" value="en"' in page

    r = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert r.status_code == 302 and r["Location"] == login
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<title>Log in ·" in client.get(login).content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": login})
    assert "<title>登录 ·" in client.get(login).content.decode()
