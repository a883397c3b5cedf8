"""Skills frameworks: imported from the publishers' files, searched, aligned to achievements, carried in
the credential's ``alignment`` with their codes, shown and counted (issue 17)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.achievements import actions
from credstack.achievements.models import Skill, SkillFramework
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry
from credstack.vc.verify import verify_credential
from tests.unchanged import changes_nothing
from tests.vc.test_ob3_schema import schema_errors

pytestmark = pytest.mark.django_db

CASE_PACKAGE = {
    "CFDocument": {
        "identifier": "c5fb0812-d7cb-11e8-824f-0242ac160002",
        "uri": "https://casenetwork.example.org/uri/c5fb0812-d7cb-11e8-824f-0242ac160002",
        "title": "Digital Skills Framework",
        "creator": "Example Standards Body",
    },
    "CFItems": [
        {
            "identifier": "a1",
            "uri": "https://casenetwork.example.org/uri/a1",
            "fullStatement": "Analyse data with spreadsheets and explain the result to others.",
            "abbreviatedStatement": "Data analysis",
            "humanCodingScheme": "DS.1.1",
        },
        {
            "identifier": "a2",
            "uri": "https://casenetwork.example.org/uri/a2",
            "fullStatement": "Análisis de datos con Python",
            "humanCodingScheme": "DS.1.2",
        },
    ],
}
ESCO_CSV = (
    b"conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,status,description\n"
    b"KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab,"
    b'skill/competence,sector-specific,manage musical staff,"coordinate duties of musical staff",released,'
    b'"Assign and manage staff tasks in areas such as scoring, arranging, copying music."\n'
    b"KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/00064735-8fad-454b-90c7-ed858cc993f2,"
    b"skill/competence,cross-sector,supervise correctional procedures,,released,Supervise the operations.\n"
)
ONET_TSV = (
    b"O*NET-SOC Code\tElement ID\tElement Name\tScale ID\tData Value\n"
    b"11-1011.00\t2.A.1.a\tReading Comprehension\tIM\t4.12\n"
    b"11-1011.03\t2.A.1.a\tReading Comprehension\tIM\t4.00\n"
    b"11-1011.00\t2.A.1.b\tActive Listening\tIM\t4.25\n"
)


def _case(package=None) -> bytes:
    return json.dumps(package or CASE_PACKAGE).encode()


def test_a_case_package_is_imported_with_its_codes_and_imported_again_it_is_updated(org):
    framework = actions.import_framework(org, kind="case", data=_case())
    assert framework.name == "Digital Skills Framework"
    skills = {s.code: s for s in framework.skills.all()}
    assert set(skills) == {"DS.1.1", "DS.1.2"}
    assert skills["DS.1.1"].name == "Data analysis" and "spreadsheets" in skills["DS.1.1"].description
    assert skills["DS.1.1"].alignment()["type"] == "CFItem"
    changed = json.loads(json.dumps(CASE_PACKAGE))
    changed["CFItems"] = [{**changed["CFItems"][0], "abbreviatedStatement": "Data analysis and reporting"}]
    again = actions.import_framework(org, kind="case", data=_case(changed))
    assert again.pk == framework.pk
    assert list(again.skills.values_list("code", "name")) == [("DS.1.1", "Data analysis and reporting")]
    assert AuditEntry.objects.filter(action="skills.imported").count() == 2


def test_esco_and_onet_files_are_read_as_published(org):
    esco = actions.import_framework(org, kind="esco", data=ESCO_CSV)
    assert esco.skills.count() == 2
    music = esco.skills.get(name="manage musical staff")
    assert music.code == "0005c151-5b5a-4a66-8aac-60e734beb1ab" and music.url.startswith(
        "http://data.europa.eu/"
    )
    onet = actions.import_framework(org, kind="onet", data=ONET_TSV)
    assert sorted(onet.skills.values_list("code", flat=True)) == ["2.A.1.a", "2.A.1.b"]  # repeats read once


@pytest.mark.parametrize(
    ("kind", "data", "error"),
    [
        ("case", b'{"CFItems": [', "file: line 1: not JSON"),
        ("case", b'{"CFDocument": {}}', "file: CFItems: missing"),
        (
            "case",
            json.dumps({"CFItems": [{"identifier": "x", "fullStatement": "No link"}]}).encode(),
            "file: CFItems[1] (No link): has no uri",
        ),
        (
            "esco",
            b"uri,label\nhttp://x,y\n",
            "file: header: the ESCO skills CSV needs the columns conceptUri",
        ),
        (
            "esco",
            b"conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/1,ok\nhttp://data.europa.eu/esco/skill/2,\n",
            "file: row 3: preferredLabel is empty",
        ),
        ("onet", b"Element ID\tName\n", "file: header: an O*NET file needs"),
        ("esco", b"\xff\xfe\x00bad", "file: file: is not UTF-8 text"),
        ("esco", b"conceptUri,preferredLabel\n", "file: file: has no skills"),
        ("rubric", b"{}", "kind: unknown framework kind 'rubric'"),
    ],
)
def test_a_file_that_cannot_be_read_says_where_and_stores_nothing(org, kind, data, error):
    with changes_nothing(), pytest.raises(ValidationError) as raised:
        actions.import_framework(org, kind=kind, data=data)
    field, messages = next(iter(raised.value.message_dict.items()))
    assert f"{field}: {messages[0]}".startswith(error), (field, messages)


def test_aligned_skills_travel_in_the_credential_with_their_codes(org, achievement, issue):
    framework = actions.import_framework(org, kind="case", data=_case())
    actions.align_skills(achievement, list(framework.skills.order_by("code")))
    credential = issue()
    doc = credential.signed()
    alignment = doc["credentialSubject"]["achievement"]["alignment"]
    assert alignment[0]["targetName"] == "Programming"  # the one the achievement had stays
    assert [
        (a["targetName"], a["targetCode"], a["targetFramework"], a["targetType"]) for a in alignment[1:]
    ] == [
        ("Data analysis", "DS.1.1", "Digital Skills Framework", "CFItem"),
        ("Análisis de datos con Python", "DS.1.2", "Digital Skills Framework", "CFItem"),
    ]
    assert schema_errors(doc) == {}
    assert verify_credential(doc, fetch=local_fetch).valid
    _, added = actions.align_skills(achievement, list(framework.skills.all()))
    assert added == 0  # aligning again adds nothing


def test_another_organizations_skills_cannot_be_aligned(org, achievement, other_org):
    theirs = actions.import_framework(other_org, kind="onet", data=ONET_TSV)
    with changes_nothing(), pytest.raises(ValidationError):
        actions.align_skills(achievement, list(theirs.skills.all()))


def test_the_skills_page_imports_searches_aligns_and_counts(org, achievement, issue, signed_in):
    from credstack.organizations.models import Role

    client = signed_in(Role.ADMIN)
    upload = SimpleUploadedFile("case.json", _case(), content_type="application/json")
    done = client.post(f"/w/{org.slug}/skills/import", {"kind": "case", "file": upload}, follow=True)
    assert "Imported Digital Skills Framework: 2 skills." in done.content.decode()
    found = client.get(f"/w/{org.slug}/skills/", {"q": "ANÁLISIS datos"}).content.decode()
    assert "Análisis de datos con Python" in found and "Data analysis" not in found
    skill = Skill.objects.get(code="DS.1.2")
    aligned = client.post(
        f"/w/{org.slug}/skills/align",
        {"achievement": achievement.public_id, "skills": [skill.pk]},
        follow=True,
    )
    assert "Python Basics: 1 skill added" in aligned.content.decode()
    issue()
    issue(email="grace@example.org", name="Grace Hopper")
    report = client.get(f"/w/{org.slug}/skills/").content.decode()
    assert "Skills in your credentials" in report
    row = report.split("Análisis de datos con Python", 2)[-1].split("</tr>", 1)[0]
    assert ">2</td>" in row  # two active credentials carry it
    public = client.get(f"/c/{achievement.credentials.first().public_id}").content.decode()
    assert "Análisis de datos con Python" in public and "Digital Skills Framework" in public
    bad = client.post(
        f"/w/{org.slug}/skills/import",
        {"kind": "esco", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")},
        follow=True,
    ).content.decode()
    assert "the ESCO skills CSV needs the columns conceptUri and preferredLabel" in bad
    assert SkillFramework.objects.filter(organization=org).count() == 1
