"""One plain model for the bare-DRF baseline: about the columns of a claim, no relations, no rules."""

from django.db import models


class PlainClaim(models.Model):
    reference = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=20, default="draft")
    brand_name = models.CharField(max_length=200)
    listing_url = models.CharField(max_length=500)
    infringement_type = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # As the claims have (`claim_created_idx`): the baseline sorts by an index, not by sorting the table.
        indexes = [models.Index(fields=["created_at", "id"], name="plain_created_idx")]

    def __str__(self) -> str:
        return self.reference or f"plain #{self.pk}"
