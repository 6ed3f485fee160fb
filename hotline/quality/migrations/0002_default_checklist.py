"""A starting checklist (100 points), edited in admin afterwards: 服务态度 is a veto item."""

from django.db import migrations

DEFAULT = [
    ("开头语规范", "使用规范开头语、自报工号", 10, False),
    ("诉求记录完整", "时间、地点、人物、事由、诉求记录齐全准确", 25, False),
    ("分类准确", "诉求类型与三级分类选择正确", 15, False),
    ("派单准确", "直办或转派判断正确，派单对象符合派单目录", 15, False),
    ("答复口径正确", "政策解答与知识库口径一致，不作超出职责的承诺", 20, False),
    ("服务态度", "文明用语、耐心倾听；推诿、顶撞、辱骂诉求人一票否决", 15, True),
]


def add(apps, schema_editor):
    Item = apps.get_model("quality", "ChecklistItem")
    for position, (name, description, points, veto) in enumerate(DEFAULT, start=1):
        Item.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "points": points,
                "is_veto": veto,
                "position": position,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("quality", "ChecklistItem").objects.filter(
        name__in=[d[0] for d in DEFAULT]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
