"""The usual unit classes, so that a fresh install can create units at once.

``get_or_create`` by name: a database that already has a class of that name keeps it as it is.
Reversing leaves the classes alone: by then units may use them.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

#: (name, order, items owed per month, adoptions expected per month)
CLASSES = (
    ("县区", 1, 6, 2),
    ("市直部门", 2, 4, 1),
    ("直报点", 3, 2, 0),
)


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    unit_class = apps.get_model("org", "UnitClass")
    for name, rank, quota, adoptions in CLASSES:
        unit_class.objects.get_or_create(
            name=name,
            defaults={"rank": rank, "quota_per_month": quota, "adoptions_per_month": adoptions},
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0002_unit_class_quotas_office_profile")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
