"""The shared world of the tests: build what a test needs in a line."""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from brands.models import Brand, BrandMembership, IPRight
from merchants.models import Listing, Merchant
from takedowns.models import Claim, Evidence

# A whole 1×1 PNG (one red pixel): it passes Pillow's verification, as uploads must.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=name)[0])


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    contact_email = factory.Sequence(lambda n: f"legal{n}@brand.example")


class IPRightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IPRight

    brand = factory.SubFactory(BrandFactory)
    kind = "trademark"
    mark = factory.LazyAttribute(lambda r: r.brand.name.upper())
    registration_number = factory.Sequence(lambda n: f"REG{n:07d}")
    office = "EUIPO"
    classes = "18,25"
    valid_from = dt.date(2015, 1, 1)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1000))
    status = IPRight.Status.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandMembership

    user = factory.SubFactory(UserFactory)
    brand = factory.SubFactory(BrandFactory)
    role = "owner"


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    platform_ref = factory.Sequence(lambda n: f"MF-{n}")
    name = factory.Sequence(lambda n: f"Seller {n}")
    email = factory.Sequence(lambda n: f"seller{n}@merchant.example")
    country = "DE"


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    platform_ref = factory.Sequence(lambda n: f"LF-{n}")
    merchant = factory.SubFactory(MerchantFactory)
    url = factory.Sequence(lambda n: f"https://market.example/f/{n}")
    title = factory.Sequence(lambda n: f"Fake handbag {n}")
    price = 49
    currency = "EUR"


class ClaimFactory(factory.django.DjangoModelFactory):
    """A complete draft: verified right, declarations, signature. Add evidence with `with_evidence`."""

    class Meta:
        model = Claim

    brand = factory.SubFactory(BrandFactory)
    ip_right = factory.LazyAttribute(lambda c: IPRightFactory(brand=c.brand))
    listing = factory.SubFactory(ListingFactory)
    infringement_type = "counterfeit"
    description = "Counterfeit of our bag"
    good_faith = True
    accurate = True
    signature = "Jane Counsel"
    reference = factory.Sequence(lambda n: f"TD-2026-{n + 900000:06d}")


def with_evidence(claim: Claim) -> Claim:
    """One photo of the listing, recorded as the filing service records it (its real SHA-256)."""
    Evidence.objects.create(
        claim=claim,
        file=ContentFile(PNG, name="photo.png"),
        sha256=hashlib.sha256(PNG).hexdigest(),
        content_type="image/png",
        size=len(PNG),
        kind="image",
    )
    return claim
