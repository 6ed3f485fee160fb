import csv
from pathlib import Path

from hotline.catalog.models import Category

CSV = Path(__file__).resolve().parent.parent / "data" / "default_categories.csv"


def test_it_loads_the_default_tree_in_every_database(db):
    with CSV.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    assert Category.objects.filter(level=1).count() == len({r[0] for r in rows}) == 13
    assert Category.objects.filter(level=2).count() == len({tuple(r[:2]) for r in rows})
    assert Category.objects.filter(level=3).count() == len(rows)
    assert 150 <= len(rows) <= 250


def test_it_gives_each_default_node_a_consistent_path(db):
    water = Category.objects.get(name="供水", parent__name="城乡建设")
    outage = Category.objects.get(name="停水", parent=water)
    assert outage.level == 3
    assert outage.path == f"{water.path}{outage.pk}/"
    assert outage.full_name == "城乡建设 / 供水 / 停水"
    assert set(Category.objects.subtree(water).values_list("name", flat=True)) >= {
        "供水",
        "停水",
        "水质",
    }
    for node in Category.objects.select_related("parent"):
        prefix = node.parent.path if node.parent else "/"
        assert node.path == f"{prefix}{node.pk}/"
        assert node.level == len(node.ancestor_ids())


def test_it_keeps_the_migration_idempotent(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("hotline.catalog.migrations.0003_default_category_tree")
    before = Category.objects.count()
    migration.load(apps, None)
    assert Category.objects.count() == before
