from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import ACHIEVEMENT_TYPES, Achievement
from credstack.designs.models import Design
from credstack.organizations.models import Organization, Role, slug_validator
from credstack.ui.uploads import MAX_IMAGE
from credstack.ui.uploads import read_upload as _read_upload


class Form(forms.Form):
    """Labels without a trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def read_upload(*args, **kwargs):
    """uploads.read_upload for a form field's clean_<field>: a plain (not per-field) ValidationError."""
    try:
        return _read_upload(*args, **kwargs)
    except ValidationError as exc:
        raise ValidationError(exc.messages)


class OrganizationForm(Form):
    name = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=64,
        validators=[slug_validator],
        label=_("Slug"),
        help_text=_("in URLs and the issuer id; cannot change later"),
    )
    name = forms.CharField(max_length=200, label=_("Name"))
    url = forms.URLField(required=False, label=_("Website"), assume_scheme="https")
    email = forms.EmailField(required=False, label=_("Contact email"))

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError(_("the address “%(slug)s” is taken; choose another") % {"slug": slug})
        return slug


HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"


class ColourInput(forms.TextInput):
    """A colour picker beside the hex code it sets: the code stays editable (and is what the form sends);
    a few lines in the page keep the two in step (workspace/settings.html)."""

    template_name = "workspace/widgets/colour.html"

    def __init__(self, attrs=None):
        base = {"pattern": HEX_COLOUR[1:-1], "maxlength": 7, "spellcheck": "false", "autocomplete": "off"}
        super().__init__({**base, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = str(value or "").strip()
        # the picker shows the code when it is one, black otherwise (it cannot show an invalid code)
        context["widget"]["picker_value"] = text.lower() if re.fullmatch(HEX_COLOUR, text) else "#000000"
        return context


class ProfileForm(Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    url = forms.URLField(required=False, label=_("Website"), assume_scheme="https")
    email = forms.EmailField(required=False, label=_("Contact email"))
    brand_color = forms.RegexField(
        regex=HEX_COLOUR,
        strip=True,
        label=_("Brand colour"),
        widget=ColourInput,
        help_text=_("Pick it, or type its hex code (#1d3f6e)."),
        error_messages={"invalid": _("use a colour like #1d3f6e")},
    )
    logo = forms.FileField(required=False, label=_("Logo"), help_text=_("PNG, JPEG or SVG, at most 5 MB"))
    show_powered_by = forms.BooleanField(
        required=False,
        label=_("Say “powered by credstack”"),
        help_text=_("In the footer of the pages learners and verifiers see, and of your emails."),
    )
    language = forms.ChoiceField(
        required=False,
        label=_("Language for learners"),
        help_text=_(
            "Course pages, credential pages, the portal and learner emails speak it (a course can set its "
            "own). “Each viewer’s own”: the language of their browser."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Each viewer’s own")), *settings.LANGUAGES]

    def clean_brand_color(self):
        return self.cleaned_data["brand_color"].lower()

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        kind, data = read_upload(upload, ("image/png", "image/jpeg", "image/svg+xml"), MAX_IMAGE, "logo")
        return kind, data, upload.name


class InviteForm(Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ISSUER, label=_("Role"))


def _lines(text: str) -> list[str]:
    return [t.strip() for t in text.replace(",", "\n").splitlines() if t.strip()]


class AchievementForm(Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    slug = forms.CharField(
        max_length=64,
        validators=[slug_validator],
        label=_("Slug"),
        help_text=_("lowercase letters, digits, dashes"),
    )
    achievement_type = forms.ChoiceField(choices=ACHIEVEMENT_TYPES, label=_("Type"))
    description = forms.CharField(widget=forms.Textarea, label=_("Description"))
    criteria_narrative = forms.CharField(widget=forms.Textarea, label=_("Criteria"), required=False)
    criteria_url = forms.URLField(required=False, label=_("Criteria URL"), assume_scheme="https")
    tags = forms.CharField(required=False, label=_("Tags"), help_text=_("comma separated"))
    alignments = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Skills"),
        help_text=_(
            "one a line: name | URL | framework (e.g. Data analysis | https://esco.ec.europa.eu/… | ESCO)"
        ),
    )
    credits = forms.DecimalField(
        required=False, min_value=0, max_digits=6, decimal_places=2, label=_("Credits")
    )
    field_of_study = forms.CharField(required=False, max_length=200, label=_("Field of study"))
    language = forms.RegexField(
        required=False,
        regex=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        label=_("Language"),
        help_text=_("e.g. en, fr, pt-BR"),
        error_messages={"invalid": _("use a language tag like en or pt-BR")},
    )
    valid_for_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1200,
        label=_("Valid for (months)"),
        help_text=_("empty: never expires"),
    )
    design = forms.ChoiceField(required=False, label=_("Certificate design"))
    archived = forms.BooleanField(required=False, label=_("Archived: hidden from the issue forms"))
    badge_image = forms.FileField(
        required=False,
        label=_("Badge image"),
        help_text=_("PNG or SVG, at most 5 MB; empty: generated from the brand"),
    )

    def __init__(self, *args, organization, instance: Achievement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.instance = organization, instance
        design = self.fields["design"]
        assert isinstance(design, forms.ChoiceField)  # declared below; for the type checker
        design.choices = [("", _("Built-in design in the brand"))] + [
            (d.public_id, d.name) for d in Design.objects.filter(organization=organization).order_by("name")
        ]
        if instance:
            self.fields["slug"].disabled = True

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        qs = Achievement.objects.filter(organization=self.organization, slug=slug)
        if self.instance:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError(_("another achievement already uses “%(slug)s”") % {"slug": slug})
        return slug

    def clean_tags(self):
        return _lines(self.cleaned_data["tags"])[:50]

    def clean_alignments(self):
        out = []
        validate = forms.URLField(assume_scheme="https")
        for n, line in enumerate(self.cleaned_data["alignments"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ValidationError(_("line %(n)s: write name | URL (| framework)") % {"n": n})
            try:
                validate.clean(parts[1])
            except ValidationError:
                raise ValidationError(_("line %(n)s: “%(url)s” is not a URL") % {"n": n, "url": parts[1]})
            item = {"name": parts[0], "url": parts[1]}
            if len(parts) > 2 and parts[2]:
                item["framework"] = parts[2]
            out.append(item)
        return out

    def clean_design(self):
        pid = self.cleaned_data.get("design")
        if not pid:
            return None
        return Design.objects.filter(organization=self.organization, public_id=pid).first()

    def clean_badge_image(self):
        upload = self.cleaned_data.get("badge_image")
        if not upload:
            return None
        kind, data = read_upload(upload, ("image/png", "image/svg+xml"), MAX_IMAGE, "badge_image")
        return kind, data, upload.name

    def clean(self):
        data = super().clean()
        if not data.get("criteria_narrative") and not data.get("criteria_url"):
            self.add_error("criteria_narrative", _("give the criteria as text, a URL, or both"))
        return data


class IssueForm(Form):
    achievement = forms.ChoiceField(label=_("Achievement"))
    recipient_name = forms.CharField(max_length=500, label=_("Recipient's name"))
    recipient_email = forms.EmailField(label=_("Recipient's email"))
    score = forms.CharField(
        required=False, max_length=100, label=_("Score"), help_text=_("optional: shown on the certificate")
    )
    valid_until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label=_("Valid until"),
        help_text=_("empty: the achievement's default"),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["achievement"].choices = [
            (a.public_id, a.name)
            for a in Achievement.objects.filter(organization=organization, archived=False).order_by("name")
        ]

    def clean_achievement(self):
        a = Achievement.objects.filter(
            organization=self.organization, public_id=self.cleaned_data["achievement"]
        ).first()
        if a is None:
            raise ValidationError(_("choose one of your achievements"))
        return a


class BulkUploadForm(Form):
    achievement = forms.ChoiceField(label=_("Achievement"))
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8) or XLSX, at most 20 MB; first row names the columns")
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["achievement"].choices = [
            (a.public_id, a.name)
            for a in Achievement.objects.filter(organization=organization, archived=False).order_by("name")
        ]

    def clean_achievement(self):
        a = Achievement.objects.filter(
            organization=self.organization, public_id=self.cleaned_data["achievement"]
        ).first()
        if a is None:
            raise ValidationError(_("choose one of your achievements"))
        return a
