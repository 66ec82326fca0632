"""API tokens are now stored as hashes (django-rest-knox). The old table held them in plain text: it goes,
and with it every old token; users create new ones on their account page or with `POST /api/v1/auth/token/`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop)]
