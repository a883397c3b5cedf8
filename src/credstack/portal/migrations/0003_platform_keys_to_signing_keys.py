"""The platform's keys move into organizations.SigningKey (organization = null) and PlatformKey goes.

The sealed key material is copied byte for byte: a platform key stays sealed under the context it was
sealed with (``platform:key:<fragment>``, see ``organizations.models.seal_context``), so it opens and
signs as before, and every fragment stays in the platform's DID document.
"""

from django.db import migrations


def forward(apps, schema_editor):
    PlatformKey = apps.get_model("portal", "PlatformKey")
    SigningKey = apps.get_model("organizations", "SigningKey")
    old = list(PlatformKey.objects.order_by("created_at", "id"))
    for n, key in enumerate(old):
        # retired when the next key was made (PlatformKey did not record it)
        retired_at = None if key.active else (old[n + 1].created_at if n + 1 < len(old) else key.created_at)
        new = SigningKey.objects.create(
            organization=None,
            fragment=key.fragment,
            public_multibase=key.public_multibase,
            sealed_private_key=bytes(key.sealed_private_key),
            active=key.active,
            retired_at=retired_at,
        )
        # created_at is auto_now_add: restore the original moment (the DID document orders by it)
        SigningKey.objects.filter(pk=new.pk).update(created_at=key.created_at)


def backward(apps, schema_editor):
    PlatformKey = apps.get_model("portal", "PlatformKey")
    SigningKey = apps.get_model("organizations", "SigningKey")
    for key in SigningKey.objects.filter(organization=None).order_by("created_at", "id"):
        old = PlatformKey.objects.create(
            fragment=key.fragment,
            public_multibase=key.public_multibase,
            sealed_private_key=bytes(key.sealed_private_key),
            active=key.active,
        )
        PlatformKey.objects.filter(pk=old.pk).update(created_at=key.created_at)
        key.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_accountemail_verified_by"),
        ("organizations", "0004_platform_keys"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="PlatformKey"),
    ]
