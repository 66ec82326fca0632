"""The listings API: the marketplace pushes listings one by one or in bulk; brands and reviewers read them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import is_row_id, request_actor
from core.errors import Forbidden, Invalid, NotFound
from core.files import FILE_RESPONSES, file_response
from merchants.models import Listing, ListingImage
from merchants.selectors import listings_visible_to
from merchants.services import marketplace as services
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
            "attributes",
            "status",
            "removed_at",
            "created_at",
            "updated_at",
        ]


class ListingImageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingImage
        fields = ["id", "listing", "sha256", "content_type", "size", "created_at"]


class ListingImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A photo of the listing as the marketplace shows it (JPEG, PNG, GIF, WebP)."
    )


class ListingWriteSerializer(serializers.Serializer):
    platform_ref = serializers.CharField(max_length=100)
    merchant_ref = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=300)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    attributes = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="What the marketplace shows beside the title: a flat object of texts, e.g. "
        '{"brand": "Acme", "model": "X1", "condition": "new", "colour": "red"}; at most 30, names up to 50 '
        "characters, values up to 200. Left out, the listing has none.",
    )


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

    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": ListingImageUploadSerializer},
        responses={201: ListingImageSerializer, 200: ListingImageSerializer},
    )
    @extend_schema(methods=["get"], responses=ListingImageSerializer(many=True))
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def images(self, request, pk=None):
        """The listing's photos. The marketplace sends each one (`file`, multipart): it is kept with its
        perceptual hash, so evidence photos can be matched against it; the same photo twice is one row (200)."""
        listing = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(listing.images.all())
            return self.get_paginated_response(ListingImageSerializer(page, many=True).data)
        if not may_write_marketplace_data(request_actor(request)):
            raise Forbidden("Only the marketplace's service account and reviewers send listing photos.")
        body = ListingImageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        image, created = services.listing_image_add(listing=listing, file=body.validated_data["file"])
        return Response(
            ListingImageSerializer(image).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path=r"images/(?P<image_id>[0-9]+)/file", url_name="image-file")
    def image_file(self, request, pk=None, image_id=None):
        """One photo of the listing, to whoever may read the listing."""
        listing = self.get_object()
        image = listing.images.filter(pk=image_id).first() if is_row_id(image_id) else None
        if image is None:
            raise NotFound("No such image.")
        return file_response(image.file)
