"""Who gets what, route by route: an authorization matrix generated from the URL configuration.

Every API route (`api/v1/…`) and every portal page is collected from the resolver and keyed by its URL name
("api:<name>" or "page:<name>": the two doors reuse some names). The table below says, for each key, how to
build its URL for an object of the caller's tenant and for another tenant's object, which methods to try
and what each role gets (docs/contract.md §2, §8):

- anonymous: 401 from the API, a redirect to the login page from the portal (`L`);
- another tenant's object: 404, never 403;
- a role that may never act: 403 (the portal's claim and batch pages show a service's refusal on the page
  they redirect to, as the API's message: there the answer is 302, and what counts is that nothing is
  written);
- allowed: 200/201/204/302 (or 400/409 when the minimal body or the object's state does not do).

Every unsafe request by a role that is not one of the route's `writers`, and every request on another
tenant's object, must write nothing. A route without an entry fails the build, and so does an entry whose
route is gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from brands.models import BrandMembership, IPRight
from core.audit import audit
from core.roles import SYSTEM
from merchants.models import ListingImage, Merchant
from merchants.services.networks import merchant_identifiers_record
from reports.models import Export
from takedowns.models import (
    BanHold,
    ClaimBatch,
    CounterNoticeEvidence,
    QueueView,
    TestPurchase,
    TestPurchasePhoto,
)
from takedowns.services.notices import merchant_link_token
from tests.factories import PNG, IPRightFactory, UserFactory
from tests.lifecycle import claim_in_state

# The roles, in the order of the table's columns, and the `world` attribute holding each one's user.
ROLES = (
    "anonymous",
    "owner",
    "agent",
    "viewer",
    "other_owner",
    "reviewer",
    "compliance",
    "platform",
    "merchant",
    "outsider",
)
USER_OF = {role: role for role in ROLES} | {"anonymous": None, "merchant": "merchant_user"}
L = "login"  # a portal page sends an anonymous visitor to the login page (302)

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
EXCLUDED_PREFIXES = ("admin/", "i18n/", "api/schema/", "api/docs/")


def S(*codes) -> dict[str, int | str]:
    """One row of the table: the answer for each role, in the order of ROLES."""
    assert len(codes) == len(ROLES), codes
    return dict(zip(ROLES, codes, strict=True))


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


# --- the objects a URL or a body names, built for the caller's tenant ("own") or another tenant ("other") --
class Objects:
    """What the table's `{placeholders}` and bodies refer to, built on first use only, so that each case
    creates just the rows it needs. `own` objects belong to the world's brand (and its listing's merchant,
    whose user is `merchant`); `other` objects to the other brand and another merchant."""

    def __init__(self, world, tenant: str, state: str):
        self.world, self.tenant, self.state = world, tenant, state
        self._built: dict[str, Any] = {}

    @property
    def own(self) -> bool:
        return self.tenant == "own"

    def obj(self, key: str):
        if key not in self._built:
            self._built[key] = getattr(self, f"_{key}")()
        return self._built[key]

    def __getitem__(self, key: str):
        value = self.obj(key)
        return getattr(value, "pk", value)

    # builders
    def _brand(self):
        return self.world.brand if self.own else self.world.other_brand

    def _right(self):
        return self.world.right if self.own else self.world.other_right

    def _cert_right(self):
        right = self.obj("right")
        right.certificate.save("certificate.png", ContentFile(PNG), save=True)
        return right

    def _pending_right(self):
        return IPRightFactory(brand=self.obj("brand"), status=IPRight.Status.PENDING)

    def _member(self):
        """A member an owner may remove: the viewer (the other brand has its owner only)."""
        user = self.world.viewer if self.own else self.world.other_owner
        return BrandMembership.objects.get(user=user, brand=self.obj("brand"))

    def _agent_member(self):
        """An agent waiting for a reviewer, with its authorisation letter."""
        if self.own:
            membership = BrandMembership.objects.get(user=self.world.unverified_agent, brand=self.world.brand)
        else:
            membership = BrandMembership.objects.create(
                user=UserFactory(username="other_agent"), brand=self.world.other_brand, role="agent"
            )
        membership.authorisation_letter.save("letter.png", ContentFile(PNG), save=True)
        return membership

    def _claim(self):
        return self._claim_in(self.state)

    def _claim_in(self, state: str, **fields):
        if self.own:
            return claim_in_state(self.world, state, **fields)
        other = replace(
            self.world,
            owner=self.world.other_owner,
            brand=self.world.other_brand,
            right=self.world.other_right,
            merchant=self.world.other_listing.merchant,
        )
        fields.setdefault("listing", self.world.other_listing)
        return claim_in_state(other, state, **fields)

    def _evidence(self):
        return self.obj("claim").evidence.get()

    def _batch(self):
        batch = ClaimBatch.objects.create(
            brand=self.obj("brand"),
            ip_right=self.obj("right"),
            created_by=self.world.owner if self.own else self.world.other_owner,
            fields={"infringement_type": "counterfeit"},
            status=ClaimBatch.Status.DONE,
            total=1,
            done=1,
        )
        self._claim_in("draft", batch=batch)
        return batch

    def _failed_batch(self):
        """A finished bulk filing whose row 1 named a listing nobody knows: Fix and Discard act on it."""
        return ClaimBatch.objects.create(
            brand=self.obj("brand"),
            ip_right=self.obj("right"),
            created_by=self.world.owner if self.own else self.world.other_owner,
            fields={"infringement_type": "counterfeit"},
            status=ClaimBatch.Status.DONE,
            total=1,
            done=1,
            errors=[
                {
                    "row": 1,
                    "values": {"listing_url": "https://market.example/none"},
                    "problems": [
                        {"code": "listing_unknown", "params": {"url": "https://market.example/none"}}
                    ],
                }
            ],
        )

    def _merchant(self):
        return self.world.merchant if self.own else self.world.other_listing.merchant

    def _banned_merchant(self):
        merchant = self.obj("merchant")
        Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.BANNED)
        return merchant

    def _listing(self):
        return self.world.listing if self.own else self.world.other_listing

    def _held_merchant(self):
        """A merchant whose ban the strike threshold asked for: any reviewer may confirm or decline it."""
        merchant = self.obj("merchant")
        BanHold.objects.create(
            merchant=merchant,
            action=BanHold.Action.BAN,
            reason="3 active strikes",
            why_held="probe",
            requested_label="system",
            previous_status=merchant.status,
        )
        Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.BAN_PENDING)
        return merchant

    def _lift_held_merchant(self):
        merchant = self.obj("banned_merchant")
        BanHold.objects.create(
            merchant=merchant,
            action=BanHold.Action.LIFT,
            reason="Supplier documents check out.",
            why_held="probe",
            requested_label="system",
            previous_status=Merchant.Status.BANNED,
        )
        return merchant

    def _queue_view(self):
        """A saved view of the queue: the reviewer's own, or (another tenant's) a colleague's."""
        owner = self.world.reviewer if self.own else self.world.second_reviewer
        return QueueView.objects.create(owner=owner, name="Overdue", query="overdue=1")

    def _counter_document(self):
        """An invoice with the counter-notice of `{claim}` (which must be counter-noticed)."""
        return _invoice_for(self.obj("claim"))

    def _cn_claim(self):
        return self._claim_in("counter_noticed")

    def _cn_token(self):
        """The signed link of a counter-noticed claim; another tenant's stands for a link that is not ours."""
        token = merchant_link_token(self.obj("cn_claim"))
        return token if self.own else token[:-4] + "xxxx"

    def _cn_document(self):
        return _invoice_for(self.obj("cn_claim"))

    def _test_purchase(self):
        """A test purchase of the brand from the listing's seller (the one `{claim}` is about)."""
        listing = self.obj("listing")
        return TestPurchase.objects.create(
            brand=self.obj("brand"),
            listing=listing,
            merchant_id=listing.merchant_id,
            order_ref="PROBE-ORDER",
            ordered_on=dt.date(2026, 1, 2),
            amount=10,
            currency="EUR",
            verdict="counterfeit",
        )

    def _test_purchase_photo(self):
        return TestPurchasePhoto.objects.create(
            purchase=self.obj("test_purchase"),
            file=ContentFile(PNG, name="parcel.png"),
            original_name="parcel.png",
            sha256="0" * 64,
            content_type="image/png",
            size=len(PNG),
        )

    def _export(self):
        """A background export still being built, requested by the brand's owner (or the other one's)."""
        requester = self.world.owner if self.own else self.world.other_owner
        return Export.objects.create(requested_by=requester, format="xlsx")

    def _event(self):
        return audit(actor=SYSTEM, action="brand_update", obj=self.obj("brand"), brand=self.obj("brand"))

    def _network(self):
        """The merchant of `{listing}` and a sister storefront sharing its payout account."""
        merchant = self.obj("merchant")
        sister = Merchant.objects.create(platform_ref=f"SIS-{self.tenant}", name="Sister storefront")
        for member in (merchant, sister):
            merchant_identifiers_record(merchant=member, identifiers={"payout_account": f"ACC-{self.tenant}"})
        return Merchant.objects.get(pk=merchant.pk).network

    def _listing_image(self):
        listing = self.obj("listing")
        return ListingImage.objects.create(
            listing=listing,
            file=ContentFile(PNG, name="listing.png"),
            sha256="0" * 64,
            content_type="image/png",
            size=len(PNG),
        )

    def _token(self):
        """The signed link of a takedown notice; another tenant's stands for a link that is not ours."""
        token = merchant_link_token(self._claim_in("taken_down"))
        return token if self.own else token[:-4] + "xxxx"


