from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True, help_text=_("Shown to merchants in takedown notices."))
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the notices the brand receives."),
    )
    trusted_flagger = models.BooleanField(default=False, help_text=_("Designated under DSA Art. 22."))
    trusted_flagger_designation = models.CharField(max_length=200, blank=True)
    good_faith = models.BooleanField(default=False)
    good_faith_since = models.DateTimeField(null=True, blank=True)
    good_faith_removed_at = models.DateTimeField(null=True, blank=True)
    misuse_flagged_at = models.DateTimeField(null=True, blank=True)
    misuse_warned_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_suspended(self, now=None) -> bool:
        return bool(self.suspended_until and self.suspended_until > (now or timezone.now()))


class IPRightQuerySet(models.QuerySet):
    def usable(self, today=None):
        """The rights a claim may be filed under: verified and not expired (`IPRight.is_usable`, as a query)."""
        today = today or timezone.localdate()
        return self.filter(status=IPRight.Status.VERIFIED).exclude(valid_until__lt=today)


class IPRight(models.Model):
    class Kind(models.TextChoices):
        TRADEMARK = "trademark", _("Trademark")
        COPYRIGHT = "copyright", _("Copyright")
        DESIGN = "design", _("Design")
        PATENT = "patent", _("Patent")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="ip_rights")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mark = models.CharField(max_length=200, help_text=_("The word mark, title of the work, or design name."))
    registration_number = models.CharField(max_length=100)
    office = models.CharField(max_length=50, help_text=_("USPTO, EUIPO, CNIPA, WIPO, …"))
    classes = models.CharField(max_length=200, blank=True, help_text=_("Nice classes, comma-separated."))
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    certificate = models.FileField(upload_to="certificates/%Y/%m/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IPRightQuerySet.as_manager()

    class Meta:
        ordering = ["brand__name", "mark"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "office", "registration_number"], name="unique_ip_right_per_office"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="ip_right_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="ip_right_status_idx")]  # the verification queue

    def __str__(self) -> str:
        return f"{self.mark} ({self.office} {self.registration_number})"

    def is_expired(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.EXPIRED or bool(self.valid_until and self.valid_until < today)

    def is_usable(self, today=None) -> bool:
        return self.status == self.Status.VERIFIED and not self.is_expired(today)


class BrandMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        AGENT = "agent", _("Agent")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)
    authorisation_letter = models.FileField(upload_to="authorisations/%Y/%m/", blank=True)
    authorisation_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "brand"], name="unique_brand_membership")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.brand}"

    @property
    def can_file(self) -> bool:
        """Owners file; agents only once their authorisation letter is verified; viewers never."""
        if self.role == self.Role.OWNER:
            return True
        return self.role == self.Role.AGENT and self.authorisation_verified
