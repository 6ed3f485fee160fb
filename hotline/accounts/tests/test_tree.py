import pytest

from hotline.accounts.models import Region, Unit


def test_it_gives_a_new_node_its_parents_path(org):
    assert org.centre.path == f"/{org.centre.pk}/"
    assert org.community.path == f"/{org.centre.pk}/{org.street_office.pk}/{org.community.pk}/"


def test_it_moves_the_subtree_with_a_moved_unit(org):
    grandchild = Unit.objects.create(
        code="U-GRID", name="网格一", kind="other", region=org.street, parent=org.community
    )
    org.street_office.parent = org.sub_centre
    org.street_office.save()
    base = f"/{org.centre.pk}/{org.sub_centre.pk}/{org.street_office.pk}/"
    assert Unit.objects.get(pk=org.street_office.pk).path == base
    assert Unit.objects.get(pk=org.community.pk).path == f"{base}{org.community.pk}/"
    assert Unit.objects.get(pk=grandchild.pk).path == f"{base}{org.community.pk}/{grandchild.pk}/"
    subtree = set(Unit.objects.subtree(org.sub_centre).values_list("code", flat=True))
    assert subtree == {"C1", "U-STREET", "U-COMM", "U-GRID"}
    # Units that did not move keep their paths.
    assert Unit.objects.get(pk=org.water.pk).path == f"/{org.centre.pk}/{org.water.pk}/"


def test_it_moves_a_unit_to_the_root(org):
    org.street_office.parent = None
    org.street_office.save()
    assert Unit.objects.get(pk=org.community.pk).path == (
        f"/{org.street_office.pk}/{org.community.pk}/"
    )
    assert not Unit.objects.get(pk=org.community.pk).is_descendant_of(org.centre)


def test_it_refuses_to_move_a_unit_under_itself(org):
    org.street_office.parent = org.community
    with pytest.raises(ValueError, match="under itself"):
        org.street_office.save()
    assert Unit.objects.get(pk=org.street_office.pk).path == (
        f"/{org.centre.pk}/{org.street_office.pk}/"
    )


def test_it_maintains_region_paths_too(org):
    org.street.parent = org.other_county
    org.street.save()
    assert Region.objects.get(pk=org.street.pk).path == f"{org.other_county.path}{org.street.pk}/"
    assert org.street.ancestor_ids() == [org.city.pk, org.other_county.pk, org.street.pk]
