"""Writes for merchants and listings: create-or-update by `platform_ref`, as the marketplace sends them."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.fingerprints import fingerprint_fields, perceptual_hash
from core.roles import Actor
from core.uploads import checked_upload
from merchants.models import Listing, ListingImage, Merchant


def may_write_marketplace_data(actor: Actor) -> bool:
    """Merchants and listings are the marketplace's data: only its service account and reviewers write them."""
    return actor.platform or actor.reviewer


def _require(data: dict, *names: str) -> None:
    missing = [n for n in names if not str(data.get(n) or "").strip()]
    if missing:
        raise Invalid(
            _("Required: %(fields)s.") % {"fields": ", ".join(missing)},
            code="required",
            extra={"fields": {n: [_("This field is required.")] for n in missing}},
        )


def merchant_upsert(*, data: dict) -> tuple[Merchant, bool]:
    """Create or update a merchant by `platform_ref`. Returns (merchant, created)."""
    _require(data, "platform_ref", "name")
    email = str(data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid(
                _("Enter a valid e-mail address."),
                code="invalid",
                extra={"fields": {"email": [_("Enter a valid e-mail address.")]}},
            ) from exc
    country = str(data.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise Invalid(
            _("country must be a two-letter ISO code."),
            extra={"fields": {"country": [_("Use a two-letter ISO 3166-1 code.")]}},
        )
    defaults = {"name": str(data["name"]).strip()[:200], "email": email, "country": country}
    if data.get("language"):
        if data["language"] not in dict(settings.LANGUAGES):
            raise Invalid(
                _("Unknown language."),
                extra={
                    "fields": {
                        "language": [
                            _("Use one of %(languages)s.")
                            % {"languages": ", ".join(dict(settings.LANGUAGES))}
                        ]
                    }
                },
            )
        defaults["language"] = data["language"]
    merchant, created = Merchant.objects.update_or_create(
        platform_ref=str(data["platform_ref"]).strip(), defaults=defaults
    )
    return merchant, created


def listing_upsert(*, data: dict) -> tuple[Listing, bool]:
    """Create or update one listing by `platform_ref`; its merchant must exist (`merchant_ref`). The same
    rules as a bulk write, which it is, of one item."""
    [result] = listings_upsert([data])
    if result["status"] == "error":
        raise Invalid(result["detail"], code=result["code"], extra={"fields": result["errors"]})
    return Listing.objects.select_related("merchant").get(pk=result["id"]), result["status"] == "created"


# `attributes` is written like every other field: an upsert that leaves them out clears them.
BULK_FIELDS = ("merchant", "url", "title", "price", "currency", "attributes", "updated_at")


def listings_upsert(items: list) -> list[dict]:
    """Create or update listings by `platform_ref`, set-based: each item checked in plain Python, the merchants
    and the existing listings read in one query each, all rows written in one INSERT … ON CONFLICT DO UPDATE.
    One result per item, in order: `created`/`updated` with the listing's `id`, or `error` with `detail`,
    `code` and `errors` by field; a bad item stops nothing else. (Set-based: docs/scaling.md.)"""
    cleaned: dict[int, dict] = {}
    results: list[dict] = [{"index": i} for i in range(len(items))]
    for index, item in enumerate(items):
        try:
            cleaned[index] = _listing_clean(item)
        except Invalid as exc:
            results[index].update(
                status="error", detail=exc.detail, code=exc.code, errors=exc.extra.get("fields", {})
            )
    refs = {row["merchant_ref"] for row in cleaned.values()}
    merchants = {m.platform_ref: m for m in Merchant.objects.filter(platform_ref__in=refs)}
    rows: dict[str, dict] = {}  # by platform_ref: a ref sent twice keeps its last version, as in order
    now = timezone.now()
    for index, row in list(cleaned.items()):
        merchant = merchants.get(row["merchant_ref"])
        if merchant is None:
            message = _("No merchant with that merchant_ref; create the merchant first.")
            results[index].update(
                status="error",
                detail=message,
                code="merchant_not_found",
                errors={"merchant_ref": [_("Unknown merchant.")]},
            )
            del cleaned[index]
            continue
        # A banned seller has no active listing: what the marketplace pushes for it arrives removed.
        banned = merchant.status == Merchant.Status.BANNED
        rows[row["platform_ref"]] = {
            "platform_ref": row["platform_ref"],
            "merchant_id": merchant.pk,
            "url": row["url"],
            "title": row["title"],
            "price": row["price"],
            "currency": row["currency"],
            "attributes": row["attributes"],
            "status": Listing.Status.REMOVED if banned else Listing.Status.ACTIVE,
            "removed_at": now if banned else None,
            "created_at": now,
            "updated_at": now,
        }
    removed = [r for r in rows.values() if r["status"] == Listing.Status.REMOVED]
    active = [r for r in rows.values() if r["status"] == Listing.Status.ACTIVE]
    written: dict[str, tuple[int, bool]] = {}  # platform_ref → (id, created)
    for batch, fields in [(active, BULK_FIELDS), (removed, (*BULK_FIELDS, "status", "removed_at"))]:
        if batch:
            written.update(_listings_write(batch, fields))
    for index, row in cleaned.items():
        ref = row["platform_ref"]
        pk, created = written[ref]
        results[index].update(status="created" if created else "updated", id=pk, platform_ref=ref)
    return results


# Every listing of a bulk write in one statement: the rows travel as one JSON text (`jsonb_to_recordset`), so
# PostgreSQL parses and plans one short statement whatever the number of rows, and the driver escapes one
# string, instead of the ORM compiling and quoting 1,000 rows of placeholders (most of a bulk write's time;
# docs/scaling.md). `xmax = 0` tells a row just inserted from one updated.
_UPSERT = """
INSERT INTO merchants_listing
    (platform_ref, merchant_id, url, title, price, currency, attributes, status, removed_at, created_at, updated_at)
SELECT r.platform_ref, r.merchant_id, r.url, r.title, r.price, r.currency, r.attributes, r.status, r.removed_at,
       r.at, r.at
FROM jsonb_to_recordset(%s::jsonb) AS r(
    platform_ref varchar, merchant_id bigint, url varchar, title varchar, price numeric, currency varchar,
    attributes jsonb, status varchar, removed_at timestamptz, at timestamptz)
ON CONFLICT (platform_ref) DO UPDATE SET {updates}
RETURNING platform_ref, id, (xmax = 0)
"""


def _listings_write(rows: list[dict], fields: tuple[str, ...]) -> dict[str, tuple[int, bool]]:
    """Insert the listings (each a dict of Listing's columns), or update `fields` of those whose
    `platform_ref` exists: platform_ref → (id, created). PostgreSQL in one statement (`_UPSERT`); elsewhere
    the ORM's bulk_create."""
    if connection.vendor != "postgresql":
        refs = [r["platform_ref"] for r in rows]
        existing = set(Listing.objects.filter(platform_ref__in=refs).values_list("platform_ref", flat=True))
        done = Listing.objects.bulk_create(
            [Listing(**r) for r in rows],
            update_conflicts=True,
            unique_fields=["platform_ref"],
            update_fields=list(fields),
        )
        return {row.platform_ref: (row.pk, row.platform_ref not in existing) for row in done}
    columns = [cast(Field, Listing._meta.get_field(name)).column for name in fields]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    data = orjson.dumps(
        [
            {
                **r,
                "price": None if r["price"] is None else str(r["price"]),
                "removed_at": r["removed_at"].isoformat() if r["removed_at"] else None,
                "at": r["updated_at"].isoformat(),
            }
            for r in rows
        ],
        default=str,
    ).decode()
    params = [data]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(updates=updates), params)
        return {ref: (pk, created) for ref, pk, created in cursor.fetchall()}


def _listing_clean(item) -> dict:
    """One listing's fields, checked: the messages name the field, as the serializers' do."""
    if not isinstance(item, dict):
        raise Invalid(_("Each listing is a JSON object."), code="invalid", extra={"fields": {}})
    _require(item, "platform_ref", "merchant_ref", "url", "title")
    problems: dict[str, list[str]] = {}

    def text(name: str, limit: int) -> str:
        value = item.get(name)
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            problems[name] = [_("Not a valid string.")]
            return ""
        value = str(value).strip()
        if len(value) > limit:
            problems[name] = [_("Ensure this field has no more than %(n)s characters.") % {"n": limit}]
        if "\x00" in value:
            problems[name] = [_("Null characters are not allowed.")]
        return value

    row: dict[str, Any] = {
        "platform_ref": text("platform_ref", 100),
        "merchant_ref": text("merchant_ref", 100),
        "url": text("url", 500),
        "title": text("title", 300),
        "currency": text("currency", 3).upper() if item.get("currency") not in (None, "") else "",
        "price": None,
    }
    if "url" not in problems and not _is_web_url(row["url"]):
        problems["url"] = [_("Enter a valid URL.")]
    raw_price = item.get("price")
    if raw_price not in (None, ""):
        try:
            price = Decimal(str(raw_price))
        except InvalidOperation:
            problems["price"] = [_("A valid number is required.")]
        else:
            if not price.is_finite() or price < 0 or price >= Decimal("1e10"):
                problems["price"] = [_("Out of range.")]
            else:
                row["price"] = price.quantize(Decimal("0.01"))
    if row["currency"] and (len(row["currency"]) != 3 or not row["currency"].isalpha()):
        problems["currency"] = [_("Use a three-letter code.")]
    try:
        row["attributes"] = listing_attributes_clean(item.get("attributes"))
    except ValueError as exc:
        problems["attributes"] = [str(exc)]
    if problems:
        first = next(iter(problems))
        raise Invalid(f"{first}: {problems[first][0]}", code="invalid", extra={"fields": problems})
    return row


ATTRIBUTES_MAX = 30
ATTRIBUTE_NAME_MAX = 50
ATTRIBUTE_VALUE_MAX = 200


def listing_attributes_clean(raw) -> dict[str, str]:
    """A listing's attributes as the marketplace shows them (brand, model, condition, colour …): a flat JSON
    object of at most `ATTRIBUTES_MAX` names, each a short text, each value a short text (a number is taken as
    its text). Absent or null is none. ValueError says what is wrong, naming the attribute."""
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, dict):
        raise ValueError(_("Send the attributes as a JSON object of names and texts."))
    if len(raw) > ATTRIBUTES_MAX:
        raise ValueError(_("At most %(n)s attributes per listing.") % {"n": ATTRIBUTES_MAX})
    cleaned: dict[str, str] = {}
    for name, value in raw.items():
        key = str(name).strip()
        if not key or len(key) > ATTRIBUTE_NAME_MAX or not key.isprintable():
            raise ValueError(
                _("Attribute names are 1 to %(n)s printable characters: “%(name)s” is not.")
                % {"n": ATTRIBUTE_NAME_MAX, "name": key[:60]}
            )
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(
                _("The attribute “%(name)s” must be a text (a list, an object, true/false or null is not).")
                % {"name": key}
            )
        text = str(value).strip()
        if len(text) > ATTRIBUTE_VALUE_MAX or "\x00" in text:
            raise ValueError(
                _("The attribute “%(name)s” is longer than %(n)s characters or holds a null character.")
                % {"name": key, "n": ATTRIBUTE_VALUE_MAX}
            )
        if key in cleaned:
            raise ValueError(_("The attribute “%(name)s” is sent twice.") % {"name": key})
        cleaned[key] = text
    return cleaned


