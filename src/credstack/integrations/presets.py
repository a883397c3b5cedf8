"""The sources credstack knows out of the box: where each one puts the learner, the score and its event id.

Each preset is only a starting mapping: the educator can change every path in the endpoint's page and try
it on a sample payload. Paths are dotted (``result.email``; ``answers.0.text`` for list items). Sources
are documented in docs/integrations.md; their sample payloads (with the page each shape comes from) are in
tests/integrations/payloads/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a string for the catalogues (makemessages), translated where it is shown. Not Django's own:
    payload parsing imports this module without settings (tests/integrations/test_payloads.py)."""
    return message


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    summary: str
    mapping: dict[str, str]
    conditions: list[dict] = field(default_factory=list)
    # How the source proves a delivery is its own (see signatures.py); checked when a secret is set.
    signature: str = "none"
    key_label: str = gettext_noop("Signing secret")
    instructions: str = ""
    secret_generated: bool = False  # credstack makes the shared secret (the source just repeats it)


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in [
        Preset(
            "generic",
            gettext_noop("Generic JSON or form"),
            gettext_noop("Your own website or any tool that can POST JSON or a form."),
            {"email": "email", "name": "name", "score": "score", "event_id": "id"},
            signature="hmac_sha256_hex",
            instructions=gettext_noop(
                'POST JSON such as <code>{"id": "attempt-123", "email": "ada@example.org", "name": '
                '"Ada Lovelace", "score": 92}</code> (or the same fields as a form). With a signing '
                "secret, add the header <code>X-Credstack-Signature: sha256=&lt;hex HMAC-SHA256 of the raw "
                "body&gt;</code>."
            ),
            secret_generated=True,
        ),
        Preset(
            "zapier",
            gettext_noop("Zapier"),
            gettext_noop("A Zap with a “Webhooks by Zapier” POST step (JSON or form)."),
            {"email": "email", "name": "name", "score": "score", "event_id": "id"},
            signature="shared_secret",
            instructions=gettext_noop(
                "Add a <b>Webhooks by Zapier → POST</b> action: URL = this endpoint's URL, Payload Type = "
                "json (form works too), Data = <code>email</code>, <code>name</code>, <code>score</code>, "
                "<code>id</code> (a unique id of the completion, so retries are harmless). Under Headers add "
                "<code>X-Credstack-Secret</code> with the signing secret."
            ),
            secret_generated=True,
        ),
        Preset(
            "make",
            gettext_noop("Make (Integromat)"),
            gettext_noop("A scenario with an HTTP “Make a request” module."),
            {"email": "email", "name": "name", "score": "score", "event_id": "id"},
            signature="shared_secret",
            instructions=gettext_noop(
                "Add an <b>HTTP → Make a request</b> module: Method POST, URL = this endpoint's URL, Body "
                "type Raw, Content type JSON, and a body with <code>email</code>, <code>name</code>, "
                "<code>score</code> and <code>id</code>. Add the header <code>X-Credstack-Secret</code> with "
                "the signing secret."
            ),
            secret_generated=True,
        ),
        Preset(
            "typeform",
            gettext_noop("Typeform"),
            gettext_noop("A Typeform quiz or form; answers are found by their field ref or type."),
            {
                "email": "answer.type.email",
                "name": "answer.ref.name",
                "score": "form_response.calculated.score",
                "event_id": "event_id",
            },
            conditions=[{"path": "event_type", "operator": "eq", "value": "form_response"}],
            signature="typeform",
            key_label=gettext_noop("Webhook secret (as set in Typeform)"),
            instructions=gettext_noop(
                "In Typeform: Connect → Webhooks → Add a webhook with this endpoint's URL, and set the same "
                "secret there and here (Typeform signs each delivery: <code>Typeform-Signature: "
                "sha256=…</code>). Answers are found by field <i>ref</i> (<code>answer.ref.&lt;ref&gt;</code>) "
                "or type (<code>answer.type.email</code>); give the name question the ref <code>name</code>, "
                "or change the path."
            ),
        ),
        Preset(
            "google_forms",
            gettext_noop("Google Forms"),
            gettext_noop("A Google Form (or quiz) with a small Apps Script that posts each response."),
            {
                "email": "respondent_email",
                "name": "answers.Name",
                "score": "score",
                "event_id": "response_id",
            },
            signature="shared_secret",
            instructions=gettext_noop(
                "In the form: ⋮ → Script editor (Apps Script), paste the script below, then Triggers → Add "
                "trigger → <code>onFormSubmit</code>, event type “On form submit”. Turn on “Collect email "
                "addresses”. Name the name question <i>Name</i> (or change the path)."
            ),
            secret_generated=True,
        ),
        Preset(
            "classmarker",
            gettext_noop("ClassMarker"),
            gettext_noop("ClassMarker test results (groups or links) sent by its webhook."),
            {
                "email": "result.email",
                "first_name": "result.first",
                "last_name": "result.last",
                "score": "result.percentage",
                "event_id": "test.test_id,result.user_id,result.link_result_id,result.time_started",
            },
            conditions=[
                {"path": "result.passed", "operator": "eq", "value": True},
                {"path": "payload_status", "operator": "ne", "value": "verify"},
            ],
            signature="classmarker",
            key_label=gettext_noop("Webhook secret phrase (from ClassMarker)"),
            instructions=gettext_noop(
                "In ClassMarker: My Account → Webhooks/API keys → New Webhook, with this endpoint's URL. Copy "
                "its secret phrase here: ClassMarker signs each delivery "
                "(<code>X-Classmarker-Hmac-Sha256</code>). Sample results sent by “Verify on save” "
                "(<code>payload_status: verify</code>) are skipped."
            ),
        ),
        Preset(
            "moodle",
            gettext_noop("Moodle course completion"),
            gettext_noop(
                "Moodle's \\core\\event\\course_completed event, posted by a workflow (e.g. Event Trigger)."
            ),
            {
                "email": "user_email",
                "first_name": "user_firstname",
                "last_name": "user_lastname",
                "event_id": "courseid,relateduserid",
            },
            conditions=[{"path": "eventname", "operator": "eq", "value": "\\core\\event\\course_completed"}],
            signature="shared_secret",
            instructions=gettext_noop(
                "Moodle's events carry user ids, not emails. With the Event Trigger plugin "
                "(<code>tool_trigger</code>), make a workflow on <code>\\core\\event\\course_completed</code> "
                "with a User lookup step (field <code>relateduserid</code>, prefix <code>user_</code>) and an "
                "HTTP Post step to this URL, JSON encoded, with the event's fields and "
                "<code>user_email</code>, <code>user_firstname</code>, <code>user_lastname</code>, and the "
                "header <code>X-Credstack-Secret</code>."
            ),
            secret_generated=True,
        ),
        Preset(
            "thinkific",
            gettext_noop("Thinkific"),
            gettext_noop("Thinkific's enrollment.completed webhook."),
            {
                "email": "payload.user.email",
                "first_name": "payload.user.first_name",
                "last_name": "payload.user.last_name",
                "event_id": "id",
            },
            conditions=[
                {"path": "resource", "operator": "eq", "value": "enrollment"},
                {"path": "action", "operator": "eq", "value": "completed"},
            ],
            signature="thinkific",
            key_label=gettext_noop("Thinkific API key (signs the webhooks)"),
            instructions=gettext_noop(
                "In Thinkific: Settings → Code &amp; analytics → Webhooks → New webhook: model Enrollment, "
                "topic <i>completed</i>, target URL = this endpoint's URL. Paste your Thinkific API key here: "
                "Thinkific signs each delivery with it (<code>X-Thinkific-Hmac-Sha256</code>)."
            ),
        ),
        Preset(
            "teachable",
            gettext_noop("Teachable"),
            gettext_noop("Teachable's Enrollment.completed webhook (a learner completes a whole course)."),
            {"email": "object.user.email", "name": "object.user.name", "event_id": "hook_event_id"},
            conditions=[{"path": "type", "operator": "eq", "value": "Enrollment.completed"}],
            signature="none",
            instructions=gettext_noop(
                "In Teachable: Settings → Webhooks → New webhook, event <i>Enrollment completed</i>, with this "
                "endpoint's URL. Teachable does not sign its deliveries and cannot add a header, so the secret "
                "URL is what protects this endpoint (make a new one if it leaks). Teachable sends its events "
                "as a JSON array; each is handled on its own. A school's webhook fires for <i>every</i> "
                "course: to issue this achievement for one course only, add the condition "
                "<code>object.course.id</code> = the course's id (every delivery in the event log shows it)."
            ),
        ),
        Preset(
            "learndash",
            gettext_noop("LearnDash"),
            gettext_noop(
                "LearnDash course completion sent by WP Webhooks (“Course completed” trigger) or Zapier."
            ),
            {
                "email": "user.data.user_email",
                "name": "user.data.display_name",
                "event_id": "user_id,course_id",
            },
            conditions=[{"path": "course_completed", "operator": "exists", "value": None}],
            signature="shared_secret",
            instructions=gettext_noop(
                "With the WP Webhooks plugin: Send Data → <i>Course completed</i> (LearnDash) → add this "
                "endpoint's URL, and under the webhook's settings add the header "
                "<code>X-Credstack-Secret</code>. Through Zapier, use the Zapier preset instead."
            ),
            secret_generated=True,
        ),
    ]
}

