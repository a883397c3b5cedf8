"""A course's files: its cover image and the attachments of its lessons."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from credstack.courses.models import Attachment, Course
from credstack.organizations.permissions import membership_for


def cover(request, public_id):
    course = get_object_or_404(Course, public_id=public_id)
    if not course.cover_image:
        raise Http404("no cover image")
    response = FileResponse(course.cover_image.open("rb"), content_type=_image_type(course.cover_image.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _image_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
    }.get(ext, "application/octet-stream")


def attachment(request, public_id, name):
    item = get_object_or_404(
        Attachment.objects.select_related("lesson__course", "organization"), public_id=public_id
    )
    if (
        item.lesson.course.status == Course.Status.DRAFT
        and membership_for(request.user, item.organization.slug) is None
    ):
        raise Http404("no such file")  # a draft's files: the organization's members only
    inline = item.content_type.startswith(("image/", "video/")) or item.content_type == "application/pdf"
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=not inline, filename=item.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
