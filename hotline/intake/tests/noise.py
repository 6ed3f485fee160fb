"""The noise category with extra fields (附加信息) that the desk's and the portal's tests share."""

from __future__ import annotations

from hotline.catalog.models import Category, CategoryField, FieldDatatype


def noise_leaf(root: str, middle: str, *, periods: bool = True) -> Category:
    """社会生活噪声 under `root` / `middle`, with 噪声来源 (a required choice), 发生时段 (several
    choices, unless `periods` is false) and 所在楼层 (a number)."""
    top = Category.objects.create(name=root, level=1)
    mid = Category.objects.create(name=middle, level=2, parent=top)
    leaf = Category.objects.create(name="社会生活噪声", level=3, parent=mid)
    CategoryField.objects.create(
        category=leaf,
        code="source",
        label="噪声来源",
        order=1,
        datatype=FieldDatatype.SINGLEVALUELIST,
        required=True,
        values=[{"key": "renovation", "name": "装修施工"}, {"key": "dance", "name": "广场舞"}],
    )
    if periods:
        CategoryField.objects.create(
            category=leaf,
            code="periods",
            label="发生时段",
            order=2,
            datatype=FieldDatatype.MULTIVALUELIST,
            values=[{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间22时后"}],
        )
    CategoryField.objects.create(
        category=leaf, code="floor", label="所在楼层", order=3, datatype=FieldDatatype.NUMBER
    )
    return leaf
