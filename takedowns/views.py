"""Portal pages: thin; every write calls a service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from .errors import DomainError
from .models import Claim
from .roles import actor_for, merchant_link_actor
from .services import claim_transition, merchant_link_read


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    actor = actor_for(request.user)
    from .selectors import claim_list

    claims = claim_list(actor)[:20]
    return render(request, "takedowns/home.html", {"claims": claims})


def merchant_claim(request, token):
    try:
        claim_id, merchant_id = merchant_link_read(token)
    except DomainError as exc:
        return render(request, "takedowns/merchant_link_invalid.html", {"message": exc.detail}, status=404)
    claim = get_object_or_404(Claim.objects.select_related("brand", "ip_right", "listing__merchant"), pk=claim_id,
                              listing__merchant_id=merchant_id)
    error = None
    if request.method == "POST":
        try:
            claim_transition(
                claim_id=claim.pk, name="counter_notice", actor=merchant_link_actor(merchant_id),
                note=request.POST.get("statement", ""), reason=request.POST.get("reason", ""),
                data={"good_faith": request.POST.get("good_faith") == "on", "signature": request.POST.get("signature", "")},
            )
            return redirect("merchant-claim", token=token)
        except DomainError as exc:
            error = exc
    from .models import CounterReason

    return render(request, "takedowns/merchant_claim.html", {
        "claim": claim, "error": error, "reasons": CounterReason.choices, "form": request.POST,
    })


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal error; it has been logged.", "code": "server_error"}, status=500)
    return HttpResponse("Something went wrong on our side; it has been logged.", status=500, content_type="text/plain")
