"""Courses, enrolments, pathways and recipients over the API."""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from credstack.courses.models import Course
from credstack.credentials.models import Credential
from credstack.learning import actions as learning
from credstack.learning.models import Enrolment
from credstack.pathways.models import Pathway, PathwayComponent
from credstack.pathways.queries import progress_for_emails

from . import problems
from .auth import actor_for, require
from .schemas import CourseOut, EnrolmentIn, EnrolmentOut, PathwayOut, PathwayProgressOut, RecipientOut

courses = Router(tags=["courses"])
pathways = Router(tags=["pathways"])
recipients = Router(tags=["recipients"])
PROBLEM = problems.RESPONSES


def _course(request, ref: str) -> Course:
    return get_object_or_404(
        Course.objects.select_related("achievement", "organization"),
        Q(public_id=ref) | Q(slug=ref),
        organization=request.organization,
    )


@courses.get("", response={200: list[CourseOut], **PROBLEM}, summary="List courses")
def list_courses(request):
    return (
        Course.objects.filter(organization=request.organization)
        .select_related("achievement", "organization")
        .order_by("title", "id")
    )


@courses.get("/{ref}", response={200: CourseOut, **PROBLEM}, summary="Get a course by id or slug")
def get_course(request, ref: str):
    return _course(request, ref)


class EnrolmentFilters(Schema):
    status: Enrolment.Status | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


@courses.get(
    "/{ref}/enrolments", response={200: list[EnrolmentOut], **PROBLEM}, summary="A course's enrolments"
)
def list_enrolments(request, ref: str, filters: Query[EnrolmentFilters]):
    qs = (
        Enrolment.objects.current()
        .filter(course=_course(request, ref))
        .select_related("learner", "credential")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-enrolled_at", "-id")[filters.offset : filters.offset + filters.limit]


@courses.post(
    "/{ref}/enrolments",
    response={201: EnrolmentOut, **PROBLEM},
    summary="Enrol (invite) a learner; they get an email with the course link",
)
def enrol(request, ref: str, payload: EnrolmentIn):
    require(request, "issue")
    line = f"{payload.email}, {payload.name}" if payload.name.strip() else payload.email
    [enrolment] = learning.invite(_course(request, ref), line, actor=actor_for(request))
    enrolment = Enrolment.objects.select_related("learner", "credential").get(pk=enrolment.pk)
    return Status(201, enrolment)


def _pathway(request, public_id: str) -> Pathway:
    return get_object_or_404(
        Pathway.objects.select_related("achievement"), public_id=public_id, organization=request.organization
    )


def _with_components(pathways):
    """Pathways with what ``PathwayOut`` reads: the achievement, and the components' in order."""
    components = PathwayComponent.objects.select_related("achievement").order_by("position", "id")
    return pathways.select_related("achievement").prefetch_related(
        Prefetch("components", queryset=components)
    )


@pathways.get("", response={200: list[PathwayOut], **PROBLEM}, summary="List pathways (stacked credentials)")
def list_pathways(request):
    return _with_components(Pathway.objects.filter(organization=request.organization)).order_by("id")


@pathways.get("/{public_id}", response={200: PathwayOut, **PROBLEM}, summary="Get a pathway")
def get_pathway(request, public_id: str):
    return get_object_or_404(
        _with_components(Pathway.objects.all()), public_id=public_id, organization=request.organization
    )


@pathways.get(
    "/{public_id}/progress",
    response={200: PathwayProgressOut, **PROBLEM},
    summary="A learner's progress on a pathway ('3 of 5')",
)
def pathway_progress(request, public_id: str, email: str = Query(..., max_length=254)):
    pathway = _pathway(request, public_id)
    for progress in progress_for_emails([email.strip().lower()], organization=request.organization):
        if progress.pathway_id == pathway.public_id:
            return progress
    raise Http404(f"{email} holds none of this pathway's components")


class RecipientFilters(Schema):
    q: str | None = Field(None, max_length=254)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


@recipients.get(
    "",
    response={200: list[RecipientOut], **PROBLEM},
    summary="People this organization has issued credentials to",
)
def list_recipients(request, filters: Query[RecipientFilters]):
    qs = Credential.objects.filter(organization=request.organization)
    if filters.q:
        qs = qs.filter(Q(recipient_email__icontains=filters.q) | Q(recipient_name__icontains=filters.q))
    return (
        qs.annotate(email=Lower("recipient_email"))
        .values("email")
        .annotate(credentials=Count("id"), last_issued_at=Max("issued_at"), name=Max("recipient_name"))
        .order_by("-last_issued_at", "email")[filters.offset : filters.offset + filters.limit]
    )
