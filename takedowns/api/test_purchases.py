"""The test purchases API: a brand's orders from sellers and their inspection (docs/intelligence.md).

Read by the brand's members and the platform's staff only: another brand and every merchant get 404. Attached
to claims through `claims/{id}/test-purchases/` (takedowns.api.claims)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import request_actor
from core.errors import Forbidden, NotFound
from core.files import IMAGE_TYPES, file_response
from takedowns.api.serializers import TestPurchaseCreateSerializer, TestPurchaseSerializer
from takedowns.selectors import test_purchase_list, test_purchase_photos_visible_to
from takedowns.services.filing import listing_find
from takedowns.services.test_purchases import test_purchase_create

# What the photo download answers: photos are images only (the sniffed type; a plain download when the bytes
# are no longer recognised).
PHOTO_RESPONSES = {(200, content_type): bytes for content_type in (*IMAGE_TYPES, "application/octet-stream")}


class TestPurchaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Test purchases, newest order first. Recorded by the brand's owners and verified agents, as claims."""

    __test__ = False  # a viewset, not a pytest class
    serializer_class = TestPurchaseSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return test_purchase_list(request_actor(self.request))

    @extend_schema(request=TestPurchaseCreateSerializer, responses={201: TestPurchaseSerializer})
    def create(self, request, *args, **kwargs):
        """Multipart: `brand`, `listing`, `order_ref`, `ordered_on`, `amount`, `currency`, `verdict`, one or more
        `photos` (images) and optional `notes`. 409 when the brand already recorded that order reference."""
        actor = request_actor(request)
        if not actor.filing_brand_ids:  # reviewers, merchants, viewers: 403 before the body is read
            raise Forbidden("Only a brand's owners and authorised agents may record test purchases.")
        body = TestPurchaseCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        purchase = test_purchase_create(
            actor=actor,
            brand=data["brand"],
            listing=listing_find(listing_id=data["listing"]),
            order_ref=data["order_ref"],
            ordered_on=data["ordered_on"],
            amount=data["amount"],
            currency=data["currency"],
            verdict=data["verdict"],
            notes=data["notes"],
            photos=data["photos"],
        )
        shown = self.get_queryset().get(pk=purchase.pk)
        return Response(
            TestPurchaseSerializer(shown, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=PHOTO_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"photos/(?P<photo_id>[0-9]+)/file",
        url_name="photo-file",
    )
    def photo_file(self, request, pk=None, photo_id=None):
        """A photo of what arrived: the brand's members and the platform's staff, never a merchant."""
        # The router lets any text through as the purchase id: one that is not a number names nothing (404).
        photo = (
            test_purchase_photos_visible_to(request_actor(request))
            .filter(purchase_id=pk, pk=photo_id)
            .first()
            if str(pk).isdecimal()
            else None
        )
        if photo is None:
            raise NotFound("No such photo.")
        return file_response(photo.file)
