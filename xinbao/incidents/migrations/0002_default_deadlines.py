"""The default deadline table; the office edits it (see docs/urgent.md for the sources)."""

from django.db import migrations

SOURCE = (
    "Default of Xinbao for urgent information: especially serious and serious incidents by "
    "phone within 15 minutes and in writing within 30; relatively serious 30 and 60; ordinary "
    "in writing within 24 hours. Replace with the province's own rule where it differs."
)
DEFAULTS = [
    (1, "phone", 15), (1, "written", 30),
    (2, "phone", 15), (2, "written", 30),
    (3, "phone", 30), (3, "written", 60),
    (4, "phone", None), (4, "written", 24 * 60),
]


def add(apps, schema_editor):
    Rule = apps.get_model("incidents", "DeadlineRule")
    for level, mode, minutes in DEFAULTS:
        Rule.objects.get_or_create(level=level, mode=mode,
                                   defaults={"minutes": minutes, "source": SOURCE})


def remove(apps, schema_editor):
    apps.get_model("incidents", "DeadlineRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
