from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    platform_ref = models.CharField(max_length=100, unique=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="listings")
    url = models.URLField(max_length=500, db_index=True)  # claim filing finds the listing by its URL
    title = models.CharField(max_length=300)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["merchant", "status"], name="listing_merchant_status_idx")]  # bans

    def __str__(self) -> str:
        return f"{self.title} ({self.platform_ref})"
