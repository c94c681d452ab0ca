"""Forms of the docket sync pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# A file larger than this is for the management command or the API.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Docket file (CSV)"),
        help_text=_(
            "UTF-8, comma-separated, one record a row, with a header row; up to 20,000 "
            "records. Nothing changes until you apply the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB; import it with the management command or the API.")
            )
        return upload


class ApplyForm(forms.Form):
    """The preview to apply, by the token it was stored under in the session."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
