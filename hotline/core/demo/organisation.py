"""The demo county: 陕西省榆林市子洲县, its streets and communities, ~40 units in three levels
and a user for every role. Idempotent by code and username, so a second seed reuses it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from hotline.accounts.choices import RegionLevel, Role, UnitKind
from hotline.accounts.models import Region, Unit, User
from hotline.accounts.services import user_create

from . import DEMO_PASSWORD

PROVINCE = ("610000", "陕西省")
CITY = ("610800", "榆林市")
COUNTY = ("610831", "子洲县")
COUNTY_NAME = "子洲县"

# Streets and townships (9-digit codes) with their communities or villages (12-digit codes).
# The first is the county seat and gets most of the calls.
STREETS: list[tuple[str, str, str, list[str]]] = [
    ("001", "shuanghu", "双湖峪街道", ["东城社区", "西城社区", "南丰社区", "北苑社区"]),
    ("101", "hejiaji", "何家集镇", ["何家集村", "张家沟村", "石畔村"]),
    ("102", "laojun", "老君殿镇", ["老君殿村", "槐树岔村", "高家沟村"]),
    ("103", "peijia", "裴家湾镇", ["裴家湾村", "黄土洼村", "阳湾村"]),
    ("104", "miaojia", "苗家坪镇", ["苗家坪村", "三眼泉村", "李家河村"]),
    ("105", "sanchuan", "三川口镇", ["三川口村", "后川村", "前川村"]),
    ("106", "mati", "马蹄沟镇", ["马蹄沟村", "盐湾村", "青阳岔村"]),
    ("107", "dianshi", "电市镇", ["电市村", "枣树坪村", "王家洼村"]),
]
# Population weight of each street: who calls from where.
STREET_WEIGHTS = [40, 9, 7, 8, 9, 7, 8, 6]

# Level-2 units: (code, name, short name, kind). The code is also the prefix of the usernames.
DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("housing", "子洲县住房和城乡建设局", "住建局", UnitKind.DEPARTMENT),
    ("urban", "子洲县城市管理执法局", "城管局", UnitKind.DEPARTMENT),
    ("env", "榆林市生态环境局子洲分局", "生态环境分局", UnitKind.DEPARTMENT),
    ("transport", "子洲县交通运输局", "交通运输局", UnitKind.DEPARTMENT),
    ("hrss", "子洲县人力资源和社会保障局", "人社局", UnitKind.DEPARTMENT),
    ("edu", "子洲县教育局", "教育局", UnitKind.DEPARTMENT),
    ("health", "子洲县卫生健康局", "卫健局", UnitKind.DEPARTMENT),
    ("market", "子洲县市场监督管理局", "市场监管局", UnitKind.DEPARTMENT),
    ("police", "子洲县公安局", "公安局", UnitKind.DEPARTMENT),
    ("civil", "子洲县民政局", "民政局", UnitKind.DEPARTMENT),
    ("agri", "子洲县农业农村局", "农业农村局", UnitKind.DEPARTMENT),
    ("land", "子洲县自然资源局", "自然资源局", UnitKind.DEPARTMENT),
    ("tourism", "子洲县文化和旅游局", "文旅局", UnitKind.DEPARTMENT),
    ("waterres", "子洲县水务局", "水务局", UnitKind.DEPARTMENT),
    ("medins", "子洲县医疗保障局", "医保局", UnitKind.DEPARTMENT),
    ("emergency", "子洲县应急管理局", "应急管理局", UnitKind.DEPARTMENT),
    ("water", "子洲县自来水公司", "自来水公司", UnitKind.UTILITY),
    ("power", "国网子洲县供电公司", "供电公司", UnitKind.UTILITY),
    ("gas", "子洲县燃气有限公司", "燃气公司", UnitKind.UTILITY),
    ("heating", "子洲县热力公司", "热力公司", UnitKind.UTILITY),
]
# Streets whose units have units of their own below them (level 3), and which they re-dispatch
# to. The county seat's street runs a sub-centre (分中心) with its communities and an office.
SUB_CENTRE_STREET = "shuanghu"
LEVEL3_STREETS = {"shuanghu": 4, "hejiaji": 2, "mati": 2}
SHUANGHU_OFFICE = ("shuanghu_enforce", "双湖峪街道综合行政执法队", "街道执法队")

HOTLINE_STAFF: list[tuple[str, str, str]] = [
    ("agent1", "李娜", Role.AGENT),
    ("agent2", "王芳", Role.AGENT),
    ("agent3", "张敏", Role.AGENT),
    ("agent4", "刘洋", Role.AGENT),
    ("dispatcher1", "陈静", Role.DISPATCHER),
    ("dispatcher2", "杨帆", Role.DISPATCHER),
    ("callback1", "赵丽", Role.CALLBACK_AGENT),
    ("callback2", "黄婷", Role.CALLBACK_AGENT),
    ("supervisor1", "周强", Role.SUPERVISOR),
    ("supervisor2", "吴刚", Role.SUPERVISOR),
    ("analyst1", "徐明", Role.ANALYST),
    ("inspector1", "孙悦", Role.INSPECTOR),
]
UNIT_PEOPLE = ["高", "马", "郭", "林", "何", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "曹"]


@dataclass
class DemoOrg:
    """The seeded organisation, with the personas the simulation acts through."""

    county: Region
    centre: Unit
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # Per street code: (street region, [community regions]).
    streets: dict[str, tuple[Region, list[Region]]] = field(default_factory=dict)

    def staff(self, role: str) -> list[User]:
        prefix: str = {
            Role.AGENT: "agent",
            Role.DISPATCHER: "dispatcher",
            Role.CALLBACK_AGENT: "callback",
            Role.SUPERVISOR: "supervisor",
            Role.INSPECTOR: "inspector",
        }[Role(role)]
        return [u for name, u in sorted(self.users.items()) if name.startswith(prefix)]

    def handler(self, unit_code: str) -> User:
        return self.users[f"{unit_code}_handler"]

    def manager(self, unit_code: str) -> User:
        return self.users[f"{unit_code}_manager"]

    def children(self, unit_code: str) -> list[Unit]:
        parent = self.units[unit_code]
        return [u for u in self.units.values() if u.parent_id == parent.pk]


def _region(code: str, name: str, level: int, parent: Region | None) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    return region


def _unit(
    code: str, name: str, kind: str, region: Region, parent: Unit | None, short: str = ""
) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = Unit.objects.create(
            code=code, name=name, short_name=short, kind=kind, region=region, parent=parent
        )
    return unit


def _user(
    org: DemoOrg, new: list[User], username: str, name: str, unit: Unit, role: str, **extra
) -> None:
    user = User.objects.filter(username=username).first()
    if user is None:
        # No password yet (None makes it unusable, at no cost): `_create_users` sets them all.
        user = user_create(
            username=username,
            password=None,
            display_name=name,
            memberships=[(unit, role)],
            **extra,
        )
        new.append(user)
    org.users[username] = user


def build_organisation() -> DemoOrg:
    """Create (or find) the county's regions, units and users."""
    province = _region(*PROVINCE, RegionLevel.PROVINCE, None)
    city = _region(*CITY, RegionLevel.CITY, province)
    county = _region(*COUNTY, RegionLevel.COUNTY, city)
    centre = _unit("centre", "子洲县12345政务服务便民热线中心", UnitKind.CENTRE, county, None)
    org = DemoOrg(county=county, centre=centre, units={"centre": centre})
    for code, name, short, kind in DEPARTMENTS:
        org.units[code] = _unit(code, name, kind, county, centre, short)
    for suffix, code, name, communities in STREETS:
        street = _region(f"{COUNTY[0]}{suffix}", name, RegionLevel.STREET, county)
        comm_regions = [
            _region(f"{street.code}{i + 1:03d}", c, RegionLevel.COMMUNITY, street)
            for i, c in enumerate(communities)
        ]
        org.streets[code] = (street, comm_regions)
        kind = UnitKind.SUB_CENTRE if code == SUB_CENTRE_STREET else UnitKind.STREET
        label = f"{name}便民服务分中心" if kind == UnitKind.SUB_CENTRE else f"{name}办事处"
        if name.endswith("镇"):
            label = f"{name}人民政府"
        unit = org.units[code] = _unit(code, label, kind, street, centre, name)
        for i, region in enumerate(comm_regions[: LEVEL3_STREETS.get(code, 0)]):
            org.units[f"{code}_c{i + 1}"] = _unit(
                f"{code}_c{i + 1}", region.name, UnitKind.COMMUNITY, region, unit, region.name
            )
        if code == SUB_CENTRE_STREET:
            office_code, office_name, office_short = SHUANGHU_OFFICE
            org.units[office_code] = _unit(
                office_code, office_name, UnitKind.OTHER, street, unit, office_short
            )
    _create_users(org)
    return org


def _create_users(org: DemoOrg) -> None:
    new: list[User] = []
    for username, display, role in HOTLINE_STAFF:
        _user(org, new, username, display, org.centre, role)
    _user(org, new, "admin", "系统管理员", org.centre, Role.ADMIN, is_superuser=True)
    for i, (code, unit) in enumerate(sorted(org.units.items())):
        if code == "centre":
            continue
        surname = UNIT_PEOPLE[i % len(UNIT_PEOPLE)]
        short = unit.short_name or unit.name
        _user(org, new, f"{code}_handler", f"{surname}承办（{short}）", unit, Role.UNIT_HANDLER)
        _user(org, new, f"{code}_manager", f"{surname}主任（{short}）", unit, Role.UNIT_MANAGER)
    # Every demo account shares one published password, so one hash serves them all: hashing
    # it ~90 times (PBKDF2, ~0.3 s each) would be the slowest part of a small seed.
    if new:
        hashed = make_password(DEMO_PASSWORD)
        User.objects.filter(pk__in=[u.pk for u in new]).update(password=hashed)
        for user in new:
            user.password = hashed
