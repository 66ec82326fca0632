from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bench.views import PlainClaimViewSet
from config.urls import urlpatterns as project

router = DefaultRouter()
router.register("plain", PlainClaimViewSet, basename="plain")

urlpatterns = [path("bench/", include(router.urls)), *project]
