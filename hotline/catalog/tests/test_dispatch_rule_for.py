from hotline.catalog.models import Category, DispatchRule
from hotline.catalog.services import dispatch_rule_for


def node(*names: str) -> Category:
    c = None
    for name in names:
        c = Category.objects.get(parent=c, name=name)
    return c


def rule(category, unit, region=None, **kw) -> DispatchRule:
    return DispatchRule.objects.create(category=category, lead_unit=unit, region=region, **kw)


def test_it_prefers_the_leaf_rule_over_the_parent_rule(org):
    water = node("城乡建设", "供水")
    outage = node("城乡建设", "供水", "停水")
    quality = node("城乡建设", "供水", "水质")
    rule(water, org.water)
    leaf = rule(outage, org.housing)
    assert dispatch_rule_for(category=outage, region=org.street) == leaf
    # A sibling leaf without its own rule falls back to the parent's.
    assert dispatch_rule_for(category=quality, region=org.street).lead_unit == org.water


def test_it_prefers_the_nearest_region_then_all_regions(org):
    outage = node("城乡建设", "供水", "停水")
    everywhere = rule(outage, org.water)
    county = rule(outage, org.housing, region=org.county)
    street = rule(outage, org.street_office, region=org.street)
    assert dispatch_rule_for(category=outage, region=org.street) == street
    assert dispatch_rule_for(category=outage, region=org.county) == county
    # 榆阳区 is outside 子洲县: only the rule for all regions applies.
    assert dispatch_rule_for(category=outage, region=org.other_county) == everywhere
    assert dispatch_rule_for(category=outage, region=None) == everywhere


def test_it_lets_a_deeper_category_beat_a_nearer_region(org):
    water = node("城乡建设", "供水")
    outage = node("城乡建设", "供水", "停水")
    rule(water, org.street_office, region=org.street)
    leaf = rule(outage, org.water)
    assert dispatch_rule_for(category=outage, region=org.street) == leaf


def test_it_skips_inactive_rules_and_disabled_units(org):
    water = node("城乡建设", "供水")
    outage = node("城乡建设", "供水", "停水")
    parent = rule(water, org.water)
    rule(outage, org.housing, is_active=False)
    assert dispatch_rule_for(category=outage, region=org.county) == parent
    org.water.is_active = False
    org.water.save()
    assert dispatch_rule_for(category=outage, region=org.county) is None


def test_it_returns_none_without_rules(org):
    assert dispatch_rule_for(category=node("其他"), region=org.county) is None
