from __future__ import annotations

from django import forms

from credstack.achievements.models import Achievement

from .models import Pathway


class PathwayForm(forms.Form):
    achievement = forms.ModelChoiceField(
        queryset=Achievement.objects.none(),
        label="Pathway credential",
        help_text="the achievement awarded when the pathway is complete",
    )
    components = forms.ModelMultipleChoiceField(
        queryset=Achievement.objects.none(),
        label="Component achievements",
        widget=forms.CheckboxSelectMultiple,
    )
    order = forms.CharField(
        required=False,
        label="Order (for ordered pathways)",
        help_text="component names or slugs, one a line, in the order they must be earned; "
        "empty: the list order",
    )
    rule = forms.ChoiceField(choices=Pathway.Rule.choices, label="Rule")
    required_count = forms.IntegerField(min_value=1, max_value=100, required=False, label="N (for N of M)")
    ordered = forms.BooleanField(required=False, label="Components must be earned in order")
    window_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        label="Within (days)",
        help_text="the components must be earned within this many days; empty: any time",
    )
    revocation_policy = forms.ChoiceField(choices=Pathway.Policy.choices, label="When a component is revoked")

    def __init__(self, *args, organization, exclude_achievement=None, **kwargs):
        super().__init__(*args, **kwargs)
        achievements = Achievement.objects.filter(organization=organization).order_by("name")
        self.fields["components"].queryset = achievements
        taken = Pathway.objects.filter(organization=organization).exclude(achievement=exclude_achievement)
        self.fields["achievement"].queryset = achievements.exclude(pk__in=taken.values("achievement_id"))
        self.fields["order"].widget = forms.Textarea(attrs={"rows": 3})

    def ordered_components(self) -> list[Achievement]:
        chosen = list(self.cleaned_data["components"])
        wanted = [
            line.strip().lower() for line in self.cleaned_data.get("order", "").splitlines() if line.strip()
        ]

        def rank(a):
            for n, w in enumerate(wanted):
                if w in (a.slug.lower(), a.name.lower()):
                    return n
            return len(wanted) + chosen.index(a)

        return sorted(chosen, key=rank)
