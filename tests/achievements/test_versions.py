from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.achievements.actions import current_version, update_achievement
from credstack.achievements.models import Achievement


def test_editing_after_issuance_starts_a_version_and_issued_keep_theirs(achievement, issue):
    achievement, new = update_achievement(achievement, description="Before anyone holds it.")
    assert new is False and current_version(achievement).number == 1
    first = issue()
    achievement, new = update_achievement(achievement, name="Python Basics (2026)")
    assert new is True and current_version(achievement).number == 2
    second = issue(email="b@example.org")
    assert first.signed()["credentialSubject"]["achievement"]["name"] == "Python Basics"
    assert second.signed()["credentialSubject"]["achievement"]["name"] == "Python Basics (2026)"
    first.refresh_from_db()
    assert first.achievement_version.number == 1 and second.achievement_version.number == 2


def test_achievement_pages(signed_in, org):
    client = signed_in("admin")
    r = client.post(
        f"/w/{org.slug}/achievements/new",
        {
            "name": "Data Literacy",
            "slug": "data-literacy",
            "achievement_type": "MicroCredential",
            "description": "Reading data.",
            "criteria_narrative": "",
            "criteria_url": "",
            "tags": "data, literacy",
            "alignments": "Data analysis | https://esco.example/s/1 | ESCO\nbroken line",
            "credits": "1.5",
            "language": "en",
            "valid_for_months": "24",
        },
    )
    body = r.content.decode()
    assert "line 2: write name | URL (| framework)" in body
    assert "give the criteria as text, a URL, or both" in body
    assert not Achievement.objects.filter(slug="data-literacy").exists()
    r = client.post(
        f"/w/{org.slug}/achievements/new",
        {
            "name": "Data Literacy",
            "slug": "data-literacy",
            "achievement_type": "MicroCredential",
            "description": "Reading data.",
            "criteria_narrative": "Pass the case study.",
            "tags": "data, literacy",
            "alignments": "Data analysis | https://esco.example/s/1 | ESCO",
            "credits": "1.5",
            "language": "en",
            "valid_for_months": "24",
            "badge_image": SimpleUploadedFile(
                "b.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>'
            ),
        },
    )
    a = Achievement.objects.get(slug="data-literacy")
    assert r.status_code == 302 and a.tags == ["data", "literacy"] and a.valid_for_months == 24
    assert a.alignments == [{"name": "Data analysis", "url": "https://esco.example/s/1", "framework": "ESCO"}]
    assert current_version(a).data["image"] == a.badge_url
    assert client.get(f"/a/{a.public_id}/badge")["Content-Type"] == "image/svg+xml"
    page = client.get(f"/w/{org.slug}/achievements/{a.public_id}/").content.decode()
    assert "Version 1" in page and "ESCO" in page
    r = client.post(
        f"/w/{org.slug}/achievements/new",
        {
            "name": "X",
            "slug": "data-literacy",
            "achievement_type": "Course",
            "description": "d",
            "criteria_narrative": "c",
        },
    )
    assert "another achievement already uses" in r.content.decode()
