from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Achievement


@require_safe
def achievement_page(request: HttpRequest, public_id: str) -> HttpResponse:
    achievement = get_object_or_404(Achievement.objects.select_related("organization"), public_id=public_id)
    return render(
        request,
        "achievements/achievement.html",
        {"achievement": achievement, "org": achievement.organization},
    )
