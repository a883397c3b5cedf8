"""The course editor under /w/<org_slug>/courses/ (workspace roles: viewers read, admins edit and
publish). The pages about a course's learners (invitations, analytics, the CSV export) belong to the
learning app, which owns enrolments: ``credstack.learning.educator_views``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, can, member_required
from credstack.ui.refusal import refused

from . import actions, content
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
        initial={"review_days_text": "7, 30"},
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
            messages.success(request, _("Course created. Add its lessons."))
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
            return refused(request, _("Only owners and admins change courses."))
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
                messages.success(request, _("Course saved."))
                return redirect("courses:edit", org_slug, course.public_id)
    return edit_page(request, course, form)


def edit_page(request, course, form=None, invite_form=None, status=200):
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
        lesson = actions.add_lesson(course, title=title[:200], actor=Actor.for_user(request.user))
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
            return refused(request, _("Only owners and admins change courses."))
        if form.is_valid():
            try:
                actions.update_lesson(lesson, actor=Actor.for_user(request.user), **form.cleaned_data)
            except ValidationError as exc:
                lesson.refresh_from_db()  # the page shows the lesson as it is, the form as it was typed
                for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
            else:
                messages.success(request, _("Lesson saved."))
                return redirect("courses:lesson", org_slug, public_id, lesson.key)
        return _lesson_page(request, course, lesson, form, status=400)
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
    actor = Actor.for_user(request.user)
    if action == "delete":
        actions.delete_lesson(lesson, actor=actor)
        messages.success(request, _("Lesson “%(title)s” deleted.") % {"title": lesson.title})
        return redirect("courses:edit", org_slug, public_id)
    if action in ("up", "down"):
        if not actions.move_lesson(lesson, -1 if action == "up" else 1, actor=actor):
            messages.info(
                request,
                (
                    _("Lesson “%(title)s” is already the first.")
                    if action == "up"
                    else _("Lesson “%(title)s” is already the last.")
                )
                % {"title": lesson.title},
            )
        return redirect("courses:edit", org_slug, public_id)
    if action == "attach":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to attach."))
        else:
            try:
                attachment = actions.add_attachment(lesson, upload, actor=actor)
                messages.success(
                    request,
                    _("Attached %(name)s. Use it in the text as attachment:%(name)s")
                    % {"name": attachment.name},
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(_errors(exc)))
        return redirect("courses:lesson", org_slug, public_id, lesson.key)
    if action == "question":
        form = QuestionForm(request.POST, prefix="new")
        return _save_question(
            request,
            course,
            lesson,
            form,
            lambda **kw: actions.add_question(lesson, actor=actor, **kw),
            _("Question added."),
        )
    raise Http404("unknown action")


def _save_question(request, course, lesson, form, save, done: str):
    """``done``: the message when it is saved ("Question added.")."""
    """Validate and save a question form: back to the lesson on success; otherwise the lesson page again
    (400) with the form open, what was typed, and each message under its field."""
    if form.is_valid():
        try:
            save(**form.to_kwargs())
        except ValidationError as exc:
            _question_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("courses:lesson", request.organization.slug, course.public_id, lesson.key)
    messages.error(request, _("The question was not saved: see below."))
    return _lesson_page(request, course, lesson, question_form=form, status=400)


@require_POST
@member_required(Role.ADMIN)
def question_action(request, org_slug, public_id, lesson_id, question_id, action):
    course = _course(request, public_id)
    lesson = _lesson(course, lesson_id)
    question = get_object_or_404(Question, lesson=lesson, pk=question_id)
    actor = Actor.for_user(request.user)
    if action == "delete":
        actions.delete_question(question, actor=actor)
        messages.success(request, _("Question deleted."))
    elif action == "save":
        form = QuestionForm(request.POST, prefix=f"q{question.pk}")
        return _save_question(
            request,
            course,
            lesson,
            form,
            lambda **kw: actions.update_question(question, actor=actor, **kw),
            _("Question saved."),
        )
    return redirect("courses:lesson", org_slug, public_id, lesson.key)


@require_POST
@member_required(Role.ADMIN)
def publish(request, org_slug, public_id):
    course = _course(request, public_id)
    try:
        version = actions.publish_course(course, actor=Actor.for_user(request.user))
    except ValidationError as exc:
        messages.error(request, _("Not published: %(why)s") % {"why": " ".join(_errors(exc))})
    else:
        messages.success(
            request,
            _("Published version %(number)s. New learners get it; learners in progress keep theirs.")
            % {"number": version.number},
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
            _("Closed to new learners. Enrolled learners can still finish and earn the credential.")
            if action == "close"
            else _("Open to new learners again."),
        )
    return redirect("courses:edit", org_slug, public_id)
