from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from brands.api import IPRightViewSet
from core.api import TokenView
from merchants.api import ListingViewSet
from reports.api import AuditEventViewSet, ReportExportDownloadView, ReportExportView, ReportSummaryView
from takedowns.api.batches import ClaimBatchViewSet
from takedowns.api.brands import BrandViewSet
from takedowns.api.claims import ClaimViewSet
from takedowns.api.merchants import MerchantViewSet
from takedowns.api.networks import NetworkViewSet
from takedowns.api.test_purchases import TestPurchaseViewSet

router = DefaultRouter()
router.register("brands", BrandViewSet, basename="brand")
router.register("ip-rights", IPRightViewSet, basename="ip-right")
router.register("merchants", MerchantViewSet, basename="merchant")
router.register("listings", ListingViewSet, basename="listing")
router.register("networks", NetworkViewSet, basename="network")
router.register("claims", ClaimViewSet, basename="claim")
router.register("claim-batches", ClaimBatchViewSet, basename="claim-batch")
router.register("test-purchases", TestPurchaseViewSet, basename="test-purchase")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/reports/summary/", ReportSummaryView.as_view(), name="report-summary"),
    path("api/v1/reports/export/", ReportExportView.as_view(), name="report-export"),
    path(
        "api/v1/reports/exports/<int:pk>/", ReportExportDownloadView.as_view(), name="report-export-download"
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the page needs no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("", include("brands.urls")),
    path("", include("takedowns.urls")),
    path("", include("reports.urls")),
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
