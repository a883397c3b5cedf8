from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from credstack.achievements.models import Achievement
from credstack.organizations.models import slug_validator

from .models import Course, Question

MAX_COVER = 5 * 1024 * 1024


class CourseForm(forms.ModelForm):
    review_days_text = forms.CharField(
        required=False,
        label="Review missed questions after (days)",
        initial="7, 30",
        help_text="comma-separated, e.g. 7, 30; empty: no review",
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
            "min_average_score": "Minimum average quiz score (%)",
            "open_enrolment": "Anyone with the link may enrol",
            "slug": "Address",
            "achievement": "Credential awarded on completion",
        }
        help_texts = {
            "slug": "in the course's public URL",
            "min_average_score": "on top of passing every quiz; empty: none",
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
            raise ValidationError(f"another course already uses the address {slug!r}")
        return slug

    def clean_min_average_score(self):
        value = self.cleaned_data["min_average_score"]
        if value is not None and value > 100:
            raise ValidationError("a percentage between 0 and 100")
        return value

    def clean_cover_image(self):
        image = self.cleaned_data.get("cover_image")
        if image and hasattr(image, "size") and image.size > MAX_COVER:
            raise ValidationError(f"the image is {image.size / 1048576:.1f} MB; at most 5 MB")
        return image

    def clean_review_days_text(self):
        text = self.cleaned_data["review_days_text"].strip()
        if not text:
            return []
        days = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= 365:
                raise ValidationError(f"{part!r} is not a number of days between 1 and 365")
            days.append(int(part))
        return sorted(set(days))[:5]


class LessonForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}),
        label="Content (Markdown)",
        help_text="Markdown. Images: ![alt](https://… or attachment:file.png). Video on its own line: "
        "@[video](https://www.youtube.com/watch?v=…) or a Vimeo link.",
        max_length=100_000,
    )
    estimated_minutes = forms.IntegerField(min_value=1, max_value=600, initial=10, label="Estimated minutes")
    pass_mark = forms.IntegerField(min_value=0, max_value=100, initial=80, label="Quiz pass mark (%)")
    max_attempts = forms.IntegerField(
        min_value=0, max_value=100, initial=0, label="Attempts allowed", help_text="0 = unlimited"
    )
    draw_count = forms.IntegerField(
        min_value=1,
        max_value=500,
        required=False,
        label="Questions per attempt",
        help_text="drawn at random from the question bank; empty = all",
    )
    shuffle_questions = forms.BooleanField(required=False, label="Shuffle questions")
    shuffle_answers = forms.BooleanField(required=False, label="Shuffle answers")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=Question.Kind.choices, label="Type")
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Question")
    choices_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Answers (choice questions)",
        help_text="one a line; start the correct one(s) with *",
        max_length=5000,
    )
    truth = forms.ChoiceField(
        choices=[("true", "True"), ("false", "False")], required=False, label="Correct answer (true/false)"
    )
    answers_text = forms.CharField(
        required=False,
        label="Accepted answers (short text)",
        max_length=1000,
        help_text="exact: one a line (case and spaces ignored); pattern: one regular expression",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    match = forms.ChoiceField(
        choices=Question.Match.choices, required=False, initial="exact", label="Matching"
    )
    feedback_correct = forms.CharField(required=False, max_length=2000, label="Feedback when right")
    feedback_incorrect = forms.CharField(required=False, max_length=2000, label="Feedback when wrong")

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
        label="Learners to invite",
        help_text="one a line: email, or email, name, or Name <email>; nobody is invited unless every line is right",
    )
