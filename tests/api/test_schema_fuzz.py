"""Schemathesis over the API's own OpenAPI schema (`/api/schema/`), as every role.

For each role, every operation gets generated requests (valid ones, and invalid ones too), some on the real
objects of a small world (claims in several states, another tenant's claim, a batch, evidence, exports),
and some with bodies that should succeed. Every answer must pass these checks:

- no 5xx;
- the status is documented for the operation, or it is a 4xx error of the documented shape
  `{"detail": "...", "code": "..."}` in JSON;
- a documented answer has a documented content type and conforms to the response schema.

Bounded and repeatable: a few examples per operation, derandomized, without the example database.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import openpyxl
import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from brands.models import Brand, IPRight
from core.audit import audit
from core.roles import actor_for
from core.tokens import api_token_issue
from reports.models import Export
from takedowns.models import TRANSITIONS, Evidence, transition_sources
from takedowns.services.batches import batch_create
from tests.api.conftest import assert_json_error
from tests.factories import PNG, IPRightFactory, ListingFactory
from tests.lifecycle import ARGS, claim_in_state
from tests.purchases import record_purchase

pytestmark = [
    pytest.mark.django_db,
    # Generated user names reach the login throttle's cache keys; only memcached would mind (we use Redis).
    pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning"),
]

# Every role of the contract (§2), by the `world` attribute that holds its user (None: anonymous).
ROLES = {
    "anonymous": None,
    "owner": "owner",
    "agent": "agent",
    "viewer": "viewer",
    "reviewer": "reviewer",
    "compliance": "compliance",
    "platform": "platform",
    "merchant": "merchant_user",
}

# Examples per operation and role: generated requests (valid ones, half of them on real objects), invalid
# ones, and each seed (a request that should succeed for some role: for transitions, every transition each
# claim's state allows, with the body it needs).
GENERATED = 6
NEGATIVE = 3
SEEDED = 2

SETTINGS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    # No shrinking: a failure is reported with the example that found it, and the run stays bounded.
    "phases": [Phase.explicit, Phase.generate],
}


# --- the application, in-process ------------------------------------------------------------------------
@contextmanager
def _connections_kept():
    """The WSGI handler closes "old" connections around each request, as a server would; inside a test that
    would end the test's transaction. Django's own test client disconnects these handlers the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@functools.cache
def _schema():
    # `config.wsgi.application` without its check that collectstatic ran: the API serves no static files.
    from django.core.handlers.wsgi import WSGIHandler

    with _connections_kept():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


# --- the checks ---------------------------------------------------------------------------------------------
def _documented(status: int, codes) -> bool:
    text = str(status)
    return any(code in (text, f"{text[0]}XX", "default") for code in map(str, codes))


def documented_status_or_error(ctx, response, case):
    """A status the operation documents, or a 4xx error of the documented shape `{"detail", "code"}`."""
    status = response.status_code
    if _documented(status, case.operation.responses.status_codes):
        return None
    documented = ", ".join(map(str, case.operation.responses.status_codes))
    assert 400 <= status < 500, f"{status} is not documented (documented: {documented})"
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/json"), f"a {status} error in {content_type!r}, not JSON"
    body = response.json()
    assert isinstance(body, dict), f"a {status} error that is not an object: {body!r}"
    assert isinstance(body.get("detail"), str) and body["detail"], f"a {status} error without detail: {body}"
    assert isinstance(body.get("code"), str) and body["code"], f"a {status} error without code: {body}"
    assert "Traceback" not in response.content.decode(errors="replace")
    return None


CHECKS = [
    not_a_server_error,
    documented_status_or_error,
    content_type_conformance,
    response_schema_conformance,
]


# --- the world the requests act on --------------------------------------------------------------------------
STATES = (
    "draft",
    "submitted",
    "in_review",
    "info_requested",
    "approved",
    "rejected",
    "withdrawn",
    "taken_down",
    "counter_noticed",
    "reinstated",
)


