"""Mark the adoptions already placed in an issue of their periodical (``Adoption.in_issue``)."""

from typing import Any

from django.db import migrations
from django.db.models import Exists, OuterRef


def mark(apps: Any, schema_editor: Any) -> None:
    adoption = apps.get_model("desk", "Adoption")
    entry = apps.get_model("periodicals", "IssueItem")
    placed = entry.objects.filter(
        item_id=OuterRef("item_id"), issue__periodical_id=OuterRef("periodical_id")
    )
    adoption.objects.filter(periodical__isnull=False).filter(Exists(placed)).update(in_issue=True)


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0004_adoption_in_issue"),
        ("periodicals", "0008_issue_queue_and_reading_indexes"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
