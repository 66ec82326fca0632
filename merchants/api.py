"""The listings API: the marketplace pushes listings one by one or in bulk; brands and reviewers read them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import request_actor
from core.errors import Forbidden, Invalid
from merchants.services import marketplace as services
from merchants.models import Listing
from merchants.selectors import listings_visible_to
from merchants.services.marketplace import may_write_marketplace_data


class ListingSerializer(serializers.ModelSerializer):
    merchant_ref = serializers.CharField(source="merchant.platform_ref", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "platform_ref",
            "merchant",
            "merchant_ref",
            "url",
            "title",
            "price",
            "currency",
            "status",
            "removed_at",
            "created_at",
            "updated_at",
        ]


class ListingWriteSerializer(serializers.Serializer):
    platform_ref = serializers.CharField(max_length=100)
    merchant_ref = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=300)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Listings, created or updated by `platform_ref`; `?url=` finds the listing a claim is about."""

    serializer_class = ListingSerializer
    filterset_fields = ["status", "merchant", "url", "platform_ref"]

    def get_queryset(self):
        return listings_visible_to(request_actor(self.request)).order_by("-created_at", "-pk")

    # Create or update by `platform_ref`: 201 when the listing is new, 200 when it was updated.
    @extend_schema(request=ListingWriteSerializer, responses={201: ListingSerializer, 200: ListingSerializer})
    def create(self, request):
        if not may_write_marketplace_data(request_actor(request)):
            raise Forbidden("Only the marketplace's service account and reviewers write listings.")
        body = ListingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        listing, created = services.listing_upsert(data=body.validated_data)
        return Response(
            ListingSerializer(listing).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=ListingWriteSerializer(many=True), responses=None)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """A JSON list of listings → one result per item, in order; one bad item does not stop the rest."""
        if not may_write_marketplace_data(request_actor(request)):
            raise Forbidden("Only the marketplace's service account and reviewers write listings.")
        items = request.data.get("listings") if isinstance(request.data, dict) else request.data
        if not isinstance(items, list):
            raise Invalid("Send a JSON list of listings.", code="list_required")
        if len(items) > 1000:
            raise Invalid("At most 1,000 listings per request.", code="too_many")
        results = services.listings_upsert(items)
        for result in results:
            result.pop("code", None)
        failed = sum(1 for r in results if r["status"] == "error")
        return Response(
            {
                "results": results,
                "created": sum(1 for r in results if r["status"] == "created"),
                "updated": sum(1 for r in results if r["status"] == "updated"),
                "failed": failed,
            },
            status=status.HTTP_200_OK,
        )