@dataclass
class Objects:
    """What the requests act on, besides generated values.

    `paths`: per path template (a prefix of the operation's path), the path parameters of real objects.
    `seeds`: per operation, requests that should succeed for some role: (path parameters, or None for any of
    `paths`; the body; its media type, or None for no body)."""

    paths: dict[str, list[dict]] = field(default_factory=dict)
    seeds: dict[str, list[tuple[dict | None, object, str | None]]] = field(default_factory=dict)

    def path_parameters(self, path: str) -> list[dict]:
        for template, combos in self.paths.items():
            if path.startswith(template):
                return combos
        return []


def _objects(world, user) -> Objects:
    claims = [
        claim_in_state(world, state, listing=ListingFactory(merchant=world.merchant)) for state in STATES
    ]
    # Another tenant's claim on the same merchant, enforced: merchants see it, the world's brand never does.
    claims.append(
        claim_in_state(
            dataclasses.replace(world, owner=world.other_owner),
            "taken_down",
            brand=world.other_brand,
            ip_right=world.other_right,
            listing=ListingFactory(merchant=world.merchant),
        )
    )
    batch = batch_create(
        actor=actor_for(world.owner),
        brand=world.brand,
        ip_right=world.right,
        fields={
            "infringement_type": "counterfeit",
            "description": "",
            "good_faith": True,
            "accurate": True,
            "signature": "Jane Counsel",
        },
        rows=[{"listing_url": ListingFactory().url, "infringement_type": "", "description": ""}],
    )
    world.right.certificate.save("certificate.png", ContentFile(PNG), save=True)
    pending_right = IPRightFactory(brand=world.brand, status=IPRight.Status.PENDING)
    Brand.objects.filter(pk=world.other_brand.pk).update(misuse_warned_at=timezone.now())
    events = [
        audit(
            actor=actor_for(world.reviewer), action="fuzz_seed", obj=world.merchant, merchant=world.merchant
        )
    ]
    exports = []
    if user is not None:
        now = timezone.now()
        pending = Export.objects.create(requested_by=user, format="xlsx")
        done = Export.objects.create(
            requested_by=user,
            format="csv",
            status=Export.Status.DONE,
            progress=100,
            filename="claims.csv",
            expires_at=now + timedelta(hours=1),
        )
        done.file.save("claims.csv", ContentFile(b"reference,state\r\n"), save=True)
        expired = Export.objects.create(
            requested_by=user, format="csv", status=Export.Status.DONE, expires_at=now
        )
        exports = [pending, done, expired]
    exports.append(Export.objects.create(requested_by=world.compliance, format="pdf"))
    brands = [world.brand, world.other_brand]
    memberships = [m for b in brands for m in b.memberships.order_by("pk")]
    merchants = [world.merchant, world.other_listing.merchant]
    new_listing = ListingFactory(merchant=world.merchant)
    by_state = {claim.state: claim for claim in claims}
    # A test purchase of each brand, with its photo: the world's brand's from the claims' seller.
    purchases = [
        record_purchase(world, "counterfeit", order_ref="FUZZ-1"),
        record_purchase(
            world, "genuine", order_ref="FUZZ-2", user=world.other_owner, brand=world.other_brand
        ),
    ]
    photos = [item.photos.get() for item in purchases]

    objects = Objects()
    objects.paths = {
        "/api/v1/claims/{id}/evidence/{evidence_id}/": [
            {"id": e.claim_id, "evidence_id": e.pk} for e in Evidence.objects.order_by("pk")[:4]
        ],
        "/api/v1/claims/{id}/": [{"id": c.pk} for c in claims],
        "/api/v1/test-purchases/{id}/photos/{photo_id}/": [
            {"id": item.purchase_id, "photo_id": item.pk} for item in photos
        ],
        "/api/v1/test-purchases/{id}/": [{"id": item.pk} for item in purchases],
        "/api/v1/brands/{id}/members/{membership_id}/": [
            {"id": m.brand_id, "membership_id": m.pk} for m in memberships
        ],
        "/api/v1/brands/{id}/": [{"id": b.pk} for b in brands],
        "/api/v1/ip-rights/{id}/": [{"id": r.pk} for r in (world.right, world.other_right, pending_right)],
        "/api/v1/merchants/{id}/": [{"id": m.pk} for m in merchants],
        "/api/v1/listings/{id}/": [{"id": item.pk} for item in (world.listing, world.other_listing)],
        "/api/v1/claim-batches/{id}/": [{"id": batch.pk}],
        "/api/v1/audit-events/{id}/": [{"id": e.pk} for e in events],
        "/api/v1/reports/exports/{id}/": [{"id": e.pk} for e in exports],
    }

    json, multipart = "application/json", "multipart/form-data"
    counter = ARGS["counter_notice"]
    transition_bodies = {
        **{name: {k: v for k, v in args.items() if k != "data"} for name, args in ARGS.items()},
        "counter_notice": {"reason": counter["reason"], "note": counter["note"], **counter["data"]},
    }
    unverified_agent = world.brand.memberships.get(user=world.unverified_agent)
    unverified_agent.authorisation_letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=True)
    png = {"file": PNG, "kind": "image", "note": "Close-up of the logo."}
    right = {
        "brand": world.brand.pk,
        "kind": "trademark",
        "mark": "AURELIA",
        "registration_number": "018000001",
        "office": "EUIPO",
        "classes": "18,25",
        "valid_from": "2020-01-01",
        "valid_until": "2030-01-01",
    }
    objects.seeds = {
        "POST /api/v1/auth/token/": [
            (None, {"username": user.username if user else "owner", "password": "pw-for-tests-1"}, json)
        ],
        "POST /api/v1/brands/": [
            (
                None,
                {"name": "Fuzzed", "website": "https://fuzzed.example", "contact_email": "ip@fuzzed.example"},
                json,
            )
        ],
        "PATCH /api/v1/brands/{id}/": [(None, {"website": "https://aurelia.example"}, json)],
        "PUT /api/v1/brands/{id}/": [
            (
                None,
                {
                    "name": "Aurelia",
                    "website": "https://aurelia.example",
                    "contact_email": "legal@aurelia.example",
                },
                json,
            )
        ],
        "POST /api/v1/brands/{id}/members/": [(None, {"username": "outsider", "role": "viewer"}, json)],
        "POST /api/v1/brands/{id}/members/{membership_id}/verify/": [
            ({"id": world.brand.pk, "membership_id": unverified_agent.pk}, {"note": "Letter checked."}, json)
        ],
        "POST /api/v1/brands/{id}/suspend/": [
            ({"id": world.other_brand.pk}, {"days": 7, "note": "Repeated unfounded notices."}, json)
        ],
        "POST /api/v1/brands/{id}/trusted-flagger/": [
            (None, {"trusted": True, "designation": "DSC-DE-1"}, json)
        ],
        "POST /api/v1/brands/{id}/warn/": [(None, {"note": "Too many unfounded notices."}, json)],
        "POST /api/v1/claims/": [
            (
                None,
                {
                    "brand": world.brand.pk,
                    "ip_right": world.right.pk,
                    "listing_url": new_listing.url,
                    "infringement_type": "counterfeit",
                    "description": "Counterfeit of our bag",
                    "good_faith": True,
                    "accurate": True,
                    "signature": "Jane Counsel",
                },
                json,
            ),
            (
                None,
                {
                    "brand": world.brand.pk,
                    "ip_right": world.right.pk,
                    "listing": new_listing.pk,
                    "infringement_type": "design",
                },
                json,
            ),
        ],
        "POST /api/v1/claims/bulk/": [
            (
                None,
                {
                    "brand": world.brand.pk,
                    "ip_right": world.right.pk,
                    "infringement_type": "counterfeit",
                    "good_faith": True,
                    "accurate": True,
                    "signature": "Jane Counsel",
                    "listing_urls": [new_listing.url, "https://market.example/unknown"],
                },
                json,
            )
        ],
        # Each claim with the transitions its state allows (whoever may take them), with the body each needs.
        "POST /api/v1/claims/{id}/transitions/{name}/": [
            ({"id": claim.pk, "name": name}, transition_bodies.get(name, {}), json)
            for claim in claims
            for name in TRANSITIONS
            if claim.state in transition_sources(name)
        ],
        "GET /api/v1/ip-rights/{id}/certificate/": [({"id": world.right.pk}, None, None)],
        "GET /api/v1/claims/{id}/evidence/{evidence_id}/file/": [
            ({"id": e.claim_id, "evidence_id": e.pk}, None, None) for e in Evidence.objects.order_by("pk")[:2]
        ],
        "POST /api/v1/claims/{id}/evidence/": [
            ({"id": by_state[state].pk}, png, multipart) for state in ("draft", "in_review")
        ],
        "POST /api/v1/claim-batches/{id}/evidence/": [({"id": batch.pk}, png, multipart)],
        "POST /api/v1/test-purchases/": [
            (
                None,
                {
                    "brand": world.brand.pk,
                    "listing": new_listing.pk,
                    "order_ref": "FUZZ-NEW",
                    "ordered_on": "2026-02-01",
                    "amount": "35.00",
                    "currency": "EUR",
                    "verdict": "inconclusive",
                    "notes": "Box damaged; contents unclear.",
                    "photos": [PNG],
                },
                multipart,
            )
        ],
        "GET /api/v1/test-purchases/{id}/photos/{photo_id}/file/": [
            ({"id": item.purchase_id, "photo_id": item.pk}, None, None) for item in photos
        ],
        "POST /api/v1/claims/{id}/test-purchases/": [
            ({"id": by_state[state].pk}, {"test_purchase": purchases[0].pk}, json)
            for state in ("submitted", "draft")
        ],
        "POST /api/v1/claims/{id}/legal-action/": [
            ({"id": by_state["counter_noticed"].pk}, {"note": "Case 1:26-cv-00123, S.D.N.Y."}, json)
        ],
        "POST /api/v1/ip-rights/": [
            (None, right, json),
            (None, {**right, "registration_number": "018000002", "certificate": PNG}, multipart),
        ],
        "POST /api/v1/ip-rights/{id}/verify/": [
            ({"id": pending_right.pk}, {"decision": "verified"}, json),
            ({"id": pending_right.pk}, {"decision": "rejected", "note": "Lapsed."}, json),
        ],
        "POST /api/v1/merchants/": [
            (
                None,
                {
                    "platform_ref": "M-FUZZ",
                    "name": "Fuzz Outlet",
                    "email": "fuzz@merchant.example",
                    "country": "FR",
                },
                json,
            ),
            (None, {"platform_ref": "M-1", "name": "Lucky Outlet"}, json),
        ],
        "POST /api/v1/merchants/{id}/ban/": [(None, {"reason": "Three counterfeit takedowns."}, json)],
        "POST /api/v1/merchants/{id}/lift-ban/": [(None, {"reason": "Appeal granted."}, json)],
        "POST /api/v1/listings/": [
            (
                None,
                {
                    "platform_ref": "L-FUZZ",
                    "merchant_ref": "M-1",
                    "url": "https://market.example/fuzz",
                    "title": "Bag",
                    "price": "19.90",
                    "currency": "EUR",
                },
                json,
            )
        ],
        "POST /api/v1/listings/bulk/": [
            (
                None,
                [
                    {
                        "platform_ref": "L-FUZZ-2",
                        "merchant_ref": "M-1",
                        "url": "https://market.example/f2",
                        "title": "Bag",
                    },
                    {
                        "platform_ref": "L-FUZZ-3",
                        "merchant_ref": "M-0",
                        "url": "https://market.example/f3",
                        "title": "Bag",
                    },
                ],
                json,
            )
        ],
    }
    return objects