WEB_URL = URLValidator(schemes=["http", "https"])


def _is_web_url(url: str) -> bool:
    """Django's URL validator, for http and https. It is the slow part of checking a listing (its host
    pattern), and what it checks beyond the host is that the rest of the address (from the first `/`, `?`
    or `#`) has no white space and that the whole fits in its maximum length: so the scheme and host are
    validated once per host (a bulk request's listings share a few) and the rest here. A test holds this to
    the validator itself on generated addresses."""
    if not url.startswith(("http://", "https://")) or " " in url or len(url) > WEB_URL.max_length:
        return False
    scheme_end = url.index("://") + 3
    host_end = min((i for i in (url.find(c, scheme_end) for c in "/?#") if i >= 0), default=len(url))
    rest = url[host_end:]
    return _web_origin_valid(url[:host_end]) and not any(c.isspace() for c in rest)


@functools.lru_cache(maxsize=4096)
def _web_origin_valid(origin: str) -> bool:
    try:
        WEB_URL(origin)
    except ValidationError:
        return False
    return True


IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
LISTING_IMAGES_MAX = 20


def listing_image_add(*, listing: Listing, file) -> tuple[ListingImage, bool]:
    """Keep a photo of a listing as the marketplace shows it, with its perceptual hash, so that evidence can
    be matched against it. The same photo sent again is the same row. Returns (image, created)."""
    stored = checked_upload(file, allowed=IMAGE_TYPES, accepted="images (JPEG, PNG, GIF, WebP)")
    existing = ListingImage.objects.filter(listing=listing, sha256=stored["sha256"]).first()
    if existing:
        return existing, False
    if listing.images.count() >= LISTING_IMAGES_MAX:
        raise Invalid(
            _("A listing keeps at most %(n)s photos.") % {"n": LISTING_IMAGES_MAX},
            code="too_many",
            extra={"fields": {"file": [_("Too many photos for one listing.")]}},
        )
    stored.pop("original_name")
    try:
        with transaction.atomic():
            image = ListingImage.objects.create(
                listing=listing, **stored, **fingerprint_fields(perceptual_hash(file))
            )
    except IntegrityError:  # the same photo, sent twice at once: the other request stored it
        return ListingImage.objects.get(listing=listing, sha256=stored["sha256"]), False
    return image, True
