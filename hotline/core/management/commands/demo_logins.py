"""`manage.py demo_logins`: who to log in as after `seed_demo`, with the password and URLs."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import UNIT_ROLES, Role
from hotline.accounts.models import Membership
from hotline.core.demo import DEMO_PASSWORD

BASE_URL = "http://127.0.0.1:8000"
URLS = [(_("工作台"), "/"), (_("管理后台"), "/admin/"), (_("接口文档"), "/api/docs")]
# Hotline desks in the order a visitor would try them.
ROLE_ORDER: list[str] = [
    Role.ADMIN,
    Role.AGENT,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.CALLBACK_AGENT,
    Role.ANALYST,
    Role.INSPECTOR,
]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text; Chinese characters take two columns."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(row: tuple[str, ...]) -> str:
        cells = (c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True))
        return "  " + "  ".join(cells).rstrip()

    return [line(rows[0]), line(tuple("-" * w for w in widths)), *map(line, rows[1:])]


class Command(BaseCommand):
    help = gettext("列出演示账号（用户名、角色、单位、密码）和访问地址")

    def handle(self, *args, **opts) -> None:
        memberships = list(
            Membership.objects.filter(is_active=True, user__is_active=True, user__is_system=False)
            .select_related("user", "unit")
            .order_by("unit_id", "user__username")
        )
        if not memberships:
            self.stdout.write(gettext("还没有演示账号：请先运行 manage.py seed_demo"))
            return
        desk = sorted(
            (m for m in memberships if m.role not in UNIT_ROLES),
            key=lambda m: (
                ROLE_ORDER.index(m.role) if m.role in ROLE_ORDER else 99,
                m.user.username,
            ),
        )
        self.stdout.write(gettext("演示账号（密码均为 {password}）").format(password=DEMO_PASSWORD))
        self.stdout.write(gettext("热线中心："))
        rows: list[tuple[str, ...]] = [
            (gettext("用户名"), gettext("角色"), gettext("单位"), gettext("密码"))
        ]
        rows += [(m.user.username, m.get_role_display(), m.unit.name, DEMO_PASSWORD) for m in desk]
        self.stdout.write("\n".join(_table(rows)))
        by_unit: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for m in memberships:
            if m.role in UNIT_ROLES:
                by_unit[m.unit.name][m.role].append(m.user.username)
        self.stdout.write(gettext("承办单位："))
        rows = [(gettext("单位"), gettext("承办人"), gettext("单位管理员"))]
        rows += [
            (
                unit,
                ", ".join(roles[Role.UNIT_HANDLER]),
                ", ".join(roles[Role.UNIT_MANAGER]),
            )
            for unit, roles in by_unit.items()
        ]
        self.stdout.write("\n".join(_table(rows)))
        self.stdout.write(gettext("访问地址："))
        for lazy_label, path in URLS:
            label = str(lazy_label)
            self.stdout.write(f"  {label}{' ' * (10 - _width(label))}{BASE_URL}{path}")