# --- the run ------------------------------------------------------------------------------------------------
def _strategies(operation, objects: Objects):
    """(kind, strategy, max_examples) for one operation."""
    combos = objects.path_parameters(operation.path)

    def on_objects(mode, parameters=None, **kwargs):
        if parameters is not None or not combos:
            return operation.as_strategy(generation_mode=mode, path_parameters=parameters, **kwargs)
        return st.sampled_from(combos).flatmap(
            lambda parameters: operation.as_strategy(
                generation_mode=mode, path_parameters=parameters, **kwargs
            )
        )

    yield "generated", st.one_of(operation.as_strategy(), on_objects(GenerationMode.POSITIVE)), GENERATED
    # Invalid requests on generated paths: with the path fixed, many operations have nothing left to break.
    yield "invalid", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), NEGATIVE
    # Each seed on its own, so that every one is sent (a GET's seed has no body).
    for parameters, body, media_type in objects.seeds.get(f"{operation.method.upper()} {operation.path}", []):
        kwargs = {} if media_type is None else {"body": body, "media_type": media_type}
        yield "seeded", on_objects(GenerationMode.POSITIVE, parameters, **kwargs), SEEDED


def _run(strategy, max_examples: int, headers: dict, sent: list) -> None:
    @hypothesis_settings(max_examples=max_examples, **SETTINGS)
    @given(case=strategy)
    def run(case):
        cache.clear()  # the API's throttles count in the cache: every request starts with a fresh allowance
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        sent.append((case.operation.label, response.status_code))

    run()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_conforms_to_the_schema(world, role, settings):
    settings.EXPORT_INLINE_MAX_CLAIMS = 1000  # small exports inline, larger ones in the background
    schema = _schema()
    user = getattr(world, ROLES[role]) if ROLES[role] else None
    objects = _objects(world, user)
    headers = {"Authorization": f"Token {api_token_issue(user=user)[0]}"} if user else {}
    failures, sent, operations = [], [], []
    with _connections_kept():
        for result in schema.get_all_operations():
            operation = result.ok()
            operations.append(operation.label)
            for kind, strategy, max_examples in _strategies(operation, objects):
                try:
                    _run(strategy, max_examples, headers, sent)
                except Unsatisfiable:  # nothing of the operation to make invalid
                    assert kind == "invalid", f"{operation.label}: no {kind} request could be generated"
                except (Exception, BaseExceptionGroup) as exc:  # a FailureGroup is a BaseExceptionGroup
                    failures.append(f"{operation.label} as {role} ({kind}): {exc}")
    assert not failures, "\n\n".join(failures)
    answered = {label for label, _ in sent}
    assert answered == set(operations), f"never sent: {set(operations) - answered}"
    succeeded = sum(1 for _, status in sent if status < 300)
    print(f"{role}: {len(sent)} requests, {succeeded} answered 2xx, over {len(answered)} operations")


