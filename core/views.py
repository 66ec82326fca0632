"""Views every deployment needs: the health check and the error pages."""

from __future__ import annotations

import sys

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from core.outages import database_unavailable, unavailable_response


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- errors -----------------------------------------------------------------------------------------------
def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # A database that is restarting or locked is not a bug of ours: 503, so clients and proxies retry.
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Internal error; it has been logged.", "code": "server_error"}, status=500
        )
    return HttpResponse(
        "Something went wrong on our side; it has been logged.", status=500, content_type="text/plain"
    )
