"""Load the default category tree (诉求分类) from data/default_categories.csv.

Historical models have no custom save(), so the materialised path is set here by hand. Idempotent:
a node that already exists (same parent, same name) is left as it is, so a city that has edited or
extended its tree before this migration runs keeps its edits."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "default_categories.csv"


def load(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    nodes = {(c.parent_id, c.name): c for c in Category.objects.all()}
    siblings: dict = {}
    for c in nodes.values():
        siblings[c.parent_id] = siblings.get(c.parent_id, 0) + 1
    with CSV_PATH.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    for row in rows:
        parent = None
        for level, name in enumerate((cell.strip() for cell in row), start=1):
            if not name:
                break
            parent_id = parent.pk if parent else None
            node = nodes.get((parent_id, name))
            if node is None:
                siblings[parent_id] = siblings.get(parent_id, 0) + 1
                node = Category.objects.create(
                    parent=parent, name=name, level=level, sort_order=siblings[parent_id]
                )
                node.path = f"{parent.path if parent else '/'}{node.pk}/"
                node.save(update_fields=["path"])
                nodes[(parent_id, name)] = node
            parent = node


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_default_types_and_urgencies")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