# --- what the fuzzing found, pinned -------------------------------------------------------------------------
def test_an_evidence_file_under_a_claim_id_that_is_no_number_is_not_found(world, api):
    """Was a 500: the router lets any text through as the claim id, and the query failed on it."""
    claim = claim_in_state(world, "submitted")
    evidence = claim.evidence.get()
    response = api(world.reviewer).get(f"/api/v1/claims/{claim.pk}x/evidence/{evidence.pk}/file/")
    assert_json_error(response, 404)
    assert (
        api(world.reviewer).get(f"/api/v1/claims/{claim.pk}/evidence/{evidence.pk}/file/").status_code == 200
    )


def test_an_xlsx_export_drops_control_characters_instead_of_failing(world, api):
    """Was a broken download (and a failed background export): openpyxl refuses control characters, which
    brand names, listing titles and descriptions may hold."""
    Brand.objects.filter(pk=world.brand.pk).update(name="Aurelia\x0b Group")
    claim_in_state(world, "submitted", description="Fake\x08 bag, \x1fsee photos")
    response = api(world.owner).get("/api/v1/reports/export/", {"format": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    summary = [cell for row in workbook["Summary"].iter_rows(values_only=True) for cell in row]
    claims = [cell for row in workbook["Claims"].iter_rows(values_only=True) for cell in row]
    assert "Aurelia Group" in summary
    assert "Fake bag, see photos" in claims
