"""Portal forms for filing claims, evidence, rejections and counter-notices."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from brands.forms import ip_right_label
from brands.models import Brand, IPRight
from takedowns.models import CounterReason, Evidence, InfringementType, RejectReason, TestPurchase


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [single(item, initial) for item in items]


class ClaimFieldsForm(forms.Form):
    """What every claim says: shared by single and bulk filing."""

    ip_right = forms.ModelChoiceField(
        queryset=IPRight.objects.none(),
        label=_("IP right"),
        help_text=_("Only verified, unexpired rights can be used to file."),
    )
    infringement_type = forms.ChoiceField(choices=InfringementType.choices, label=_("Infringement type"))
    description = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=True,
        help_text=_("What makes the listing infringing: logo, packaging, price, test purchase."),
    )
    good_faith = forms.BooleanField(
        required=True,
        label=_(
            "I have a good-faith belief that the use of the material is not authorised by the "
            "rights owner, its agent or the law."
        ),
    )
    accurate = forms.BooleanField(
        required=True,
        label=_(
            "The information in this notice is accurate and complete, and under penalty of perjury "
            "I am the rights owner or authorised to act for the rights owner."
        ),
    )
    signature = forms.CharField(label=_("Signature (your full name)"), max_length=200)

    def __init__(self, *args, rights=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["ip_right"]
        field.queryset = rights if rights is not None else IPRight.objects.none()
        field.label_from_instance = ip_right_label

    def claim_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "infringement_type": data["infringement_type"],
            "description": data["description"],
            "good_faith": data["good_faith"],
            "accurate": data["accurate"],
            "signature": data["signature"],
        }


class ClaimFileForm(ClaimFieldsForm):
    listing_url = forms.URLField(
        label=_("Listing URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The address of the listing on the marketplace, as shown in the browser."),
        # The listing is shown as soon as its URL is typed (`takedowns.views.filing.claim_new_listing`).
        widget=forms.URLInput(
            attrs={
                "hx-get": reverse_lazy("claim-new-listing"),
                "hx-trigger": "input changed delay:500ms, change",
                "hx-target": "#listing-preview",
            }
        ),
    )
    # Checked and held by the view (`takedowns.views.filing`), so files survive an error elsewhere on the
    # form; each file has its own kind there.
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Photos, test-purchase receipts, PDF documents: up to 20 MB each."),
    )
    # Asked for only when the brand's own test purchase from this seller found the goods genuine.
    file_anyway = forms.BooleanField(
        required=False, label=_("I know of the genuine test purchase and file this claim anyway.")
    )

    field_order = [
        "listing_url",
        "ip_right",
        "infringement_type",
        "description",
        "evidence",
        "good_faith",
        "accurate",
        "signature",
    ]


class TestPurchaseForm(forms.Form):
    """An order placed with a seller and what its inspection found (`test_purchase_create` checks the rest)."""

    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=_("Brand"))
    listing_url = forms.URLField(
        label=_("Listing URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The listing the order was placed on, as shown in the browser."),
    )
    order_ref = forms.CharField(label=_("Order reference"), max_length=100)
    ordered_on = forms.DateField(
        label=_("Order date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = forms.DecimalField(label=_("Amount paid"), max_digits=12, decimal_places=2, min_value=0)
    currency = forms.CharField(
        label=_("Currency"), min_length=3, max_length=3, help_text=_("A three-letter code, such as EUR.")
    )
    verdict = forms.ChoiceField(choices=TestPurchase.Verdict.choices, label=_("Inspection verdict"))
    notes = forms.CharField(
        label=_("Inspection notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = MultipleFileField(
        label=_("Photos of what arrived"),
        help_text=_("JPEG, PNG, GIF or WebP images: up to 20 MB each."),
    )

    field_order = [
        "brand",
        "listing_url",
        "order_ref",
        "ordered_on",
        "amount",
        "currency",
        "verdict",
        "notes",
        "photos",
    ]

    def __init__(self, *args, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands if brands is not None else Brand.objects.none()


class BulkFileForm(ClaimFieldsForm):
    csv_file = forms.FileField(
        label=_("CSV or XLSX file of listing URLs"),
        help_text=_("A column listing_url; optional columns infringement_type and description."),
    )


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("Evidence files"))
    kind = forms.ChoiceField(choices=Evidence.Kind.choices, label=_("Kind of evidence"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason"))]
        + [c for c in RejectReason.choices if c[0] != RejectReason.NO_RESPONSE],
    )
    note = forms.CharField(
        label=_("Note to the brand"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CounterNoticeForm(forms.Form):
    """Every element is required, and marked so on the page; the form only reads what was sent, and the
    counter-notice service names every missing element at once (one answer for the portal and the API)."""

    reason = forms.ChoiceField(
        label=_("Why the removal was a mistake"),
        choices=[("", _("Choose…")), *CounterReason.choices],  # nothing chosen for the merchant
    )
    statement = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Explain why the listing does not infringe; mention invoices or licences."),
    )
    good_faith = forms.BooleanField(
        label=_(
            "I state under penalty of perjury that I have a good-faith belief that the material was "
            "removed as a result of mistake or misidentification."
        ),
    )
    signature = forms.CharField(label=_("Signature (your full name)"), max_length=200)


class NetworkFilingForm(forms.Form):
    """Filing against listings of the seller's network: which ones, and the declarations, made again for them."""

    listings = forms.MultipleChoiceField(
        label=_("Listings to file against"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    description = ClaimFieldsForm.base_fields["description"]
    good_faith = ClaimFieldsForm.base_fields["good_faith"]
    accurate = ClaimFieldsForm.base_fields["accurate"]
    signature = ClaimFieldsForm.base_fields["signature"]

    def __init__(self, *args, listings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listings"].choices = [(str(item.pk), item.title) for item in listings]


# --- the reviewer queue: assignment and saved views ------------------------------------------------------
def reviewer_label(user) -> str:
    return user.get_full_name() or user.get_username()


class AssignForm(forms.Form):
    """Give a claim to a reviewer, or back to the queue; the choices are `reviewers_assignable`."""

    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Assign to"),
        empty_label=_("Nobody (back to the queue)"),
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = reviewers
        field.label_from_instance = reviewer_label
        field.error_messages["invalid_choice"] = _("Claims can only be assigned to an active reviewer.")


class QueueViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the view"),
        max_length=80,
        strip=True,
        error_messages={"required": _("Give the view a name.")},
    )
