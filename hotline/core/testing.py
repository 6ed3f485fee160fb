"""Test helpers shared by every app: an organisation with personas for each role.

Personas (house style): alice is a hotline agent, bob handles orders at the water utility, charlie
handles orders at the housing bureau and must be refused what is bob's; dave dispatches, sue
supervises, carl calls back, mia manages the street office that re-dispatches to its community."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.accounts.choices import RegionLevel, Role, UnitKind
from hotline.accounts.models import Region, Unit, User
from hotline.accounts.services import user_create

PASSWORD = "pass-12345-word"


@dataclass
class Org:
    city: Region
    county: Region
    other_county: Region
    street: Region
    centre: Unit
    sub_centre: Unit
    water: Unit
    housing: Unit
    street_office: Unit
    community: Unit
    alice: User  # agent at the centre
    dave: User  # dispatcher at the centre
    sue: User  # supervisor at the centre
    carl: User  # callback agent at the centre
    bob: User  # handler at the water utility
    bella: User  # manager at the water utility
    charlie: User  # handler at the housing bureau
    mia: User  # manager of the street office
    cora: User  # handler at the community
    ann: User  # analyst at the centre


def make_org() -> Org:
    city = Region.objects.create(code="610800", name="榆林市", level=RegionLevel.CITY)
    county = Region.objects.create(
        code="610831", name="子洲县", level=RegionLevel.COUNTY, parent=city
    )
    other = Region.objects.create(
        code="610802", name="榆阳区", level=RegionLevel.COUNTY, parent=city
    )
    street = Region.objects.create(
        code="610831100", name="双湖峪街道", level=RegionLevel.STREET, parent=county
    )
    centre = Unit.objects.create(
        code="C0", name="市12345热线中心", kind=UnitKind.CENTRE, region=city
    )
    sub = Unit.objects.create(
        code="C1", name="榆阳区分中心", kind=UnitKind.SUB_CENTRE, region=other, parent=centre
    )
    water = Unit.objects.create(
        code="U-WATER", name="县自来水公司", kind=UnitKind.UTILITY, region=county, parent=centre
    )
    housing = Unit.objects.create(
        code="U-HOUSING", name="县住建局", kind=UnitKind.DEPARTMENT, region=county, parent=centre
    )
    street_office = Unit.objects.create(
        code="U-STREET", name="双湖峪街道办", kind=UnitKind.STREET, region=street, parent=centre
    )
    community = Unit.objects.create(
        code="U-COMM", name="东城社区", kind=UnitKind.COMMUNITY, region=street, parent=street_office
    )

    def person(name: str, unit: Unit, role: str) -> User:
        return user_create(
            username=name, password=PASSWORD, display_name=name, memberships=[(unit, role)]
        )

    return Org(
        city=city,
        county=county,
        other_county=other,
        street=street,
        centre=centre,
        sub_centre=sub,
        water=water,
        housing=housing,
        street_office=street_office,
        community=community,
        alice=person("alice", centre, Role.AGENT),
        dave=person("dave", centre, Role.DISPATCHER),
        sue=person("sue", centre, Role.SUPERVISOR),
        carl=person("carl", centre, Role.CALLBACK_AGENT),
        bob=person("bob", water, Role.UNIT_HANDLER),
        bella=person("bella", water, Role.UNIT_MANAGER),
        charlie=person("charlie", housing, Role.UNIT_HANDLER),
        mia=person("mia", street_office, Role.UNIT_MANAGER),
        cora=person("cora", community, Role.UNIT_HANDLER),
        ann=person("ann", centre, Role.ANALYST),
    )
