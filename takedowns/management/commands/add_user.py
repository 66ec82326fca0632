from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from brands.models import Brand, BrandMembership
from core.roles import STAFF_GROUPS
from core.tokens import api_token_issue
from merchants.models import Merchant

ROLES = ("brand", "reviewer", "compliance", "merchant", "platform")


class Command(BaseCommand):
    help = "Create or update a user with a role (docs/contract.md §8). Prints the user's API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument(
            "--brand",
            help="brand name (created if new), with --role brand; without it the user registers its own brands",
        )
        parser.add_argument("--brand-role", default="owner", choices=BrandMembership.Role.values)
        parser.add_argument("--merchant", help="merchant platform_ref (created if new); with --role merchant")
        parser.add_argument("--superuser", action="store_true", help="also a Django admin superuser")

    @transaction.atomic
    def handle(self, username, password, email, role, brand, brand_role, merchant, superuser, **options):
        if brand and role != "brand":
            raise CommandError("--brand goes with --role brand")
        if role == "merchant" and not merchant:
            raise CommandError("--role merchant needs --merchant PLATFORM_REF")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if email:
            user.email = email
        try:
            # The same password rules as the portal: at least 12 characters, not like the user's name or
            # e-mail, not a common or all-numeric password.
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        user.is_staff = superuser or role in ("reviewer", "compliance")
        user.is_superuser = superuser
        user.save()
        if role in STAFF_GROUPS:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        if role == "brand" and brand:
            brand_obj, _ = Brand.objects.get_or_create(name=brand, defaults={"contact_email": email})
            BrandMembership.objects.update_or_create(
                user=user,
                brand=brand_obj,
                defaults={
                    "role": brand_role,
                    "authorisation_verified": brand_role != BrandMembership.Role.AGENT,
                },
            )
        if role == "merchant":
            merchant_obj, _ = Merchant.objects.get_or_create(
                platform_ref=merchant, defaults={"name": merchant, "email": email}
            )
            merchant_obj.users.add(user)
        token, _expiry = api_token_issue(user=user)
        self.stdout.write(
            f"{'created' if created else 'updated'} {username} ({role}); API token (shown once): {token}"
        )
