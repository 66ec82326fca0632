"""A second factor (TOTP, django-otp) for the staff who decide claims and read everything.

With `STAFF_REQUIRE_2FA=1`, reviewers and compliance officers confirm a code from an authenticator app after
their password: in the portal once per session (the first time they enrol the app by scanning a QR code),
and when they ask the API for a token. Until then every page sends them to the code form and the API
answers 403.
"""

from __future__ import annotations

from base64 import b64encode
from io import BytesIO
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import actor_for

# Pages a staff user may open before confirming the code: the form itself, signing out, static files.
OPEN_BEFORE_SECOND_FACTOR = ("/account/two-factor/", "/logout/", "/static/", "/i18n/", "/healthz")


def second_factor_required(user) -> bool:
    if not settings.STAFF_REQUIRE_2FA or user is None or not user.is_authenticated:
        return False
    actor = actor_for(user)
    return actor.reviewer or actor.compliance


def second_factor_verify(user, code) -> bool:
    """Does `code` match one of the user's enrolled authenticators?"""
    code = str(code or "").strip().replace(" ", "")
    if not code.isdigit():
        return False
    return any(
        device.verify_token(code) for device in TOTPDevice.objects.devices_for_user(user, confirmed=True)
    )


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            second_factor_required(user)
            and not user.is_verified()
            and not request.path.startswith(OPEN_BEFORE_SECOND_FACTOR)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Confirm your second factor in the portal first.", "code": "otp_required"},
                    status=403,
                )
            return redirect(f"{reverse('two-factor')}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _qr_data_uri(uri: str) -> str:
    buffer = BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + b64encode(buffer.getvalue()).decode()


@login_required
def two_factor(request):
    """Enrol an authenticator app (first time) or confirm a code from it (every session)."""
    user = request.user
    confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    problem = ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip().replace(" ", "")
        if code.isdigit() and device.verify_token(code):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            target = request.POST.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("home")
            return redirect(target)
        problem = _("That code does not match. Enter the six digits your app shows now.")
    context = {"enrolling": not device.confirmed, "problem": problem, "next": request.GET.get("next", "")}
    if not device.confirmed:
        context.update({"qr": _qr_data_uri(device.config_url), "secret": device.key})
    response = render(request, "registration/two_factor.html", context)
    response["Cache-Control"] = "no-store"
    return response
