"""The certificate as an image at the top of its page and as the card a shared link shows; X, Facebook and
an embed snippet in the share bar (issue 14)."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from credstack.credentials.actions import make_private, revoke_credential
from credstack.credentials.models import Credential
from credstack.organizations.actors import Actor


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


@pytest.mark.django_db
def test_the_page_opens_with_the_certificate_image_and_a_large_card(issue, client):
    credential = issue()
    page = client.get(f"/c/{credential.public_id}").text
    assert f'<img src="{credential.uri}/certificate.png"' in page
    # the certificate comes before the name, the actions and the checks
    assert page.index("/certificate.png") < page.index("Awarded to") < page.index('id="actions"')
    assert f'<meta property="og:image" content="{credential.uri}/og.png">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    image = client.get(f"/c/{credential.public_id}/certificate.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    width, height = png_size(image.getvalue())
    assert width == 1200 and 600 < height < 1800
    card = client.get(f"/c/{credential.public_id}/og.png")
    assert png_size(card.getvalue()) == (1200, 630)
    # the brand colour frames the card
    assert Image.open(io.BytesIO(card.getvalue())).convert("RGB").getpixel((2, 2)) == (0x1D, 0x3F, 0x6E)
    # drawn once, then served from storage, and revalidated by its ETag
    again = client.get(f"/c/{credential.public_id}/certificate.png", HTTP_IF_NONE_MATCH=image["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
def test_a_revoked_certificate_image_is_a_different_marked_image(issue, client):
    credential = issue()
    before = client.get(f"/c/{credential.public_id}/certificate.png").getvalue()
    revoke_credential(credential, reason="issued in error", actor=Actor.command_line())
    after = client.get(f"/c/{credential.public_id}/certificate.png").getvalue()
    assert after != before and png_size(after) == png_size(before)


@pytest.mark.django_db
def test_a_private_credential_shows_no_image_to_a_stranger(issue, client):
    credential = issue()
    make_private(Credential.objects.filter(pk=credential.pk), actor=Actor.command_line())
    assert client.get(f"/c/{credential.public_id}/certificate.png").status_code == 404
    assert client.get(f"/c/{credential.public_id}/og.png").status_code == 404
    page = client.get(f"/c/{credential.public_id}").text
    assert "/certificate.png" not in page and "og.png" not in page


@pytest.mark.django_db
def test_the_share_bar_offers_x_facebook_and_an_embed_snippet(issue, client):
    credential = issue()
    response = client.get(f"/c/{credential.public_id}")
    actions = response.context["actions"]
    x = urlsplit(actions["x"])
    assert x.netloc == "twitter.com" and parse_qs(x.query)["url"] == [credential.uri]
    facebook = urlsplit(actions["facebook"])
    assert facebook.netloc == "www.facebook.com" and parse_qs(facebook.query)["u"] == [credential.uri]
    assert actions["embed"] == (
        f'<a href="{credential.uri}" title="Python Basics: verify this credential">'
        f'<img src="{credential.uri}.png" width="120" height="120" '
        'alt="Python Basics, awarded to Ada Lovelace by Acme Training"></a>'
    )
    page = response.text
    assert "Post on X" in page and "Share on Facebook" in page and 'id="embed-code"' in page
    # no third-party script: the buttons are plain links
    assert "platform.twitter.com" not in page and "connect.facebook.net" not in page


@pytest.mark.django_db
def test_the_embed_snippet_escapes_what_the_issuer_typed(issue, achievement, client):
    credential = issue(name='Eve "<script>"')
    embed = client.get(f"/c/{credential.public_id}").context["actions"]["embed"]
    assert "<script>" not in embed and "&lt;script&gt;" in embed


@pytest.mark.django_db
def test_a_revoked_credential_shows_its_marked_image_without_a_link_to_the_file(issue, client):
    credential = issue()
    revoke_credential(credential, reason="issued in error", actor=Actor.command_line())
    page = client.get(f"/c/{credential.public_id}").text
    assert '<div class="cert-image"><img src="' in page and f'href="{credential.uri}.pdf"' not in page


@pytest.mark.django_db
def test_what_the_learner_shares_speaks_the_pages_language(issue, client):
    """Issue 17: the post, the email and the embed snippet offered on a French page are written in French
    (the names as they are, escaped once)."""
    credential = issue()
    actions = client.get(f"/c/{credential.public_id}?lang=fr", follow=True).context["actions"]
    assert parse_qs(urlsplit(actions["x"]).query)["text"] == [
        "J’ai obtenu Python Basics auprès de Acme Training."
    ]
    assert parse_qs(urlsplit(actions["email"]).query)["subject"] == ["Mon certificat : Python Basics"]
    assert actions["embed"] == (
        f'<a href="{credential.uri}" title="Python Basics : vérifier ce certificat">'
        f'<img src="{credential.uri}.png" width="120" height="120" '
        'alt="Python Basics, décerné à Ada Lovelace par Acme Training"></a>'
    )
