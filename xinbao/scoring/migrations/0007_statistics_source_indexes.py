"""Indexes on the tables the statistics read (items, the desk's adoptions), kept with the
statistics that need them.

Every figure of the dashboard is an aggregate over one period: the items submitted in it
(per unit and kind) and the adoptions dated in it. Without these the databases walked every
item of every unit (10^5 items: 3.7 s for the dashboard). Each index starts with the period's
column so that the aggregate is one range, and carries the grouped columns so that the range
is read from the index alone (``scoring.statistics``; plans frozen in
``xinbao/tests/test_query_plans_apps.py``). They are raw SQL on purpose: the tables belong to
apps below scoring, whose models need not know what scoring counts; the statements are the
same on SQLite and PostgreSQL.
"""

from django.db import migrations

INDEXES = {
    "item_submitted_stats": 'ON "items_item" ("submitted_at", "unit_id", "status", "kind")',
    "adoption_on_stats": 'ON "desk_adoption" ("adopted_on", "level", "item_id")',
}


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0006_score_entry_posted_once"),
        ("items", "0005_search_index"),
        ("desk", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} {target}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, target in INDEXES.items()
    ]
