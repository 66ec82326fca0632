"""Filing: finding the listing, creating a draft claim, adding evidence, and filing in one step."""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import nullcontext
from typing import Any, NamedTuple, NoReturn

from django.db import connection, connections, router, transaction
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from brands.models import Brand, IPRight
from core.api import is_row_id
from core.audit import audit
from core.chain import GENESIS
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.fingerprints import fingerprint_fields, perceptual_hash
from core.roles import Actor
from core.statements import Statement, insert_statement, next_id, write_together
from core.uploads import checked_upload
from merchants.models import Listing, Merchant
from takedowns.models import (
    BEFORE_DECISION,
    Claim,
    ClaimEvent,
    CounterNotice,
    CounterNoticeEvidence,
    Evidence,
    InfringementType,
    S,
    TestPurchase,
    appeal_still_open,
    claim_reference,
    listing_merchant,
)
from takedowns.selectors import newest_genuine_purchase
from takedowns.services.capture import listing_capture_statements
from takedowns.services.transitions import claim_transition


def evidence_open(claim: Claim) -> bool:
    """May the brand still add evidence? Before the decision, and for an appeal: while a rejection may still
    be appealed, and while the appeal waits."""
    if claim.state in BEFORE_DECISION or claim.state == S.APPEALED:
        return True
    return claim.state == S.REJECTED and appeal_still_open(claim)


def evidence_kind_for(content_type: str) -> str:
    """The kind a file is taken for until the brand says otherwise: a photo is an image, the rest documents."""
    return Evidence.Kind.IMAGE if content_type.startswith("image/") else Evidence.Kind.DOCUMENT


# --- filing -----------------------------------------------------------------------------------------------
def listing_find(*, listing_id: int | None = None, listing_url: str | None = None) -> Listing:
    """The listing named by id or URL (the newest of that URL), with its seller."""
    listings = Listing.objects.select_related("merchant")
    if listing_id:
        listing = listings.filter(pk=listing_id).first()
    elif listing_url:
        listing = listings.filter(url=listing_url.strip()).first()
    else:
        _listing_not_given()
    if listing is None:
        _listing_not_found(by_id=bool(listing_id))
    return listing


def _listing_not_given() -> NoReturn:
    raise Invalid(_("Give the listing as `listing` (id) or `listing_url`."), code="listing_required")


def _listing_not_found(*, by_id: bool) -> NoReturn:
    message = _("No listing with that id or URL is known to the marketplace.")
    raise Invalid(
        message,
        code="listing_not_found",
        extra={"fields": {"listing" if by_id else "listing_url": [message]}},
    )


def _from_db(field, value):
    if value is None:
        return None
    column = field.get_col(field.model._meta.db_table)
    for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = converter(value, column, connection)
    return value


class FilingSubjects(NamedTuple):
    right: IPRight | None
    listing: Listing
    genuine: tuple[str, dt.date] | None  # the brand's newest genuine purchase from the seller: (order, date)


def filing_subjects(
    *, brand_ids, ip_right_id: int, listing_id: int | None = None, listing_url: str | None = None
) -> FilingSubjects:
    """What the API files a claim on, read in one statement: the IP right with its brand (None unless it is
    one of `brand_ids`'s), the listing as `listing_find` finds it, with its seller, and what
    `filing_warnings` reads (the right's brand's newest test purchase from that seller that found the goods
    genuine). Read one by one through the ORM, building and compiling the queries cost the request more
    than running them."""
    if not listing_id and not listing_url:
        _listing_not_given()
    if listing_id and not is_row_id(listing_id):  # no row has it (and the database could not bind it)
        _listing_not_found(by_id=True)
    parts = (("r", IPRight), ("b", Brand), ("l", Listing), ("m", Merchant))
    fields = {alias: model._meta.concrete_fields for alias, model in parts}
    columns = ", ".join(f'{alias}."{f.column}"' for alias, _model in parts for f in fields[alias])
    table = {alias: model._meta.db_table for alias, model in parts}
    brands = ", ".join(["%s"] * len(brand_ids)) or "NULL"
    listing_on = "l.id = %s" if listing_id else "l.url = %s"
    (order_sql, order_params), (date_sql, date_params) = _genuine_purchase_sql(connection.alias)
    sql = (
        f"SELECT {columns}, ({order_sql}), ({date_sql}) "
        "FROM (SELECT 1 AS one) AS one "
        f"LEFT JOIN {table['r']} r ON r.id = %s AND r.brand_id IN ({brands}) "
        f"LEFT JOIN {table['b']} b ON b.id = r.brand_id "
        f"LEFT JOIN {table['l']} l ON {listing_on} "
        f"LEFT JOIN {table['m']} m ON m.id = l.merchant_id "
        "ORDER BY l.created_at DESC, l.id DESC LIMIT 1"  # `listing_find`: the newest listing of a URL
    )
    params = [*order_params, *date_params, ip_right_id, *brand_ids, listing_id or listing_url.strip()]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    found: dict[str, Any] = {}
    values = iter(row)
    for alias, model in parts:
        # Each value as the ORM hands it over (on SQLite a date is text, a decimal a float: the converters).
        own = [_from_db(field, next(values)) for field in fields[alias]]
        primary_key = own[[field.primary_key for field in fields[alias]].index(True)]
        names = [field.attname for field in fields[alias]]
        found[alias] = None if primary_key is None else model.from_db(connection.alias, names, own)
    if found["l"] is None:
        _listing_not_found(by_id=bool(listing_id))
    found["l"].merchant = found["m"]
    if found["r"] is not None:
        found["r"].brand = found["b"]
    order_ref, ordered_on = next(values), _from_db(TestPurchase._meta.get_field("ordered_on"), next(values))
    return FilingSubjects(found["r"], found["l"], None if order_ref is None else (order_ref, ordered_on))


