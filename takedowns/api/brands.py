"""The brands API, extended with what depends on claims: the trust programmes are computed from them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

import brands.api
from brands.api import BrandSerializer
from core.api import request_actor
from core.errors import Forbidden
from takedowns.services.programmes import brand_programmes_recompute


class BrandViewSet(brands.api.BrandViewSet):
    @extend_schema(request=None, responses=BrandSerializer)
    @action(detail=True, methods=["post"], url_path="recompute-programmes")
    def recompute_programmes(self, request, pk=None):
        """Good-faith and misuse status now, instead of at the nightly run."""
        brand = self.get_object()
        if not request_actor(request).reviewer:
            raise Forbidden("Only reviewers recompute programme status.")
        brand_programmes_recompute(brand=brand)
        return self._brand(brand)
