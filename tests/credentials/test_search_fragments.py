"""Issue 14: the workspace search finds a credential by its holder's name without the accents ("tomas"
finds "Tomás"), by a piece of its email address, by the start of its id, and by a skill its achievement
is aligned to; on SQLite and PostgreSQL alike (decision 0061)."""

from __future__ import annotations

import pytest

from credstack.achievements.actions import create_achievement, update_achievement
from credstack.credentials import search as text_search
from credstack.credentials.models import Credential
from credstack.credentials.queries import search

PEOPLE = [
    ("Tomás García", "tomas.garcia@uni.example"),
    ("Ada Lovelace", "ada@example.org"),
    ("Grace Hopper", "grace@navy.example"),
    ("Zoë Müller", "zm@gmail.com"),
    ("Łukasz Żółkiewski", "lz@example.pl"),
    ("Ana Pérez", "ana.perez@correo.example"),
    ("Ольга Петрова", "olga@example.ru"),
    ("Ёлка Йогурт", "yolka@example.ru"),
    ("مُحَمَّد الفارسي", "m@example.ae"),
    ("王小明", "wang@example.cn"),
    ("François Œuvre", "fo@example.fr"),
]


@pytest.fixture
def people(issue):
    return {name: issue(name=name, email=email) for name, email in PEOPLE}


def found(org, q, **kw) -> set[str]:
    return set(
        search(Credential.objects.filter(organization=org), q, **kw).values_list("recipient_name", flat=True)
    )


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("tomas", {"Tomás García"}),
        ("TOMÁS", {"Tomás García"}),
        ("garcia", {"Tomás García"}),
        ("muller", {"Zoë Müller"}),
        ("zoe", {"Zoë Müller"}),
        ("lukasz", {"Łukasz Żółkiewski"}),
        ("zolkiew", {"Łukasz Żółkiewski"}),
        ("perez", {"Ana Pérez"}),
        ("francois oeuvre", {"François Œuvre"}),
        ("петров", {"Ольга Петрова"}),
        ("елка", {"Ёлка Йогурт"}),  # ё typed as е, as Russian writers often do
        ("محمد", {"مُحَمَّد الفارسي"}),  # the vowel marks left out
        ("الفارسي", {"مُحَمَّد الفارسي"}),
        ("小明", {"王小明"}),
        ("王小明", {"王小明"}),
        ("nobody-at-all", set()),
    ],
)
@pytest.mark.parametrize("few", [2000, 0], ids=["rare-term-path", "common-term-path"])
def test_accents_and_case_are_ignored_in_every_script(org, people, term, expected, few, monkeypatch):
    monkeypatch.setattr(text_search, "FEW", few)  # 0: every term counts as common (scan + per-row test)
    assert found(org, term) == expected


def test_an_email_fragment_finds_its_holders(org, people):
    assert found(org, "gmail") == {"Zoë Müller"}
    assert found(org, "ana.p") == {"Ana Pérez"}
    assert found(org, "tomas.garcia") == {"Tomás García"}
    assert found(org, "@example.org") == {"Ada Lovelace"}
    assert found(org, "grace@") == {"Grace Hopper"}
    assert found(org, "navy.example") == {"Grace Hopper"}
    assert found(org, "ada@example.org") == {"Ada Lovelace"}  # a whole address: exactly it


def test_a_renamed_holder_is_found_by_the_new_name_only(org, people):
    ada = people["Ada Lovelace"]
    Credential.objects.filter(pk=ada.pk).update(
        recipient_name="Añá Kíng", recipient_email="ak@newmail.example"
    )
    assert found(org, "lovelace") == set()
    assert found(org, "ana king") == {"Añá Kíng"}
    assert found(org, "newmail") == {"Añá Kíng"}


def test_the_start_of_an_id_finds_the_credential(org, people):
    tomas = people["Tomás García"]
    assert "Tomás García" in found(org, tomas.public_id[:6])
    assert found(org, tomas.public_id) == {"Tomás García"}
    assert found(org, f"https://example.org/c/{tomas.public_id}") == {"Tomás García"}


def test_a_short_word_is_only_a_name(org, people):
    assert found(org, "hopper") == {"Grace Hopper"}
    assert found(org, "ada") == {"Ada Lovelace"}
    assert found(org, "zm") == set()  # two letters of an address are not searched there


def test_a_skill_name_or_code_finds_the_credentials_aligned_to_it(org, issue, achievement):
    aligned = issue(name="Grace Hopper", email="grace@navy.example")
    plain_achievement = create_achievement(
        organization=org, slug="plain", name="Plain", description="d", criteria_narrative="c"
    )
    issue(name="Ada Lovelace", email="ada@example.org", achievement=plain_achievement)
    update_achievement(
        achievement,
        alignments=[
            {"name": "Gestión de proyectos", "url": "https://esco.example/s/1", "code": "S4.2.1"},
        ],
    )
    everything = org.achievements.all()
    assert found(org, "gestion de proy", achievements=everything) == {aligned.recipient_name}
    assert found(org, "s4.2", achievements=everything) == {aligned.recipient_name}
    assert found(org, "gestion de proy") == set()  # the API caller without achievements: names only
