import json

from django.core.management.base import BaseCommand

from takedowns.services.programmes import brand_programmes_recompute


class Command(BaseCommand):
    help = "Recompute good-faith programme membership and misuse flags for every brand now."

    def handle(self, **options):
        self.stdout.write(json.dumps(brand_programmes_recompute()))
