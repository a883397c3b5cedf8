"""The learner's side: public course page, sign-in by code, the lesson player, quizzes, completion, review."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from credstack import ratelimit
from credstack.courses.models import Attachment, Course
from credstack.credentials.actions import current_of, renewable
from credstack.credentials.share import page_actions
from credstack.organizations.models import Organization
from credstack.organizations.permissions import membership_for
from credstack.pathways.queries import progress_for_emails

from . import actions, auth, queries, tokens
from .models import Enrolment, QuizAttempt, ReviewItem


def _course(org_slug: str, course_slug: str) -> Course:
    return get_object_or_404(
        Course.objects.select_related("organization", "achievement"),
        organization__slug=org_slug,
        slug=course_slug,
    )


def _player(view):
    """The learner must be signed in and enrolled; sets request.learner / request.enrolment."""

    @wraps(view)
    def wrapped(request, org_slug, course_slug, *args, **kwargs):
        course = _course(org_slug, course_slug)
        learner = auth.current_learner(request, course.organization)
        if learner is None:
            return redirect(auth.login_url(request.get_full_path(), course.organization))
        enrolment = (
            Enrolment.objects.select_related("version", "course", "learner", "credential")
            .filter(course=course, learner=learner)
            .first()
        )
        if enrolment is None:
            return redirect("learning:course", org_slug, course_slug)
        request.learner, request.enrolment = learner, enrolment
        return view(request, course, enrolment, *args, **kwargs)

    return wrapped


def _outline(enrolment: Enrolment) -> dict:
    progress = queries.progress_map(enrolment)
    lessons, done = [], 0
    previous_passed = True
    for n, lesson in enumerate(enrolment.version.lessons, 1):
        p = progress.get(lesson["key"])
        passed = bool(p and p.passed_at)
        done += passed
        lessons.append(
            {
                "n": n,
                "key": lesson["key"],
                "title": lesson["title"],
                "minutes": lesson["minutes"],
                "read": bool(p and p.read_at),
                "passed": passed,
                "open": previous_passed,
                "score": p.best_score if p else None,
            }
        )
        previous_passed = passed
    total = len(lessons)
    return {
        "lessons": lessons,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
    }


# ---------------------------------------------------------------- sign-in


def login(request):
    """The player's sign-in page, in the player's look; the code and the session are the portal's
    (decision 0023): signing in here signs in at /me too, and the other way round."""
    next_url = request.GET.get("next") or request.POST.get("next") or reverse("learning:mine")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("learning:mine")
    org_slug = request.GET.get("org") or request.POST.get("org") or ""
    org = Organization.objects.filter(slug=org_slug).first() if org_slug else None
    context = {
        "next": next_url,
        "org_slug": org.slug if org else "",
        "org": org,  # its brand on the page
        "email": request.POST.get("email", "").strip(),
        "step": "email",
    }
    if request.method == "POST":
        try:
            if request.POST.get("code") is not None:
                context["step"] = "code"
                learner = auth.check_code(
                    context["email"], request.POST["code"], ip=ratelimit.client_ip(request)
                )
                auth.sign_in(request, learner)
                return redirect(next_url)
            auth.send_code(context["email"], ip=ratelimit.client_ip(request), org=org)
            context["step"] = "code"
        except ValidationError as exc:
            context["error"] = "; ".join(" ".join(v) for v in exc.message_dict.values())
        except auth.SignInError as exc:
            context["error"] = str(exc)
    return render(request, "learning/login.html", context)


@require_POST
def logout(request):
    auth.sign_out(request)  # one session: signs out of the portal too
    return redirect("learning:login")


def mine(request):
    learner = auth.current_learner(request)
    if learner is None:
        return redirect(auth.login_url(request.get_full_path()))
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .select_related("course__organization", "version", "credential")
        .order_by("-last_activity_at", "-enrolled_at")
    )
    pathways = progress_for_emails(_addresses(learner))
    reached = auth.reached_organizations(request)
    if reached is not None:  # an LMS launch: its own organization's courses only
        enrolments = enrolments.filter(course__organization_id__in=reached)
        slugs = set(Organization.objects.filter(pk__in=reached).values_list("slug", flat=True))
        pathways = [p for p in pathways if p.organization in slugs]
    rows = [{"enrolment": e, "outline": _outline(e)} for e in enrolments]
    return render(request, "learning/mine.html", {"learner": learner, "rows": rows, "pathways": pathways})


def _addresses(learner) -> list[str]:
    """Every verified address of the learner's account (pathways count credentials sent to any of them)."""
    emails = [learner.email.lower()]
    if learner.account_id:
        emails += [e for e in learner.account.emails.values_list("normalized", flat=True) if e not in emails]
    return emails


# ---------------------------------------------------------------- course page and enrolment