@functools.cache
def _genuine_purchase_sql(using: str) -> tuple[Statement, Statement]:
    """`newest_genuine_purchase` of the right's brand (`r`) and the listing's seller (`l`): the SQL of its
    order reference and of its date, compiled by the ORM once per process."""
    newest = newest_genuine_purchase(RawSQL("r.brand_id", ()), RawSQL("l.merchant_id", ()))
    compiled = []
    for column in ("order_ref", "ordered_on"):
        sql, params = newest.values(column)[:1].query.get_compiler(using=using).as_sql()
        compiled.append((sql, list(params)))
    return compiled[0], compiled[1]


def require_filing_brand(actor: Actor, brand: Brand) -> None:
    """May the actor file for this brand (claims, test purchases)? Another brand is not found (404); a member
    who is neither an owner nor a verified agent is refused (403)."""
    if brand.pk not in actor.brand_ids and not actor.is_system:
        raise NotFound(_("No such brand."))
    if brand.pk not in actor.filing_brand_ids and not actor.is_system:
        raise Forbidden(_("Only the brand's owners and authorised agents may file claims."))


def claim_create(
    *,
    actor: Actor,
    brand: Brand,
    ip_right: IPRight,
    listing: Listing,
    infringement_type: str,
    description: str = "",
    good_faith: bool = False,
    accurate: bool = False,
    signature: str = "",
    batch=None,
) -> Claim:
    require_filing_brand(actor, brand)
    if ip_right.brand_id != brand.pk:
        raise Invalid(_("The IP right does not belong to this brand."), code="ip_right_brand")
    if infringement_type not in InfringementType.values:
        raise Invalid(
            _("Unknown infringement type; use one of %(types)s.")
            % {"types": ", ".join(InfringementType.values)}
        )
    claim = Claim(
        brand=brand,
        ip_right=ip_right,
        listing=listing,
        batch=batch,
        infringement_type=infringement_type,
        description=description,
        good_faith=bool(good_faith),
        accurate=bool(accurate),
        signature=signature.strip(),
        created_by=actor.user,
    )
    using = router.db_for_write(Claim)
    if connections[using].vendor == "postgresql":
        # The claim, its capture and photos and its first event in one statement (`write_together`): one round
        # trip, and no transaction of its own unless the caller is in one (then a savepoint, so that the
        # caller's transaction survives a failed filing). The id is taken first, for the others to name.
        inside = connections[using].in_atomic_block
        with transaction.atomic(using=using) if inside else nullcontext():
            claim.pk = next_id(Claim, using)
            claim_row = insert_statement(claim, using)  # sets `created_at`, which the event follows
            write_together([claim_row, *_claim_records(claim, listing, actor, using)], using)
        claim._state.adding, claim._state.db = False, using
        # What the trigger `claim_reference_on_insert` wrote (the INSERT left it to the database).
        claim.reference = claim_reference(claim.pk, claim.created_at.astimezone(dt.UTC).year)
        return claim
    with transaction.atomic(using=using):
        claim.save(using=using)
        if claim.reference is None:  # no trigger wrote it (SQLite): `ReferenceField`
            claim.reference = claim_reference(claim.pk, claim.created_at.astimezone(dt.UTC).year)
            Claim.objects.filter(pk=claim.pk).update(reference=claim.reference)
        write_together(_claim_records(claim, listing, actor, using), using)
    return claim


