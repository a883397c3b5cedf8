from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credstack.achievements.models import Achievement
from credstack.organizations.models import slug_validator

from .models import Course, Question

MAX_COVER = 5 * 1024 * 1024


class CourseForm(forms.ModelForm):
    review_days_text = forms.CharField(
        required=False,
        label=_("Review missed questions after (days)"),
        initial="7, 30",
        help_text=_("comma-separated, e.g. 7, 30; empty: no review"),
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "achievement",
            "min_average_score",
            "estimated_hours",
            "language",
            "open_enrolment",
            "cover_image",
        ]
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "estimated_hours": _("Estimated hours"),
            "language": _("Language"),
            "cover_image": _("Cover image"),
            "min_average_score": _("Minimum average quiz score (%)"),
            "open_enrolment": _("Anyone with the link may enrol"),
            "slug": pgettext_lazy("the part of a web address", "Address"),
            "achievement": _("Credential awarded on completion"),
        }
        help_texts = {
            "slug": _("in the course's public URL"),
            "min_average_score": _("on top of passing every quiz; empty: none"),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["achievement"].queryset = Achievement.objects.filter(organization=organization).order_by(
            "name"
        )
        self.fields["slug"].validators.append(slug_validator)
        if self.instance.pk:
            self.fields["review_days_text"].initial = ", ".join(str(d) for d in self.instance.review_days)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        clash = Course.objects.filter(organization=self.organization, slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("another course already uses the address %(slug)r") % {"slug": slug})
        return slug

    def clean_min_average_score(self):
        value = self.cleaned_data["min_average_score"]
        if value is not None and value > 100:
            raise ValidationError(_("a percentage between 0 and 100"))
        return value

    def clean_cover_image(self):
        image = self.cleaned_data.get("cover_image")
        if image and hasattr(image, "size") and image.size > MAX_COVER:
            raise ValidationError(
                _("the image is %(size).1f MB; at most 5 MB") % {"size": image.size / 1048576}
            )
        return image

    def clean_review_days_text(self):
        text = self.cleaned_data["review_days_text"].strip()
        if not text:
            return []
        days = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= 365:
                raise ValidationError(
                    _("%(part)r is not a number of days between 1 and 365") % {"part": part}
                )
            days.append(int(part))
        return sorted(set(days))[:5]


class LessonForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}),
        label=_("Content (Markdown)"),
        help_text=_(
            "Markdown. Images: ![alt](https://… or attachment:file.png). Video on its own line: "
            "@[video](https://www.youtube.com/watch?v=…) or a Vimeo link."
        ),
        max_length=100_000,
    )
    estimated_minutes = forms.IntegerField(
        min_value=1, max_value=600, initial=10, label=_("Estimated minutes")
    )
    pass_mark = forms.IntegerField(min_value=0, max_value=100, initial=80, label=_("Quiz pass mark (%)"))
    max_attempts = forms.IntegerField(
        min_value=0, max_value=100, initial=0, label=_("Attempts allowed"), help_text=_("0 = unlimited")
    )
    draw_count = forms.IntegerField(
        min_value=1,
        max_value=500,
        required=False,
        label=_("Questions per attempt"),
        help_text=_("drawn at random from the question bank; empty = all"),
    )
    shuffle_questions = forms.BooleanField(required=False, label=_("Shuffle questions"))
    shuffle_answers = forms.BooleanField(required=False, label=_("Shuffle answers"))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=Question.Kind.choices, label=_("Type"))
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Question"))
    choices_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Answers (choice questions)"),
        help_text=_("one a line; start the correct one(s) with *"),
        max_length=5000,
    )
    truth = forms.ChoiceField(
        choices=[("true", _("True")), ("false", _("False"))],
        required=False,
        label=_("Correct answer (true/false)"),
    )
    answers_text = forms.CharField(
        required=False,
        label=_("Accepted answers (short text)"),
        max_length=1000,
        help_text=_("exact: one a line (case and spaces ignored); pattern: one regular expression"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    match = forms.ChoiceField(
        choices=Question.Match.choices, required=False, initial="exact", label=_("Matching")
    )
    feedback_correct = forms.CharField(required=False, max_length=2000, label=_("Feedback when right"))
    feedback_incorrect = forms.CharField(required=False, max_length=2000, label=_("Feedback when wrong"))

    def to_kwargs(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        choices = []
        for line in data.get("choices_text", "").splitlines():
            line = line.strip()
            if line:
                correct = line.startswith("*")
                choices.append({"text": line.lstrip("*").strip(), "correct": correct})
        if kind == "truefalse":
            answers = [data.get("truth") or "true"]
        else:
            answers = [a for a in data.get("answers_text", "").splitlines() if a.strip()]
        return {
            "kind": kind,
            "prompt": data["prompt"],
            "choices": choices,
            "answers": answers,
            "match": data.get("match") or "exact",
            "feedback_correct": data.get("feedback_correct", ""),
            "feedback_incorrect": data.get("feedback_incorrect", ""),
        }

    @staticmethod
    def initial_for(question: Question) -> dict:
        return {
            "kind": question.kind,
            "prompt": question.prompt,
            "choices_text": "\n".join(("*" if c["correct"] else "") + c["text"] for c in question.choices)
            if question.kind != "truefalse"
            else "",
            "truth": next((c["key"] for c in question.choices if c["correct"]), "true")
            if question.kind == "truefalse"
            else "true",
            "answers_text": "\n".join(question.answers),
            "match": question.match,
            "feedback_correct": question.feedback_correct,
            "feedback_incorrect": question.feedback_incorrect,
        }


class InviteForm(forms.Form):
    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=200_000,
        label=_("Learners to invite"),
        help_text=_(
            "one a line: email, or email, name, or Name <email>; nobody is invited unless every line is right"
        ),
    )
