"""Page forms for the case record. They check shape only; the walls, the file checks and the
discovery rules are records.services' to decide, and its ValidationError is shown next to the
field it names.

The wall a note or document goes behind is offered only among the walls the writer may use
(cases.permissions.record_walls_writable), but any wall is accepted as input: writing behind
another side's wall is then refused by the service with a 403, as the API refuses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from records.models import Document, DocumentCategory, Visibility

# What each wall means, said where the writer chooses it.
WALL_HINTS: dict[str, str | Promise] = {
    Visibility.PROSECUTION: _("The prosecution on this case only. Never the defense or the court."),
    Visibility.DEFENSE: _(
        "Defense counsel, the duty lawyer and the defendant only. "
        "Never the prosecution or the court."
    ),
    Visibility.SHARED: _("Everyone on the case: the prosecution, the defense and the court."),
    Visibility.COURT: _("The judge and court staff only. Never the parties."),
}


class WallField(forms.ChoiceField):
    """Radio buttons for the walls the writer may use; accepts any wall (see the module)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=Visibility.choices,
            widget=forms.RadioSelect,
            label=_("Who may read it"),
            error_messages={"required": _("Choose who may read it.")},
            **kwargs,
        )

    def offer(self, walls: list[str]) -> None:
        self.widget.choices = [(wall, Visibility(wall).label) for wall in walls]


class _RecordForm(forms.Form):
    """A form that writes behind a wall: `walls` are the ones offered, the first preselected."""

    visibility = WallField()

    def __init__(self, *args: Any, walls: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["visibility"]
        assert isinstance(field, WallField)
        field.offer(walls)
        if walls:
            self.initial.setdefault("visibility", walls[0])

    def wall_options(self) -> list[dict[str, Any]]:
        """The radio buttons with what each wall means, for the template."""
        return [
            {"radio": radio, "hint": WALL_HINTS[radio.data["value"]]}
            for radio in self["visibility"]
        ]


# Lengths are the service's to check (records.services), in its own words.
class NoteForm(_RecordForm):
    body = forms.CharField(
        label=_("Note"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the note.")},
    )


class NoteEditForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the note.")},
    )


class NoteSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search the notes"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def query(self) -> str:
        return str(self.cleaned_data["q"]) if self.is_valid() else ""


class DocumentSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search the documents"),
        help_text=_("Title, description or file name."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        required=False, choices=[("", _("All categories")), *DocumentCategory.choices]
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "category": ""}
        return {"q": self.cleaned_data["q"], "category": self.cleaned_data["category"]}


class DocumentUploadForm(_RecordForm):
    # Empty files get through here so that the service's check says so in its own words.
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_(
            "PDF, Word, Excel, images (PNG, JPEG, TIFF), audio (MP3, WAV), MP4 video or "
            "plain text. The type is read from the content, not the name."
        ),
        error_messages={
            "required": _("Choose a file to upload."),
            "invalid": _("No file was received: choose the file again."),
        },
    )
    category = forms.ChoiceField(
        choices=[("", _("Choose a category")), *DocumentCategory.choices],
        error_messages={"required": _("Choose a category.")},
    )
    title = forms.CharField(error_messages={"required": _("Give the document a title.")})
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DisclosedDocumentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        label = f"{obj.title} ({obj.get_category_display()}, {obj.original_name})"
        if obj.visibility == Visibility.PROSECUTION:
            label += _(" · prosecution only until disclosed")
        return label


class DisclosureForm(forms.Form):
    document = DisclosedDocumentField(
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("No document: describe the item below"),
        help_text=_(
            "A document on this case the defense has now been given. Disclosing a "
            "prosecution-only document shares it with the defense and the court."
        ),
    )
    description = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was disclosed. With a document, leave empty to use its title."),
    )
    disclosed_on = forms.DateField(
        label=_("Disclosed on"),
        widget=DateInput(),
        error_messages={"required": _("Give the date it was disclosed.")},
        help_text=_("The day the defense received it, on the court's calendar."),
    )

    def __init__(
        self, *args: Any, documents: QuerySet[Document], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents  # type: ignore[attr-defined]
        self.initial.setdefault("disclosed_on", today)