MAPPING_FIELDS = [
    ("email", gettext_noop("Recipient email"), gettext_noop("required")),
    ("name", gettext_noop("Recipient name"), gettext_noop("or first + last name below")),
    ("first_name", gettext_noop("First name"), ""),
    ("last_name", gettext_noop("Last name"), ""),
    ("score", gettext_noop("Score"), gettext_noop("optional: written into the credential as its result")),
    (
        "event_id",
        gettext_noop("Source event id"),
        gettext_noop("unique per completion; several paths separated by commas are joined"),
    ),
    (
        "achievement",
        gettext_noop("Achievement (from the payload)"),
        gettext_noop("the achievement's slug or id; only when no fixed achievement"),
    ),
]


def preset(key: str) -> Preset:
    return PRESETS.get(key) or PRESETS["generic"]


# ---------------------------------------------------------------- payload views per source


def _typeform_value(answer: dict) -> Any:
    kind = answer.get("type")
    if kind == "choice":
        choice = answer.get("choice") or {}
        return choice.get("label", choice.get("other"))
    if kind == "choices":
        choices = answer.get("choices") or {}
        return list(choices.get("labels") or []) + ([choices["other"]] if choices.get("other") else [])
    return answer.get(kind) if isinstance(kind, str) else None


def typeform_view(data: dict) -> dict:
    """Typeform sends answers as a list; add ``answer.ref.<ref>`` and ``answer.type.<type>`` lookups."""
    response = data.get("form_response")
    answers = response.get("answers") if isinstance(response, dict) else None
    if not isinstance(answers, list):
        return data
    by_ref: dict[str, Any] = {}
    by_type: dict[str, Any] = {}
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        value = _typeform_value(answer)
        field_info = answer.get("field") if isinstance(answer.get("field"), dict) else {}
        if field_info.get("ref"):
            by_ref.setdefault(str(field_info["ref"]), value)
        for kind in (field_info.get("type"), answer.get("type")):
            if isinstance(kind, str):
                by_type.setdefault(kind, value)
    return {**data, "answer": {"ref": by_ref, "type": by_type}}