def _invoice_for(claim) -> CounterNoticeEvidence:
    return CounterNoticeEvidence.objects.create(
        counter_notice=claim.counter_notices.get(),
        file=ContentFile(PNG, name="invoice.png"),
        original_name="invoice.png",
        sha256="0" * 64,
        content_type="image/png",
        size=len(PNG),
    )


# --- the table ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    method: str
    path: str  # with {placeholders} from Objects
    expect: dict[str, int | str]  # role → status, for the caller's own tenant's object
    other: dict[str, int] = field(default_factory=dict)  # role → status, for another tenant's object
    writers: tuple[str, ...] = ()  # roles that may write here; everyone else must write nothing
    data: Callable[[Objects], Any] | None = None
    fmt: str = "json"  # API bodies: json or multipart
    state: str = "taken_down"  # the state of `{claim}`
    label: str = ""


def P(method, path, expect, **kwargs) -> Probe:
    return Probe(method, path, expect, **kwargs)


# Another tenant's object, tried by a filing member (an agent files as an owner does) and a read-only one;
# for claims also by a merchant whose listing it is not.
BRAND_USERS_404 = {"owner": 404, "viewer": 404}
CLAIM_OTHER = {"owner": 404, "viewer": 404, "merchant": 404}
FILERS = ("owner", "agent")
EVERYONE = ROLES
SIGNED_IN = ROLES[1:]
NOTE = {"note": "Checked."}
COUNTER_NOTICE = {"reason": "owner", "note": "Genuine goods.", "good_faith": True, "signature": "Sam Seller"}


def claim_body(o: Objects) -> dict:
    return {
        "brand": o["brand"],
        "ip_right": o["right"],
        "listing": o["listing"],
        "infringement_type": "counterfeit",
    }


def bulk_body(o: Objects) -> dict:
    return {
        "brand": o["brand"],
        "ip_right": o["right"],
        "infringement_type": "counterfeit",
        "listing_urls": [o.obj("listing").url],
    }


def purchase_body(o: Objects) -> dict:
    return {
        "brand": o["brand"],
        "listing": o["listing"],
        "order_ref": "PROBE-NEW",
        "ordered_on": "2026-01-02",
        "amount": "10.00",
        "currency": "EUR",
        "verdict": "genuine",
        "photos": [png("parcel.png")],
    }