def course_page(request, org_slug, course_slug):
    course = _course(org_slug, course_slug)
    version = course.latest_version
    if course.status == Course.Status.DRAFT or version is None:
        raise Http404("no such course")
    learner = auth.current_learner(request, course.organization)
    enrolment = (
        Enrolment.objects.filter(course=course, learner=learner).select_related("version").first()
        if learner
        else None
    )
    context = {
        "course": course,
        "org": course.organization,
        "version": enrolment.version if enrolment else version,
        "learner": learner,
        "enrolment": enrolment,
        "outline": _outline(enrolment) if enrolment else None,
        "minutes": sum(lesson["minutes"] for lesson in version.lessons),
        "sign_in_url": auth.login_url(request.path, course.organization),
    }
    if enrolment:
        context["resume_key"] = queries.resume_lesson_key(enrolment)
        context["due_reviews"] = queries.due_reviews(enrolment).count()
    return render(request, "learning/course.html", context)


@require_POST
def enrol(request, org_slug, course_slug):
    course = _course(org_slug, course_slug)
    learner = auth.current_learner(request, course.organization)
    if learner is None:
        return redirect(
            auth.login_url(reverse("learning:course", args=[org_slug, course_slug]), course.organization)
        )
    invited = Enrolment.objects.filter(course=course, learner=learner).exists()
    if not course.open_enrolment and not invited:
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("By invitation only"),
                "message": _(
                    "This course is open to invited learners only. Ask the course team for an invitation."
                ),
            },
            status=403,
        )
    name = request.POST.get("name", "").strip()
    if name and not learner.name:
        try:
            actions.set_name(learner, name)
        except ValidationError as exc:
            return render(
                request,
                "learning/message.html",
                {
                    "course": course,
                    "title": _("Please check your name"),
                    "message": "; ".join(" ".join(v) for v in exc.message_dict.values()),
                },
                status=400,
            )
    try:
        enrolment = actions.enrol(course, learner)
    except queries.LearningError as exc:
        return render(
            request,
            "learning/message.html",
            {"course": course, "title": _("Not open"), "message": str(exc)},
            status=400,
        )
    return redirect("learning:lesson", org_slug, course_slug, queries.resume_lesson_key(enrolment))


# ---------------------------------------------------------------- the player


@_player
def lesson(request, course, enrolment, lesson_key):
    try:
        progress = actions.open_lesson(enrolment, lesson_key)
    except queries.LearningError as exc:
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("Not yet"),
                "message": str(exc),
                "back": reverse("learning:course", args=[course.organization.slug, course.slug]),
            },
            status=403,
        )
    index = queries.lesson_index(enrolment, lesson_key)
    data = enrolment.version.lessons[index]
    lessons = enrolment.version.lessons
    return render(
        request,
        "learning/lesson.html",
        {
            "course": course,
            "enrolment": enrolment,
            "lesson": data,
            "index": index + 1,
            "progress": progress,
            "outline": _outline(enrolment),
            "attempts_left": queries.attempts_left(enrolment, data),
            "next_key": lessons[index + 1]["key"] if index + 1 < len(lessons) else None,
        },
    )


@require_POST
@_player
def lesson_ping(request, course, enrolment, lesson_key):
    actions.ping(enrolment, lesson_key)
    return HttpResponse(status=204)


@require_POST
@_player
def lesson_read(request, course, enrolment, lesson_key):
    try:
        actions.mark_read(enrolment, lesson_key)
    except queries.LearningError:
        raise Http404("no such lesson")
    return redirect("learning:quiz", course.organization.slug, course.slug, lesson_key)


def _quiz_context(course, enrolment, lesson_key, **extra):
    index = queries.lesson_index(enrolment, lesson_key)
    data = enrolment.version.lessons[index]
    return {
        "course": course,
        "enrolment": enrolment,
        "lesson": data,
        "index": index + 1,
        "outline": _outline(enrolment),
        "attempts_left": queries.attempts_left(enrolment, data),
        "pass_mark": data["quiz"]["pass_mark"],
        **extra,
    }


def _answers_from(post, questions) -> dict:
    answers = {}
    for question, _choices in questions:
        name = f"q-{question['key']}"
        answers[question["key"]] = (
            post.getlist(name) if question["kind"] == "multiple" else post.get(name, "")
        )
    return answers


def _shown(results) -> list[dict]:
    """Each result with the learner's own answer in words (the choices' texts), for the feedback page."""
    shown = []
    for r in results:
        picked = r.answer if isinstance(r.answer, list | tuple) else [r.answer] if r.answer else []
        texts = {c["key"]: c["text"] for c in r.question.get("choices") or []}
        words = [texts.get(str(k), str(k)) for k in picked if str(k).strip()]
        shown.append(
            {
                "question": r.question,
                "correct": r.correct,
                "feedback": r.feedback,
                "answer_text": ", ".join(words),
            }
        )
    return shown


