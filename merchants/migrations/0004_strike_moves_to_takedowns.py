"""Strikes are consequences of claims and move to the takedowns app (takedowns 0003 takes the table over).
Only the migration state changes here; the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0003_language"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Strike")],
        ),
    ]