def _claim_records(claim: Claim, listing: Listing, actor: Actor, using: str) -> list[Statement]:
    """The writes that go with a new claim: the listing's capture and photos, and the first event, which
    starts the claim's chain (`ClaimEvent.link`: no link before it to look up)."""
    created = ClaimEvent(
        claim=claim,
        transition="create",
        from_state=S.DRAFT,
        to_state=S.DRAFT,
        actor=actor.user,
        actor_label=actor.label,
    )
    created.link(GENESIS)
    return [*listing_capture_statements(claim=claim, listing=listing), insert_statement(created, using)]


def evidence_add(
    *, actor: Actor, claim: Claim, file, kind: str = Evidence.Kind.IMAGE, note: str = ""
) -> Evidence:
    if claim.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may add evidence."))
    if kind not in Evidence.Kind.values:
        raise Invalid(
            _("Unknown evidence kind; use one of %(kinds)s.") % {"kinds": ", ".join(Evidence.Kind.values)}
        )
    stored = checked_upload(file)
    hashed = fingerprint_fields(
        perceptual_hash(file) if stored["content_type"].startswith("image/") else None
    )
    with transaction.atomic():
        # The transitions' row lock: a decision taken while the file arrived is seen here, never missed.
        current = Claim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        if not evidence_open(current):
            raise Conflict(
                _("Evidence cannot be added to a claim that is “%(state)s”.")
                % {"state": current.get_state_display()},
                code="invalid_state",
            )
        return Evidence.objects.create(
            claim=current, kind=kind, note=note, uploaded_by=actor.user, **stored, **hashed
        )


COUNTER_EVIDENCE_MAX_FILES = 20


def counter_notice_evidence_add(*, actor: Actor, claim: Claim, file) -> CounterNoticeEvidence:
    """The merchant's invoices, licences or authorisation letters, attached to its pending counter-notice
    (logged in, or through the signed link). Checked and stored as the brand's evidence is."""
    if not listing_merchant(claim, actor):
        raise Forbidden(
            _("Only the merchant whose listing was removed may attach documents to its counter-notice.")
        )
    with transaction.atomic():
        Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk", flat=True).first()
        counter = (
            CounterNotice.objects.filter(claim_id=claim.pk, outcome=CounterNotice.Outcome.PENDING)
            .order_by("-filed_at")
            .first()
        )
        if counter is None:
            raise Conflict(
                _(
                    "Documents attach to a counter-notice waiting for a decision: file the counter-notice first."
                ),
                code="no_pending_counter_notice",
            )
        if counter.evidence.count() >= COUNTER_EVIDENCE_MAX_FILES:
            raise Invalid(
                _("A counter-notice takes at most %(count)s documents.")
                % {"count": COUNTER_EVIDENCE_MAX_FILES},
                code="too_many_files",
            )
        item = CounterNoticeEvidence.objects.create(
            counter_notice=counter,
            uploaded_by=actor.user,
            via_link=actor.user is None,
            **checked_upload(file),
        )
        audit(
            actor=actor,
            action="counter_notice_evidence",
            obj=item,
            claim=claim,
            merchant=claim.listing.merchant_id,
            data={"sha256": item.sha256, "size": item.size, "content_type": item.content_type},
        )
    return item


def claim_file(
    *,
    actor: Actor,
    brand: Brand,
    ip_right: IPRight,
    listing_url: str,
    fields: dict,
    files: list,
    evidence_kind: str | list[str],
) -> Claim:
    """Create, attach evidence and submit as one unit: if any step fails nothing is filed, and the error
    lists every unmet condition, so the brand fixes them all at once. `evidence_kind` is one kind for every
    file or one per file, in the files' order."""
    listing = listing_find(listing_url=listing_url)
    kinds = [evidence_kind] * len(files) if isinstance(evidence_kind, str) else list(evidence_kind)
    if len(kinds) != len(files):
        raise Invalid(_("Give one kind of evidence for each file."), code="evidence_kind")
    with transaction.atomic():
        claim = claim_create(actor=actor, brand=brand, ip_right=ip_right, listing=listing, **fields)
        for upload, kind in zip(files, kinds, strict=True):
            evidence_add(actor=actor, claim=claim, file=upload, kind=kind)
        return claim_transition(claim_id=claim.pk, name="submit", actor=actor)
