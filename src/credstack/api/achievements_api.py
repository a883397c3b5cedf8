"""Achievements (read): what an organization issues."""

from __future__ import annotations

from ninja import Router

from credstack.achievements.models import Achievement

from . import lookups, problems
from .schemas import AchievementOut

router = Router(tags=["achievements"])
PROBLEM = problems.RESPONSES
# operationIds are part of the published contract (generated clients name their methods after them):
# these operations keep the ids they had when they were written in v1.py.
V1_ID = "credstack_api_v1_"


@router.get(
    "",
    response={200: list[AchievementOut], **PROBLEM},
    operation_id=V1_ID + "list_achievements",
    summary="List achievements",
)
def list_achievements(request):
    return Achievement.objects.filter(organization=request.organization).order_by("name")


@router.get(
    "/{ref}",
    response={200: AchievementOut, **PROBLEM},
    operation_id=V1_ID + "get_achievement",
    summary="Get an achievement by id or slug",
)
def get_achievement(request, ref: str):
    return lookups.achievement(request, ref)
