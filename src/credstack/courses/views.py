"""The course editor, invitations and analytics, under /w/<org_slug>/courses/ (workspace roles:
viewers read, issuers invite learners, admins edit and publish)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, can, member_required

from . import actions, content, queries
from .forms import CourseForm, InviteForm, LessonForm, QuestionForm
from .models import Course, Lesson, Question


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        out = []
        for field, msgs in exc.message_dict.items():
            for m in msgs:
                out.append(m if field in ("__all__", "course") else f"{field.replace('_', ' ')}: {m}")
        return out
    return list(exc.messages)


def _course(request, public_id) -> Course:
    return get_object_or_404(
        Course.objects.select_related("achievement"), organization=request.organization, public_id=public_id
    )


def _lesson(course, lesson_id) -> Lesson:
    return get_object_or_404(Lesson, course=course, key=lesson_id)


@member_required(Role.VIEWER)
def course_list(request, org_slug):
    courses = Course.objects.filter(organization=request.organization).select_related("achievement")
    rows = [
        {
            "course": c,
            "lessons": c.lessons.count(),
            "enrolments": c.enrolments.current().count(),
            "completed": c.enrolments.current().filter(status="completed").count(),
        }
        for c in courses
    ]
    return render(request, "courses/list.html", {"rows": rows})


@member_required(Role.ADMIN)
def course_new(request, org_slug):
    form = CourseForm(
        request.POST or None,
        request.FILES or None,
        organization=request.organization,
        initial={"review_days_text": "7, 30", "language": "en"},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "review_days_text"}
        try:
            course = actions.create_course(
                organization=request.organization,
                review_days=form.cleaned_data["review_days_text"],
                actor=Actor.for_user(request.user),
                **data,
            )
        except ValidationError as exc:
            for e in _errors(exc):
                form.add_error(None, e)
        else:
            messages.success(request, "Course created. Add its lessons.")
            return redirect("courses:edit", org_slug, course.public_id)
    return render(request, "courses/course_form.html", {"form": form})


@member_required(Role.VIEWER)
def course_edit(request, org_slug, public_id):
    course = _course(request, public_id)
    editable = can(request.membership, "manage_achievements")
    form = CourseForm(
        request.POST or None, request.FILES or None, instance=course, organization=request.organization
    )
    if request.method == "POST":
        if not editable:
            return HttpResponse("this needs the admin role", status=403)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "review_days_text"}
            fields["review_days"] = form.cleaned_data["review_days_text"]
            course.refresh_from_db()
            try:
                actions.update_course(course, actor=Actor.for_user(request.user), **fields)
            except ValidationError as exc:
                for e in _errors(exc):
                    form.add_error(None, e)
            else:
                messages.success(request, "Course saved.")
                return redirect("courses:edit", org_slug, course.public_id)
    return _edit_page(request, course, form)


def _edit_page(request, course, form=None, invite_form=None, status=200):
    """The course editor; a form given here (bound, with errors) is shown as the user left it."""
    lessons = list(course.lessons.prefetch_related("questions"))
    problems = actions.publish_problems(course)
    return render(
        request,
        "courses/edit.html",
        {
            "course": course,
            "form": form or CourseForm(instance=course, organization=request.organization),
            "lessons": lessons,
            "editable": can(request.membership, "manage_achievements"),
            "warning": actions.lesson_count_warning(len(lessons)),
            "problems": problems,
            "up_to_date": course.status != Course.Status.DRAFT
            and not course.has_unpublished_changes
            and not problems,
            "versions": course.versions.all()[:10],
            "invite_form": invite_form or InviteForm(),
            "can_invite": can(request.membership, "issue"),
        },
        status=status,
    )


@require_POST
@member_required(Role.ADMIN)
def lesson_new(request, org_slug, public_id):
    course = _course(request, public_id)
    title = request.POST.get("title", "").strip() or f"Lesson {course.lessons.count() + 1}"
    try:
        lesson = actions.add_lesson(course, title=title[:200])
    except ValidationError as exc:
        messages.error(request, "; ".join(_errors(exc)))
        return redirect("courses:edit", org_slug, public_id)
    return redirect("courses:lesson", org_slug, public_id, lesson.key)


@member_required(Role.VIEWER)
def lesson_edit(request, org_slug, public_id, lesson_id):
    course = _course(request, public_id)
    lesson = _lesson(course, lesson_id)
    editable = can(request.membership, "manage_achievements")
    initial = {f: getattr(lesson, f) for f in LessonForm.base_fields}
    form = LessonForm(request.POST or None, initial=initial) if request.method == "POST" else None
    if request.method == "POST":
        if not editable:
            return HttpResponse("this needs the admin role", status=403)
        if form.is_valid():
            data = form.cleaned_data
            if data["draw_count"] and data["draw_count"] > lesson.questions.count():
                form.add_error(
                    "draw_count", f"the bank has {lesson.questions.count()} questions; draw at most that many"
                )
            else:
                try:
                    actions.update_lesson(lesson, **data)
                except ValidationError as exc:
                    for e in _errors(exc):
                        form.add_error(None, e)
                else:
                    messages.success(request, "Lesson saved.")
                    return redirect("courses:lesson", org_slug, public_id, lesson.key)
    return _lesson_page(request, course, lesson, form)


# where each message of actions._clean_question belongs in QuestionForm
_QUESTION_FIELDS = {"choices": "choices_text", "answers": "answers_text", "prompt": "prompt", "kind": "kind"}


def _question_errors(form: QuestionForm, exc: ValidationError) -> None:
    for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        for m in msgs:
            form.add_error(_QUESTION_FIELDS.get(field), m)


def _lesson_page(request, course, lesson, form=None, question_form=None, status=200):
    """The lesson editor; a question form given here (bound, with errors) is shown open, as it was typed,
    each message under its field."""
    if form is None:
        form = LessonForm(initial={f: getattr(lesson, f) for f in LessonForm.base_fields})
    files = {a.name: a.url for a in lesson.attachments.all()}
    preview_source = form.data.get("body", lesson.body) if form.is_bound else lesson.body
    questions = []
    for q in lesson.questions.all():
        if question_form is not None and question_form.prefix == f"q{q.pk}":
            questions.append((q, question_form))
        else:
            questions.append((q, QuestionForm(initial=QuestionForm.initial_for(q), prefix=f"q{q.pk}")))
    new_form = question_form if question_form is not None and question_form.prefix == "new" else None
    return render(
        request,
        "courses/lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "form": form,
            "editable": can(request.membership, "manage_achievements"),
            "preview": content.render_markdown(preview_source, files),
            "questions": questions,
            "question_form": new_form
            or QuestionForm(prefix="new", initial={"match": "exact", "truth": "true"}),
            "attachments": lesson.attachments.all(),
            "position": list(course.lessons.values_list("pk", flat=True)).index(lesson.pk) + 1,
        },
        status=status,
    )


@require_POST
@member_required(Role.ADMIN)
def lesson_action(request, org_slug, public_id, lesson_id, action):
    course = _course(request, public_id)
    lesson = _lesson(course, lesson_id)
    if action == "delete":
        actions.delete_lesson(lesson)
        messages.success(request, f"Lesson “{lesson.title}” deleted.")
        return redirect("courses:edit", org_slug, public_id)
    if action in ("up", "down"):
        actions.move_lesson(lesson, -1 if action == "up" else 1)
        return redirect("courses:edit", org_slug, public_id)
    if action == "attach":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a file to attach.")
        else:
            try:
                attachment = actions.add_attachment(lesson, upload)
                messages.success(
                    request, f"Attached {attachment.name}. Use it in the text as attachment:{attachment.name}"
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(_errors(exc)))
        return redirect("courses:lesson", org_slug, public_id, lesson.key)
    if action == "question":
        form = QuestionForm(request.POST, prefix="new")
        return _save_question(
            request, course, lesson, form, lambda **kw: actions.add_question(lesson, **kw), "added"
        )
    return HttpResponse("unknown action", status=404)


def _save_question(request, course, lesson, form, save, done: str):
    """Validate and save a question form: back to the lesson on success; otherwise the lesson page again
    (400) with the form open, what was typed, and each message under its field."""
    if form.is_valid():
        try:
            save(**form.to_kwargs())
        except ValidationError as exc:
            _question_errors(form, exc)
        else:
            messages.success(request, f"Question {done}.")
            return redirect("courses:lesson", request.organization.slug, course.public_id, lesson.key)
    messages.error(request, f"The question was not {done}: see below.")
    return _lesson_page(request, course, lesson, question_form=form, status=400)


@require_POST
@member_required(Role.ADMIN)
def question_action(request, org_slug, public_id, lesson_id, question_id, action):
    course = _course(request, public_id)
    lesson = _lesson(course, lesson_id)
    question = get_object_or_404(Question, lesson=lesson, pk=question_id)
    if action == "delete":
        actions.delete_question(question)
        messages.success(request, "Question deleted.")
    elif action == "save":
        form = QuestionForm(request.POST, prefix=f"q{question.pk}")
        return _save_question(
            request, course, lesson, form, lambda **kw: actions.update_question(question, **kw), "saved"
        )
    return redirect("courses:lesson", org_slug, public_id, lesson.key)


@require_POST
@member_required(Role.ADMIN)
def publish(request, org_slug, public_id):
    course = _course(request, public_id)
    try:
        version = actions.publish_course(course, actor=Actor.for_user(request.user))
    except ValidationError as exc:
        messages.error(request, "Not published: " + " ".join(_errors(exc)))
    else:
        messages.success(
            request,
            f"Published version {version.number}. New learners get it; learners in progress keep theirs.",
        )
    return redirect("courses:edit", org_slug, public_id)


@require_POST
@member_required(Role.ADMIN)
def enrolment(request, org_slug, public_id, action):
    """Close the course to new learners, or reopen it."""
    course = _course(request, public_id)
    if action not in ("close", "reopen"):
        raise Http404("no such action")
    try:
        move = actions.close_course if action == "close" else actions.reopen_course
        move(course, actor=Actor.for_user(request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(
            request,
            "Closed to new learners. Enrolled learners can still finish and earn the credential."
            if action == "close"
            else "Open to new learners again.",
        )
    return redirect("courses:edit", org_slug, public_id)


@require_POST
@member_required(Role.ISSUER)
def invite(request, org_slug, public_id):
    course = _course(request, public_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            enrolments = _invite(course, form.cleaned_data["emails"], request.user)
        except ValidationError as exc:
            # the list stays in its box with what is wrong right under it, so one typo is one fix
            for message in exc.messages:
                form.add_error("emails", message)
        else:
            messages.success(
                request, f"Invited {len(enrolments)} learner{'s' if len(enrolments) != 1 else ''}."
            )
            return redirect("courses:edit", org_slug, public_id)
    else:
        form.errors["emails"] = form.error_class(["Give at least one email address."])
    messages.error(request, "Nobody was invited: fix the list below and send again.")
    return _edit_page(request, course, invite_form=form, status=400)


def _invite(course, text, actor):
    from credstack.learning.actions import invite as learning_invite

    return learning_invite(course, text, actor=Actor.for_user(actor))


@require_POST
@member_required(Role.ISSUER)
def reset_attempts(request, org_slug, public_id, enrolment_id, lesson_key):
    from credstack.learning.actions import reset_attempts as reset
    from credstack.learning.models import Enrolment
    from credstack.learning.queries import LearningError

    course = _course(request, public_id)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner", "version"), course=course, public_id=enrolment_id
    )
    try:
        left = reset(enrolment, lesson_key, actor=Actor.for_user(request.user))
    except (LearningError, IndexError, KeyError) as exc:
        messages.error(request, str(exc) or "There is no such lesson in this learner's version.")
    else:
        messages.success(request, f"{enrolment.learner.email} can take that quiz again ({left} attempts).")
    return redirect("courses:analytics", org_slug, public_id)


@member_required(Role.VIEWER)
def analytics(request, org_slug, public_id):
    course = _course(request, public_id)
    return render(
        request,
        "courses/analytics.html",
        {
            "course": course,
            "a": queries.course_analytics(course),
            "learners": list(queries.learner_rows(course))[:200],
        },
    )


@member_required(Role.VIEWER)
def export_csv(request, org_slug, public_id):
    from credstack.ui.exports import csv_text

    course = _course(request, public_id)
    rows = list(queries.learner_rows(course))
    lessons = max((r["lessons_total"] for r in rows), default=0)
    header = [
        "email",
        "name",
        "status",
        "course_version",
        "lessons_done",
        "lessons_total",
        "quiz_attempts",
        *[f"lesson_{n}_best_score" for n in range(1, lessons + 1)],
        "average_score",
        "minutes_spent",
        "enrolled_at",
        "last_activity_at",
        "completed_at",
        "credential_url",
    ]
    body = csv_text(
        header,
        (
            [
                r["email"],
                r["name"],
                r["status"],
                r["version"],
                r["lessons_done"],
                r["lessons_total"],
                r["attempts"],
                *(r["scores"] + [None] * (lessons - len(r["scores"]))),
                r["average_score"],
                r["minutes"],
                r["enrolled"].isoformat() if r["enrolled"] else "",
                r["last_activity"].isoformat() if r["last_activity"] else "",
                r["completed"].isoformat() if r["completed"] else "",
                r["credential"],
            ]
            for r in rows
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-learners.csv"'
    return response