def ip_right_body(o: Objects) -> dict:
    return {
        "brand": o["brand"],
        "kind": "trademark",
        "mark": "PROBE",
        "registration_number": "PROBE-1",
        "office": "EUIPO",
        "valid_from": "2020-01-01",
        "valid_until": "2040-01-01",
    }


# Columns:                 anonymous owner agent viewer other_owner reviewer compliance platform merchant outsider
API: dict[str, list[Probe]] = {
    "api-token": [
        # anyone may ask for a token; an empty body is a failed sign-in
        P(
            "POST",
            "/api/v1/auth/token/",
            S(400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
            writers=EVERYONE,
        ),
    ],
    "api-root": [P("GET", "/api/v1/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "report-summary": [
        P(
            "GET",
            "/api/v1/reports/summary/?brand={brand}",
            S(401, 200, 200, 200, 404, 200, 200, 403, 403, 403),
            other=BRAND_USERS_404,
        ),
    ],
    "report-export": [
        P(
            "GET",
            "/api/v1/reports/export/?format=csv&brand={brand}",
            S(401, 200, 200, 200, 404, 200, 200, 403, 403, 403),
            other=BRAND_USERS_404,
        ),
    ],
    "report-export-download": [
        # only its requester (here the owner) sees an export: 202 while it is built
        P(
            "GET",
            "/api/v1/reports/exports/{export}/",
            S(401, 202, 404, 404, 404, 404, 404, 404, 404, 404),
            other={"owner": 404},
        ),
    ],
    "brand-list": [
        P("GET", "/api/v1/brands/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        # anyone signed in who is neither staff, the marketplace nor a merchant registers brands
        P(
            "POST",
            "/api/v1/brands/",
            S(401, 201, 201, 201, 201, 403, 403, 403, 403, 201),
            writers=("owner", "agent", "viewer", "other_owner", "outsider"),
            data=lambda o: {"name": "Probe Brand"},
        ),
    ],
    "brand-detail": [
        P(
            "GET",
            "/api/v1/brands/{brand}/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
        P(
            "PATCH",
            "/api/v1/brands/{brand}/",
            S(401, 200, 403, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("owner",),
            data=lambda o: {"website": "https://probe.example"},
        ),
        P(
            "PUT",
            "/api/v1/brands/{brand}/",
            S(401, 200, 403, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("owner",),
            data=lambda o: {"name": o.obj("brand").name, "website": "https://probe.example"},
        ),
    ],
    "brand-members": [
        P(
            "GET",
            "/api/v1/brands/{brand}/members/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
        P(
            "POST",
            "/api/v1/brands/{brand}/members/",
            S(401, 201, 403, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("owner",),
            data=lambda o: {"username": "outsider", "role": "viewer"},
        ),
    ],
    "brand-remove-member": [
        P(
            "DELETE",
            "/api/v1/brands/{brand}/members/{member}/",
            S(401, 204, 403, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("owner",),
        ),
    ],
    "brand-verify-member": [
        P(
            "POST",
            "/api/v1/brands/{brand}/members/{agent_member}/verify/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("reviewer",),
            data=lambda o: NOTE,
        ),
    ],
    "brand-warn": [
        P(
            "POST",
            "/api/v1/brands/{brand}/warn/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("reviewer",),
            data=lambda o: NOTE,
        ),
    ],
    "brand-suspend": [
        # a brand is warned before it is suspended: the reviewer's 400 is that condition
        P(
            "POST",
            "/api/v1/brands/{brand}/suspend/",
            S(401, 403, 403, 403, 404, 400, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("reviewer",),
            data=lambda o: {"days": 7, "note": "Misuse."},
        ),
    ],
    "brand-trusted-flagger": [
        P(
            "POST",
            "/api/v1/brands/{brand}/trusted-flagger/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("reviewer",),
            data=lambda o: {"trusted": True, "designation": "Probe"},
        ),
    ],
    "brand-recompute-programmes": [
        P(
            "POST",
            "/api/v1/brands/{brand}/recompute-programmes/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("reviewer",),
        ),
    ],
    "ip-right-list": [
        P("GET", "/api/v1/ip-rights/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        # another tenant's brand in the body is "No such brand." (400), as an unknown one
        P(
            "POST",
            "/api/v1/ip-rights/",
            S(401, 201, 201, 403, 400, 403, 403, 403, 403, 403),
            other={"owner": 400, "viewer": 403},
            writers=FILERS,
            data=ip_right_body,
            fmt="multipart",
        ),
    ],
    "ip-right-detail": [
        P(
            "GET",
            "/api/v1/ip-rights/{right}/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "ip-right-certificate-file": [
        P(
            "GET",
            "/api/v1/ip-rights/{cert_right}/certificate/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "ip-right-verify": [
        P(
            "POST",
            "/api/v1/ip-rights/{pending_right}/verify/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=("reviewer",),
            data=lambda o: {"decision": "verified"},
        ),
    ],
    "merchant-list": [
        P("GET", "/api/v1/merchants/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        P(
            "POST",
            "/api/v1/merchants/",
            S(401, 403, 403, 403, 403, 201, 403, 201, 403, 403),
            writers=("reviewer", "platform"),
            data=lambda o: {"platform_ref": "M-PROBE", "name": "Probe Seller"},
        ),
    ],
    "merchant-detail": [
        P(
            "GET",
            "/api/v1/merchants/{merchant}/",
            S(401, 200, 200, 200, 200, 200, 200, 200, 200, 404),
            other={"merchant": 404},
        ),
    ],
    "network-list": [P("GET", "/api/v1/networks/", S(401, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "network-detail": [
        P("GET", "/api/v1/networks/{network}/", S(401, 403, 403, 403, 403, 200, 403, 403, 403, 403))
    ],
    "listing-images": [
        P(
            "GET",
            "/api/v1/listings/{listing}/images/",
            S(401, 200, 200, 200, 200, 200, 200, 200, 200, 404),
            other={"merchant": 404},
        ),
        P(
            "POST",
            "/api/v1/listings/{listing}/images/",
            S(401, 403, 403, 403, 403, 201, 403, 201, 403, 404),
            other={"merchant": 404},
            writers=("reviewer", "platform"),
            data=lambda o: {"file": png("listing.png")},
            fmt="multipart",
        ),
    ],
    "listing-image-file": [
        P(
            "GET",
            "/api/v1/listings/{listing}/images/{listing_image}/file/",
            S(401, 200, 200, 200, 200, 200, 200, 200, 200, 404),
            other={"merchant": 404},
        ),
    ],
    "merchant-ban": [
        P(
            "POST",
            "/api/v1/merchants/{merchant}/ban/",
            S(401, 403, 403, 403, 403, 200, 403, 403, 403, 404),
            other={"merchant": 404},
            writers=("reviewer",),
            data=lambda o: {"reason": "Repeat infringer."},
        ),
    ],
    "merchant-lift-ban": [
        P(
            "POST",
            "/api/v1/merchants/{banned_merchant}/lift-ban/",
            S(401, 403, 403, 403, 403, 200, 403, 403, 403, 404),
            other={"merchant": 404},
            writers=("reviewer",),
            data=lambda o: {"reason": "Appeal granted."},
        ),
    ],
    # a held ban or lift: the second reviewer decides (any reviewer when the strike threshold asked for it)
    **{
        f"merchant-{name}": [
            P(
                "POST",
                f"/api/v1/merchants/{{{held}}}/{name}/",
                S(401, 403, 403, 403, 403, 200, 403, 403, 403, 404),
                other={"merchant": 404},
                writers=("reviewer",),
                data=lambda o: {"note": "Checked by a second reviewer."},
            ),
        ]
        for name, held in [
            ("confirm-ban", "held_merchant"),
            ("decline-ban", "held_merchant"),
            ("confirm-lift-ban", "lift_held_merchant"),
            ("decline-lift-ban", "lift_held_merchant"),
        ]
    },
    "listing-list": [
        P("GET", "/api/v1/listings/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        P(
            "POST",
            "/api/v1/listings/",
            S(401, 403, 403, 403, 403, 201, 403, 201, 403, 403),
            writers=("reviewer", "platform"),
            data=lambda o: {
                "platform_ref": "L-PROBE",
                "merchant_ref": "M-1",
                "url": "https://market.example/probe",
                "title": "Probe",
            },
        ),
    ],
    "listing-bulk": [
        P(
            "POST",
            "/api/v1/listings/bulk/",
            S(401, 403, 403, 403, 403, 200, 403, 200, 403, 403),
            writers=("reviewer", "platform"),
            data=lambda o: [
                {
                    "platform_ref": "L-PROBE",
                    "merchant_ref": "M-1",
                    "url": "https://market.example/probe",
                    "title": "Probe",
                }
            ],
        ),
    ],
    "listing-detail": [
        P(
            "GET",
            "/api/v1/listings/{listing}/",
            S(401, 200, 200, 200, 200, 200, 200, 200, 200, 404),
            other={"merchant": 404},
        ),
    ],
    "claim-list": [
        P("GET", "/api/v1/claims/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        P(
            "POST",
            "/api/v1/claims/",
            S(401, 201, 201, 403, 400, 403, 403, 403, 403, 403),
            other={"owner": 400, "viewer": 403},
            writers=FILERS,
            data=claim_body,
        ),
    ],
    "claim-bulk": [
        P(
            "POST",
            "/api/v1/claims/bulk/",
            S(401, 201, 201, 403, 400, 403, 403, 403, 403, 403),
            other={"owner": 400, "viewer": 403},
            writers=FILERS,
            data=bulk_body,
        ),
    ],
    "claim-detail": [
        P(
            "GET",
            "/api/v1/claims/{claim}/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 200, 404),
            other=CLAIM_OTHER,
        ),
        # a merchant never sees a claim before the decision
        P(
            "GET",
            "/api/v1/claims/{claim}/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            state="submitted",
            label="submitted",
        ),
    ],
    "claim-evidence": [
        P(
            "POST",
            "/api/v1/claims/{claim}/evidence/",
            S(401, 201, 201, 403, 404, 403, 403, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            data=lambda o: {"file": png(), "kind": "image"},
            fmt="multipart",
            state="submitted",
        ),
    ],
    "claim-evidence-file": [
        # the brand's evidence: staff and the claim's brand, never the merchant
        P(
            "GET",
            "/api/v1/claims/{claim}/evidence/{evidence}/file/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=CLAIM_OTHER,
        ),
    ],
    "claim-counter-notice-evidence": [
        # the merchant's documents with its pending counter-notice
        P(
            "POST",
            "/api/v1/claims/{claim}/counter-notice-evidence/",
            S(401, 403, 403, 403, 404, 403, 403, 404, 201, 404),
            other=CLAIM_OTHER,
            writers=("merchant",),
            data=lambda o: {"file": png("invoice.png")},
            fmt="multipart",
            state="counter_noticed",
        ),
    ],
    "claim-counter-notice-evidence-file": [
        # read by reviewers, the claim's brand and the merchant itself; not compliance
        P(
            "GET",
            "/api/v1/claims/{claim}/counter-notice-evidence/{counter_document}/file/",
            S(401, 200, 200, 200, 404, 200, 404, 404, 200, 404),
            other=CLAIM_OTHER,
            state="counter_noticed",
        ),
    ],
    "claim-legal-action": [
        P(
            "POST",
            "/api/v1/claims/{claim}/legal-action/",
            S(401, 200, 200, 403, 404, 403, 403, 404, 403, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            data=lambda o: {"note": "Case 1:26-cv-1, SDNY."},
            state="counter_noticed",
        ),
    ],
    "claim-test-purchases": [
        # the brand attaches one of its purchases from the claim's seller
        P(
            "POST",
            "/api/v1/claims/{claim}/test-purchases/",
            S(401, 200, 200, 403, 404, 403, 403, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            data=lambda o: {"test_purchase": o["test_purchase"]},
            state="submitted",
        ),
    ],
    "claim-transitions": [
        P(
            "POST",
            "/api/v1/claims/{claim}/transitions/approve/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=("reviewer",),
            state="in_review",
            label="approve",
        ),
        P(
            "POST",
            "/api/v1/claims/{claim}/transitions/withdraw/",
            S(401, 200, 200, 403, 404, 403, 403, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            state="submitted",
            label="withdraw",
        ),
        P(
            "POST",
            "/api/v1/claims/{claim}/transitions/counter_notice/",
            S(401, 403, 403, 403, 404, 403, 403, 404, 200, 404),
            other=CLAIM_OTHER,
            writers=("merchant",),
            data=lambda o: COUNTER_NOTICE,
            label="counter_notice",
        ),
        P(
            "POST",
            "/api/v1/claims/{claim}/transitions/reinstate/",
            S(401, 403, 403, 403, 404, 200, 403, 404, 403, 404),
            other=CLAIM_OTHER,
            writers=("reviewer",),
            state="counter_noticed",
            label="reinstate",
        ),
        P(
            "POST",
            "/api/v1/claims/{claim}/transitions/enforce/",
            S(401, 403, 403, 403, 404, 403, 403, 404, 404, 404),
            other=CLAIM_OTHER,
            state="approved",
            label="enforce",
        ),
    ],
    "claim-batch-list": [
        P("GET", "/api/v1/claim-batches/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ],
    "claim-batch-detail": [
        P(
            "GET",
            "/api/v1/claim-batches/{batch}/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "claim-batch-evidence": [
        P(
            "POST",
            "/api/v1/claim-batches/{batch}/evidence/",
            S(401, 201, 201, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=FILERS,
            data=lambda o: {"file": png(), "kind": "image"},
            fmt="multipart",
        ),
    ],
    "claim-batch-submit": [
        P(
            "POST",
            "/api/v1/claim-batches/{batch}/submit/",
            S(401, 200, 200, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=FILERS,
        ),
    ],
    "test-purchase-list": [
        # a merchant, the marketplace and outsiders read an empty list
        P("GET", "/api/v1/test-purchases/", S(401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        P(
            "POST",
            "/api/v1/test-purchases/",
            S(401, 201, 201, 403, 400, 403, 403, 403, 403, 403),
            other={"owner": 400, "viewer": 403},
            writers=FILERS,
            data=purchase_body,
            fmt="multipart",
        ),
    ],
    "test-purchase-detail": [
        # the brand's members and staff; never a merchant
        P(
            "GET",
            "/api/v1/test-purchases/{test_purchase}/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "test-purchase-photo-file": [
        P(
            "GET",
            "/api/v1/test-purchases/{test_purchase}/photos/{test_purchase_photo}/file/",
            S(401, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "audit-event-list": [
        P("GET", "/api/v1/audit-events/", S(401, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    ],
    "audit-event-detail": [
        P("GET", "/api/v1/audit-events/{event}/", S(401, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    ],
}

# Columns:                 anonymous owner agent viewer other_owner reviewer compliance platform merchant outsider
PAGES: dict[str, list[Probe]] = {
    "healthz": [P("GET", "/healthz", S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "login": [P("GET", "/login/", S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "logout": [P("POST", "/logout/", S(302, 302, 302, 302, 302, 302, 302, 302, 302, 302), writers=EVERYONE)],
    "password_reset": [P("GET", "/password-reset/", S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "password_reset_done": [
        P("GET", "/password-reset/sent/", S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))
    ],
    "password_reset_confirm": [
        # a link that is not valid: the page says so to anyone
        P("GET", "/password-reset/MQ/bad-token/", S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))
    ],
    "password_reset_complete": [
        P("GET", "/password-reset/done/", S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))
    ],
    "two-factor": [P("GET", "/account/two-factor/", S(L, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "brand-new": [
        P("GET", "/brands/new/", S(L, 200, 200, 200, 200, 403, 403, 403, 403, 200)),
        P(
            "POST",
            "/brands/new/",
            S(L, 302, 302, 302, 302, 403, 403, 403, 403, 302),
            writers=("owner", "agent", "viewer", "other_owner", "outsider"),
            data=lambda o: {"name": "Probe Brand"},
        ),
    ],
    "brand-members": [
        # reviewers are sent to the reviewer's brand page
        P(
            "GET",
            "/brands/{brand}/members/",
            S(L, 200, 200, 200, 404, 302, 403, 403, 403, 403),
            other=BRAND_USERS_404,
        ),
        # the service's refusal is shown on the form (200)
        P(
            "POST",
            "/brands/{brand}/members/",
            S(L, 302, 200, 200, 404, 302, 403, 403, 403, 403),
            other=BRAND_USERS_404,
            writers=("owner",),
            data=lambda o: {"username": "outsider", "role": "viewer"},
        ),
    ],
    "brand-member-remove": [
        P(
            "POST",
            "/brands/{brand}/members/{member}/remove/",
            S(L, 302, 302, 302, 404, 403, 403, 403, 403, 403),
            other=BRAND_USERS_404,
            writers=("owner",),
        ),
    ],
    "brand-edit": [
        P(
            "GET",
            "/brands/{brand}/edit/",
            S(L, 200, 403, 403, 404, 403, 403, 403, 403, 403),
            other=BRAND_USERS_404,
        ),
        # owners alone change the brand's details (agents file for it, they do not speak for it)
        P(
            "POST",
            "/brands/{brand}/edit/",
            S(L, 302, 403, 403, 404, 403, 403, 403, 403, 403),
            other=BRAND_USERS_404,
            writers=("owner",),
            data=lambda o: {
                "website": "https://probe.example",
                "contact_email": "ip@probe.example",
                "language": "en",
            },
        ),
    ],
    "ip-rights": [P("GET", "/ip-rights/", S(L, 200, 200, 200, 200, 200, 200, 403, 403, 403))],
    "ip-right-new": [
        P("GET", "/ip-rights/new/", S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403)),
        # an empty form comes back with its errors to a filer
        P(
            "POST",
            "/ip-rights/new/",
            S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403),
            writers=("owner", "agent", "other_owner"),
        ),
    ],
    "ip-right-certificate": [
        P(
            "GET",
            "/ip-rights/{cert_right}/certificate/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "verification-queue": [P("GET", "/verification/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "ip-right-decide": [
        P(
            "POST",
            "/verification/ip-rights/{pending_right}/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"decision": "verified"},
        ),
    ],
    "agent-verify": [
        P(
            "POST",
            "/verification/agents/{agent_member}/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
        ),
    ],
    "authorisation-letter": [
        # reviewers, and the brand's owners for their own agents
        P(
            "GET",
            "/verification/agents/{agent_member}/letter/",
            S(L, 200, 404, 404, 404, 200, 403, 403, 403, 403),
            other={"owner": 404},
        ),
    ],
    "home": [P("GET", "/", S(L, 302, 302, 302, 302, 302, 302, 302, 302, 302))],
    "account": [
        P("GET", "/account/", S(L, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
        # a new API token for oneself
        P("POST", "/account/", S(L, 200, 200, 200, 200, 200, 200, 200, 200, 200), writers=SIGNED_IN),
    ],
    "brands": [P("GET", "/brands/", S(L, 200, 200, 200, 200, 200, 200, 403, 403, 200))],
    "brand": [
        # the reviewer's brand page; a brand's own users are sent to its members page
        P(
            "GET",
            "/brands/{brand}/",
            S(L, 302, 302, 302, 404, 200, 200, 403, 403, 403),
            other=BRAND_USERS_404,
        ),
    ],
    "brand-action": [
        P(
            "POST",
            "/brands/{brand}/do/warn/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"warn-note": "Misuse."},
        ),
    ],
    "claims": [P("GET", "/claims/", S(L, 200, 200, 200, 200, 200, 200, 200, 200, 403))],
    "claim-new": [
        P("GET", "/claims/new/", S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403)),
        P(
            "POST",
            "/claims/new/",
            S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403),
            writers=("owner", "agent", "other_owner"),
        ),
    ],
    # the listing's preview on the filing form: for those who may file
    "claim-new-listing": [
        P(
            "GET",
            "/claims/new/listing/?listing_url=https://x.example/1",
            S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403),
        )
    ],
    "bulk-new": [
        P("GET", "/claims/bulk/", S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403)),
        P(
            "POST",
            "/claims/bulk/",
            S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403),
            writers=("owner", "agent", "other_owner"),
        ),
    ],
    "claim": [
        P("GET", "/claims/{claim}/", S(L, 200, 200, 200, 404, 200, 200, 404, 200, 404), other=CLAIM_OTHER),
        P(
            "GET",
            "/claims/{claim}/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            state="submitted",
            label="submitted",
        ),
    ],
    "claim-evidence": [
        # refusals by the service are shown on the claim page the answer redirects to
        P(
            "POST",
            "/claims/{claim}/evidence/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            data=lambda o: {"evidence": png(), "kind": "image"},
            state="submitted",
        ),
    ],
    "claim-action": [
        P(
            "POST",
            "/claims/{claim}/do/approve/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=("reviewer",),
            state="in_review",
            label="approve",
        ),
        P(
            "POST",
            "/claims/{claim}/do/withdraw/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            state="submitted",
            label="withdraw",
        ),
        P(
            "POST",
            "/claims/{claim}/do/counter_notice/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 302, 404),
            other=CLAIM_OTHER,
            writers=("merchant",),
            data=lambda o: {
                "reason": "owner",
                "statement": "Genuine goods.",
                "good_faith": "on",
                "signature": "Sam Seller",
            },
            label="counter_notice",
        ),
        P(
            "POST",
            "/claims/{claim}/do/legal_action/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 302, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            data=lambda o: {"note": "Case 1:26-cv-1, SDNY."},
            state="counter_noticed",
            label="legal_action",
        ),
        P(
            "POST",
            "/claims/{claim}/do/no_such_step/",
            S(L, 404, 404, 404, 404, 404, 404, 404, 404, 404),
            other=CLAIM_OTHER,
            state="submitted",
            label="unknown",
        ),
    ],
    "claim-test-purchase": [
        # refusals by the service are shown on the claim page the answer redirects to
        P(
            "POST",
            "/claims/{claim}/test-purchases/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 404, 404),
            other=CLAIM_OTHER,
            writers=FILERS,
            data=lambda o: {"test_purchase": o["test_purchase"]},
            state="submitted",
        ),
    ],
    "test-purchases": [P("GET", "/test-purchases/", S(L, 200, 200, 200, 200, 200, 200, 403, 403, 403))],
    "test-purchase-new": [
        P("GET", "/test-purchases/new/", S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403)),
        # an empty form comes back with what it lacks, and records nothing
        P("POST", "/test-purchases/new/", S(L, 200, 200, 403, 200, 403, 403, 403, 403, 403)),
    ],
    "test-purchase": [
        P(
            "GET",
            "/test-purchases/{test_purchase}/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "test-purchase-photo": [
        P(
            "GET",
            "/test-purchases/photos/{test_purchase_photo}/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "evidence-file": [
        P(
            "GET",
            "/evidence/{evidence}/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=CLAIM_OTHER,
        ),
    ],
    "claim-counter-documents": [
        # the merchant adds documents; anyone else's attempt is refused on the page it redirects to
        P(
            "POST",
            "/claims/{claim}/counter-documents/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 302, 404),
            other=CLAIM_OTHER,
            writers=("merchant",),
            data=lambda o: {"documents": png("invoice.png")},
            state="counter_noticed",
        ),
    ],
    "counter-document": [
        P(
            "GET",
            "/counter-documents/{counter_document}/",
            S(L, 200, 200, 200, 404, 200, 404, 404, 200, 404),
            other=CLAIM_OTHER,
            state="counter_noticed",
        ),
    ],
    "batch": [
        P(
            "GET",
            "/batches/{batch}/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "batch-progress": [
        P(
            "GET",
            "/batches/{batch}/progress/",
            S(L, 200, 200, 200, 404, 200, 200, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
    ],
    "batch-evidence": [
        P(
            "POST",
            "/batches/{batch}/evidence/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=FILERS,
            data=lambda o: {"evidence": png(), "kind": "image"},
        ),
    ],
    "batch-submit": [
        P(
            "POST",
            "/batches/{batch}/submit/",
            S(L, 302, 302, 302, 404, 302, 302, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=FILERS,
        ),
    ],
    "batch-row-fix": [
        P(
            "GET",
            "/batches/{failed_batch}/rows/1/fix/",
            S(L, 200, 200, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
        ),
        P(
            "POST",
            "/batches/{failed_batch}/rows/1/fix/",
            S(L, 302, 302, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=FILERS,
            data=lambda o: {"listing_url": o.obj("listing").url, "description": "Corrected"},
        ),
    ],
    "batch-row-discard": [
        P(
            "POST",
            "/batches/{failed_batch}/rows/1/discard/",
            S(L, 302, 302, 403, 404, 403, 403, 404, 404, 404),
            other=BRAND_USERS_404,
            writers=FILERS,
        ),
    ],
    "queue": [P("GET", "/queue/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "queue-bulk": [
        P(
            "POST",
            "/queue/decide/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"claim": [o["claim"]], "decision": "start_review"},
            state="submitted",
        ),
    ],
    "queue-assign": [
        P(
            "POST",
            "/queue/assign/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"claim": [o["claim"]], "assignee": o.world.second_reviewer.pk},
            state="submitted",
        ),
    ],
    "queue-next": [
        P(
            "POST",
            "/queue/next/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
        ),
    ],
    "queue-view-save": [
        P(
            "POST",
            "/queue/views/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"name": "Mine", "query": "who=mine"},
        ),
    ],
    "queue-view-delete": [
        # another reviewer's saved view is not found
        P(
            "POST",
            "/queue/views/{queue_view}/delete/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            other={"reviewer": 404},
            writers=("reviewer",),
        ),
    ],
    "claim-assign": [
        P("GET", "/queue/claims/{claim}/assign/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403)),
        P(
            "POST",
            "/queue/claims/{claim}/assign/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"assignee": o.world.second_reviewer.pk},
            state="in_review",
        ),
    ],
    "counter-notices": [P("GET", "/counter-notices/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "held-decisions": [P("GET", "/queue/held/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "merchants": [P("GET", "/merchants/", S(L, 403, 403, 403, 403, 200, 200, 403, 403, 403))],
    "merchant": [P("GET", "/merchants/{merchant}/", S(L, 403, 403, 403, 403, 200, 200, 403, 403, 403))],
    "networks": [P("GET", "/networks/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "network": [P("GET", "/networks/{network}/", S(L, 403, 403, 403, 403, 200, 403, 403, 403, 403))],
    "listing-image-file": [
        P(
            "GET",
            "/listing-images/{listing_image}/",
            S(L, 200, 200, 200, 200, 200, 200, 200, 200, 404),
            other={"merchant": 404},
        ),
    ],
    "claim-network": [
        # `?network=` only makes the probe build the seller's network first: without one the page is a 404.
        P(
            "GET",
            "/claims/{claim}/network/?network={network}",
            S(L, 200, 200, 403, 404, 403, 403, 404, 403, 404),
            other=CLAIM_OTHER,
        ),
        P(
            "POST",
            "/claims/{claim}/network/?network={network}",
            S(L, 200, 200, 403, 404, 403, 403, 404, 403, 404),
            other=CLAIM_OTHER,
            writers=("owner", "agent"),
            data=lambda o: {"description": "Same operator."},
        ),
    ],
    "merchant-action": [
        P(
            "POST",
            "/merchants/{merchant}/ban/",
            S(L, 403, 403, 403, 403, 302, 403, 403, 403, 403),
            writers=("reviewer",),
            data=lambda o: {"note": "Repeat infringer."},
        ),
    ],
    "merchant-claim": [
        # whoever holds the signed link acts as the merchant; an unsigned or altered link is a 404
        P(
            "GET",
            "/m/{token}/",
            S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
            other=dict.fromkeys(ROLES, 404),
        ),
        # an empty counter-notice comes back with everything it lacks, and files nothing
        P(
            "POST",
            "/m/{token}/",
            S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
            other=dict.fromkeys(ROLES, 404),
            label="empty",
        ),
        P(
            "POST",
            "/m/{token}/",
            S(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
            other=dict.fromkeys(ROLES, 404),
            writers=EVERYONE,
            data=lambda o: {
                "reason": "owner",
                "statement": "Genuine goods.",
                "good_faith": "on",
                "signature": "Sam Seller",
            },
        ),
    ],
    "merchant-claim-documents": [
        # the signed link is the credential: documents go to the pending counter-notice
        P(
            "POST",
            "/m/{cn_token}/documents/",
            S(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
            other=dict.fromkeys(ROLES, 404),
            writers=EVERYONE,
            data=lambda o: {"documents": png("invoice.png")},
        ),
    ],
    "merchant-claim-document": [
        P(
            "GET",
            "/m/{cn_token}/documents/{cn_document}/",
            S(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
            other=dict.fromkeys(ROLES, 404),
        ),
    ],
    "dashboard": [P("GET", "/dashboard/", S(L, 200, 200, 200, 200, 403, 403, 403, 403, 403))],
    "reports": [P("GET", "/reports/", S(L, 403, 403, 403, 403, 200, 200, 403, 403, 403))],
    "audit": [P("GET", "/audit/", S(L, 403, 403, 403, 403, 200, 200, 403, 403, 403))],
}

TABLE: dict[str, list[Probe]] = {
    **{f"api:{name}": probes for name, probes in API.items()},
    **{f"page:{name}": probes for name, probes in PAGES.items()},
}


# --- the routes, from the resolver ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    key: str
    route: str  # the pattern, prefixes joined
    pattern: URLPattern


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def collect_routes() -> dict[str, Route]:
    """Every API route and portal page, keyed `api:<url name>` or `page:<url name>`."""
    static = settings.STATIC_URL.lstrip("/")
    routes: dict[str, Route] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        plain = route.lstrip("^")
        if plain.startswith(EXCLUDED_PREFIXES) or (static and plain.startswith(static)):
            continue
        is_api = plain.startswith("api/v1/")
        if is_api and "format" in pattern.pattern.regex.groupindex:
            continue  # the `.json` format-suffix twin of a route already collected
        key = f"{'api' if is_api else 'page'}:{pattern.name or route}"
        assert key not in routes, f"two routes answer to {key}: {routes[key].route} and {route}"
        routes[key] = Route(key, route, pattern)
    return routes


def view_methods(pattern: URLPattern) -> set[str] | None:
    """The methods an API view answers (DRF viewsets map them; APIViews define them), None when unknown."""
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:  # DRF adds `head` beside `get` once the view has answered a request
        return {method.upper() for method in actions} - {"HEAD", "OPTIONS"}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return None
    return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}


def test_every_route_has_an_entry_and_every_entry_a_route():
    routes = collect_routes()
    missing = sorted(set(routes) - set(TABLE))
    stale = sorted(set(TABLE) - set(routes))
    assert not missing, f"routes without an entry in the authorization matrix: {missing}"
    assert not stale, f"entries of the authorization matrix for routes that no longer exist: {stale}"


PUBLIC = {
    "api:api-token",
    "page:healthz",
    "page:login",
    "page:logout",
    "page:password_reset",
    "page:password_reset_done",
    "page:password_reset_confirm",
    "page:password_reset_complete",
    "page:merchant-claim",  # the signed link is the credential
    "page:merchant-claim-documents",
    "page:merchant-claim-document",
}


def test_the_table_keeps_the_contracts_fixed_answers():
    """The table itself may not drift from docs/contract.md: anonymous callers are refused everywhere but
    the public routes, and another tenant's object named in the URL is a 404."""
    drift = []
    for key, probes in TABLE.items():
        for probe in probes:
            anonymous = probe.expect["anonymous"]
            if key not in PUBLIC and anonymous != (401 if key.startswith("api:") else L):
                drift.append((key, probe.method, probe.label, "anonymous", anonymous))
            for role, status in probe.other.items():
                if "{" in probe.path.split("?")[0] and status != 404:
                    drift.append((key, probe.method, probe.label, f"{role} (other tenant)", status))
                elif status not in (400, 403, 404):  # an id in the body: "No such brand.", or never a filer
                    drift.append((key, probe.method, probe.label, f"{role} (other tenant)", status))
    assert not drift, drift


def test_every_method_of_an_api_route_is_tried():
    untried = {}
    for key, route in collect_routes().items():
        if not key.startswith("api:") or key not in TABLE:
            continue
        methods = view_methods(route.pattern)
        assert methods is not None, key
        tried = {probe.method for probe in TABLE[key]}
        if methods - tried:
            untried[key] = sorted(methods - tried)
    assert not untried, f"methods the matrix does not try: {untried}"


# --- the cases ------------------------------------------------------------------------------------------------
def _cases():
    for key, probes in TABLE.items():
        for index, probe in enumerate(probes):
            name = key + (f"[{probe.label}]" if probe.label else "")
            for role in ROLES:
                yield pytest.param(key, index, role, "own", id=f"{name}-{probe.method}-{role}")
            for role in probe.other:
                yield pytest.param(key, index, role, "other", id=f"{name}-{probe.method}-{role}-other_tenant")


def _send(client, probe: Probe, path: str, body, is_api: bool):
    method = probe.method.lower()
    if probe.method == "GET":
        return client.get(path)
    if is_api:
        if body is None:
            return getattr(client, method)(path)
        return getattr(client, method)(path, body, format=probe.fmt)
    return getattr(client, method)(path, body or {})


@pytest.mark.parametrize("key,index,role,tenant", list(_cases()))
def test_authorization(key, index, role, tenant, world, api, client_for, nothing_written):
    probe = TABLE[key][index]
    is_api = key.startswith("api:")
    objects = Objects(world, tenant, probe.state)
    path = probe.path.format_map(objects)
    body = probe.data(objects) if probe.data else None

    # the URL the table builds is the route it stands for
    match = resolve(path.split("?")[0])
    assert match.url_name == key.split(":", 1)[1] and path.startswith("/api/v1/") == is_api, (path, match)

    attr = USER_OF[role]
    user = getattr(world, attr) if attr else None
    if user is not None:
        user.__dict__.pop("_takedown_actor", None)  # roles as they are now, not as cached while building
    client = api(user) if is_api else client_for(user)
    expected = probe.expect[role] if tenant == "own" else probe.other[role]
    refused = tenant == "other" or role not in probe.writers

    if probe.method in UNSAFE and refused:
        with nothing_written():
            response = _send(client, probe, path, body, is_api)
    else:
        response = _send(client, probe, path, body, is_api)

    detail = getattr(response, "content", b"")[:300] if not response.streaming else b"<stream>"
    if expected == L:
        assert response.status_code == 302, (response.status_code, detail)
        assert response["Location"].startswith("/login/"), response["Location"]
    else:
        assert response.status_code == expected, (response.status_code, detail)
