from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Merchant(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        BANNED = "banned", _("Banned")

    platform_ref = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en",
                                help_text=_("The language of the notices the merchant receives."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
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


class StrikeQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Strike(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="strikes")
    claim = models.OneToOneField(
        "takedowns.Claim", null=True, blank=True, on_delete=models.SET_NULL, related_name="strike"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    objects = StrikeQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        # Counting a merchant's active strikes on every takedown.
        indexes = [models.Index(fields=["merchant", "revoked_at", "expires_at"], name="strike_active_idx")]

    def __str__(self) -> str:
        return f"Strike on {self.merchant} ({self.issued_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
