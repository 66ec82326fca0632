"""Portal forms for brands: they check the shape of the input; `brands.services` checks the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, BrandMembership, IPRight


class BrandForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Brand
        fields = ["name", "website", "contact_email"]
        labels = {
            "name": _("Brand name"),
            "website": _("Website"),
            "contact_email": _("Contact e-mail for merchants"),
        }
        help_texts = {
            "contact_email": _("Shown to merchants in takedown notices; your own e-mail if left empty.")
        }

    def validate_unique(self):
        """The service answers a taken name (with the same message as the API)."""


class BrandEditForm(forms.ModelForm):
    """What an owner may change after registration; the name stays (claims and reports carry it)."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Brand
        fields = ["website", "contact_email", "language"]
        labels = {
            "website": _("Website"),
            "contact_email": _("Contact e-mail for merchants"),
            "language": _("Language of the brand's notices"),
        }
        help_texts = {
            "contact_email": _("Shown to merchants in takedown notices."),
            "language": _(
                "E-mails to the brand (decisions, information requests, counter-notices) "
                "are sent in this language."
            ),
        }


class MemberForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("The person signs up first; you add them by their username."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=BrandMembership.Role.choices, initial=BrandMembership.Role.AGENT
    )
    authorisation_letter = forms.FileField(
        label=_("Authorisation letter (PDF, JPEG or PNG)"),
        required=False,
        help_text=_(
            "Required for agents: a letter from the brand that authorises them to act for it. A reviewer checks it."
        ),
    )

    def clean_username(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise forms.ValidationError(_("No user with that username."), code="user_not_found")
        return user


class WarnForm(forms.Form):
    note = forms.CharField(
        label=_("Warning sent to the brand"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SuspendForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days"), initial=30, widget=forms.NumberInput(attrs={"min": 1, "max": 365})
    )
    note = forms.CharField(
        label=_("Reason for the suspension"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TrustedFlaggerForm(forms.Form):
    designation = forms.CharField(
        label=_("Designation (Digital Services Coordinator and reference)"), max_length=200, required=False
    )


def ip_right_label(right: IPRight) -> str:
    status = (
        ""
        if right.is_usable()
        else f" — {_('expired') if right.is_expired() else right.get_status_display()}"
    )
    return f"{right.brand.name}: {right.mark} ({right.office} {right.registration_number}){status}"


class IPRightForm(forms.ModelForm):
    class Meta:
        model = IPRight
        fields = [
            "brand",
            "kind",
            "mark",
            "registration_number",
            "office",
            "classes",
            "valid_from",
            "valid_until",
            "certificate",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"certificate": _("Registration certificate (PDF or image)")}

    def __init__(self, *args, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        self.fields["certificate"].required = True

    def right_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("brand")
        data.pop("certificate")
        return data