VIEWS = {"typeform": typeform_view}


def view(preset_key: str, data: dict) -> dict:
    fn = VIEWS.get(preset_key)
    return fn(data) if fn else data


GOOGLE_APPS_SCRIPT = """// credstack: issue a credential for each response to this form.
// Paste into the form's Apps Script editor; add an "On form submit" trigger for onFormSubmit.
var CREDSTACK_URL = "{url}";
var CREDSTACK_SECRET = "{secret}";

function onFormSubmit(e) {{
  var response = e.response;
  var answers = {{}};
  response.getItemResponses().forEach(function (item) {{
    answers[item.getItem().getTitle()] = item.getResponse();
  }});
  var body = {{
    response_id: response.getId(),
    submitted_at: response.getTimestamp().toISOString(),
    form_title: FormApp.getActiveForm().getTitle(),
    respondent_email: response.getRespondentEmail(),
    answers: answers
  }};
  if (FormApp.getActiveForm().isQuiz()) {{
    var score = 0;
    response.getGradableItemResponses().forEach(function (item) {{ score += item.getScore(); }});
    body.score = score;
  }}
  UrlFetchApp.fetch(CREDSTACK_URL, {{
    method: "post",
    contentType: "application/json",
    headers: {{ "X-Credstack-Secret": CREDSTACK_SECRET }},
    payload: JSON.stringify(body),
    muteHttpExceptions: true
  }});
}}
"""


def google_apps_script(url: str, secret: str) -> str:
    return GOOGLE_APPS_SCRIPT.format(url=url, secret=secret.replace("\\", "\\\\").replace('"', '\\"'))
