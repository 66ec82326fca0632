from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fingerprints import Fingerprinted


class Merchant(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        BANNED = "banned", _("Banned")
        # A ban waiting for a second reviewer (takedowns.BanHold): nothing removed yet.
        BAN_PENDING = "ban_pending", _("Ban held for second approval")

    platform_ref = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the notices the merchant receives."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    banned_at = models.DateTimeField(null=True, blank=True)
    # The seller network (merchants sharing an identifier); null when it shares none.
    network = models.ForeignKey(
        "Network", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Ban evasion: set when the merchant, created or updated, links to a banned merchant; it stays set (an
    # evader who drops the shared identifier afterwards is still the one who had it). Why: `evasion_of` and
    # the kinds of identifier that linked them.
    ban_evasion = models.BooleanField(default=False)
    evasion_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evasion_kinds = models.JSONField(default=list, blank=True)
    evasion_flagged_at = models.DateTimeField(null=True, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="merchants")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform_ref})"


class Listing(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed")

    # Indexed in Meta, without the `varchar_pattern_ops` copies Django adds for `unique`/`db_index` text
    # columns on PostgreSQL: nothing searches listings by prefix, and each index costs every bulk write.
    platform_ref = models.CharField(max_length=100)
    # `listing_merchant_status_idx` starts with the merchant: it serves lookups by merchant too.
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="listings", db_index=False)
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=300)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # What the marketplace shows beside the title (brand, model, condition, colour …): a flat object of short
    # texts, checked by `merchants.services.marketplace.listing_attributes_clean`; captured with each claim.
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["merchant", "status"], name="listing_merchant_status_idx"),  # bans
            models.Index(fields=["url"], name="listing_url_idx"),  # claim filing finds the listing by its URL
        ]
        constraints = [
            # The marketplace's own id: listings are written by it (`listings_upsert`: ON CONFLICT)
            models.UniqueConstraint(fields=["platform_ref"], name="listing_platform_ref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.platform_ref})"


class Network(models.Model):
    """Storefronts that share an identifier (an e-mail, a payout account, an address …), directly or through
    each other: the connected components of the identifier graph with two members or more. Kept up to date
    by `merchants.services.networks` whenever a merchant's identifiers change; docs/intelligence.md."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"network #{self.pk}"


class MerchantIdentifier(models.Model):
    """One identifier of a merchant, as a keyed hash only (`merchants.identifiers`): never the value."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Contact e-mail")
        PHONE = "phone", _("Phone")
        PAYOUT_ACCOUNT = "payout_account", _("Payout account")
        ADDRESS = "address", _("Registered address")
        REGISTRATION_NUMBER = "registration_number", _("Company registration number")
        SHIP_FROM = "ship_from", _("Shipping origin")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    digest = models.CharField(max_length=64, db_index=True)  # the network walk: who else has this digest
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "kind"], name="one_identifier_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} of merchant #{self.merchant_id}"


class ListingImage(Fingerprinted):
    """A listing's photo as the marketplace sent it: kept with its perceptual hash, so that evidence photos
    can be matched against listings (`core.fingerprints`)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="listings/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Fingerprinted.Meta):
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["listing", "sha256"], name="listing_image_once")]

    def __str__(self) -> str:
        return f"image of listing #{self.listing_id} ({self.sha256[:12]})"


def identifier_label(kind: str) -> str:
    """A kind of identifier as people say it (for pages and reasons); an unknown kind as it is."""
    return str(dict(MerchantIdentifier.Kind.choices).get(kind, kind))
