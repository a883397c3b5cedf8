from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import Achievement

from .models import Pathway


class PathwayForm(forms.Form):
    achievement = forms.ModelChoiceField(
        queryset=Achievement.objects.none(),
        label=_("Pathway credential"),
        help_text=_("the achievement awarded when the pathway is complete"),
    )
    components = forms.ModelMultipleChoiceField(
        queryset=Achievement.objects.none(),
        label=_("Component achievements"),
        widget=forms.CheckboxSelectMultiple,
    )
    order = forms.CharField(
        required=False,
        label=_("Order (for ordered pathways)"),
        help_text=_(
            "component names or slugs, one a line, in the order they must be earned; empty: the list order"
        ),
    )
    rule = forms.ChoiceField(choices=Pathway.Rule.choices, label=_("Rule"))
    required_count = forms.IntegerField(min_value=1, max_value=100, required=False, label=_("N (for N of M)"))
    ordered = forms.BooleanField(required=False, label=_("Components must be earned in order"))
    window_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        label=_("Within (days)"),
        help_text=_("the components must be earned within this many days; empty: any time"),
    )
    revocation_policy = forms.ChoiceField(
        choices=Pathway.Policy.choices, label=_("When a component is revoked")
    )

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
