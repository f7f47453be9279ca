"""The statistics' indexes on the items and the desk's adoptions are now the models' own
(``item_period_stats``, ``adoption_period_stats``, the same columns): an index Django's
migration state does not know is lost when SQLite rebuilds the table for a later change of it.
The raw ones of 0007 go.
"""

from django.db import migrations

INDEXES = {
    "item_submitted_stats": 'ON "items_item" ("submitted_at", "unit_id", "status", "kind")',
    "adoption_on_stats": 'ON "desk_adoption" ("adopted_on", "level", "item_id")',
}


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0009_reversals_index"),
        ("items", "0008_period_statistics_indexes"),
        ("desk", "0005_period_statistics_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"DROP INDEX IF EXISTS {name}",
            reverse_sql=f"CREATE INDEX {name} {target}",
        )
        for name, target in INDEXES.items()
    ]