@_player
def quiz(request, course, enrolment, lesson_key):
    try:
        queries.lesson_index(enrolment, lesson_key)
    except queries.LearningError:
        raise Http404("no such lesson")
    if request.method == "POST":
        attempt = get_object_or_404(
            QuizAttempt,
            enrolment=enrolment,
            lesson_key=lesson_key,
            pk=request.POST.get("attempt", "0") if request.POST.get("attempt", "").isdigit() else 0,
        )
        questions = queries.attempt_questions(attempt)
        try:
            results = actions.submit_attempt(attempt, _answers_from(request.POST, questions))
        except queries.LearningError as exc:
            return render(
                request,
                "learning/message.html",
                {
                    "course": course,
                    "title": _("Already submitted"),
                    "message": str(exc),
                    "back": request.path,
                },
                status=409,
            )
        enrolment.refresh_from_db()
        attempt.refresh_from_db()
        if enrolment.status == Enrolment.Status.COMPLETED:
            return redirect("learning:complete", course.organization.slug, course.slug)
        index = queries.lesson_index(enrolment, lesson_key)
        lessons = enrolment.version.lessons
        next_key = lessons[index + 1]["key"] if index + 1 < len(lessons) else None
        return render(
            request,
            "learning/result.html",
            _quiz_context(
                course, enrolment, lesson_key, attempt=attempt, results=_shown(results), next_key=next_key
            ),
        )
    try:
        attempt = actions.start_attempt(enrolment, lesson_key)
    except queries.LearningError as exc:
        progress = enrolment.lessons.filter(lesson_key=lesson_key).first()
        if progress and progress.passed_at:
            return redirect("learning:course", course.organization.slug, course.slug)
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("Quiz not available"),
                "message": str(exc),
                "back": reverse("learning:lesson", args=[course.organization.slug, course.slug, lesson_key]),
            },
            status=403,
        )
    return render(
        request,
        "learning/quiz.html",
        _quiz_context(
            course, enrolment, lesson_key, attempt=attempt, questions=queries.attempt_questions(attempt)
        ),
    )


@_player
def complete(request, course, enrolment):
    if enrolment.status != Enrolment.Status.COMPLETED:
        return redirect("learning:course", course.organization.slug, course.slug)
    pathways = list(progress_for_emails(_addresses(enrolment.learner), organization=course.organization))
    current = current_of(enrolment.credential) if enrolment.credential_id else None  # after renewals
    return render(
        request,
        "learning/complete.html",
        {
            "course": course,
            "enrolment": enrolment,
            "credential": current,
            "renewable": current is not None and renewable(current),
            # the same download and share row as the credential's own page
            "actions": page_actions(current, "valid", True)
            if current is not None and current.state == "active"
            else None,
            "outline": _outline(enrolment),
            "pathways": pathways,
        },
    )


@_player
@require_POST
def retake(request, course, enrolment):
    try:
        enrolment = actions.retake(enrolment)
    except queries.LearningError as exc:
        return render(
            request,
            "learning/message.html",
            {"course": course, "title": _("Not yet"), "message": str(exc)},
            status=409,
        )
    return redirect(
        "learning:lesson", course.organization.slug, course.slug, queries.resume_lesson_key(enrolment)
    )


@_player
def review(request, course, enrolment):
    due = list(queries.due_reviews(enrolment)[:10])
    feedback = None
    if request.method == "POST":
        item = get_object_or_404(ReviewItem, enrolment=enrolment, pk=request.POST.get("item") or 0)
        question = next(
            q
            for q in enrolment.version.lesson(item.lesson_key)["quiz"]["questions"]
            if q["key"] == item.question_key
        )
        name = f"q-{question['key']}"
        answer = request.POST.getlist(name) if question["kind"] == "multiple" else request.POST.get(name, "")
        try:
            feedback = actions.answer_review(item, answer)
        except queries.LearningError:
            pass
        due = list(queries.due_reviews(enrolment)[:10])
    items = []
    for item in due:
        question = next(
            q
            for q in enrolment.version.lesson(item.lesson_key)["quiz"]["questions"]
            if q["key"] == item.question_key
        )
        items.append({"item": item, "question": question, "choices": question.get("choices") or []})
    return render(
        request,
        "learning/review.html",
        {
            "course": course,
            "enrolment": enrolment,
            "items": items[:1],
            "remaining": len(items),
            "feedback": feedback,
        },
    )


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


# ---------------------------------------------------------------- review reminders


@csrf_exempt  # the token is the authority; mail apps' one-click unsubscribe POSTs without a form (RFC 8058)
def reminders_off(request, token):
    """From the reminder email: GET shows a button (link scanners must not unsubscribe anyone), POST stops."""
    enrolment = tokens.enrolment_for_reminders_token(token)
    if enrolment is None:
        raise Http404("this link is not valid")
    course = enrolment.course
    if request.method == "POST":
        actions.set_review_emails(enrolment, False)
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("Reminders stopped"),
                "message": _(
                    "You will get no more review reminders for “%(title)s”. You can turn them on again on the "
                    "course page."
                )
                % {"title": course.title},
                "back": reverse("learning:course", args=[course.organization.slug, course.slug]),
            },
        )
    return render(request, "learning/reminders_off.html", {"course": course, "enrolment": enrolment})


@_player
@require_POST
def reminders(request, course, enrolment):
    """The course page's switch for review reminders."""
    actions.set_review_emails(enrolment, request.POST.get("on") == "1")
    return redirect("learning:course", course.organization.slug, course.slug)
