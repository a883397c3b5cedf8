"""``credential.expired`` goes out once per expiry (``actions.announce_expired``): when it went out, and a
small partial index of the expiries still to announce. Credentials that expired before this migration
count as announced: subscribers are not sent a flood of old expiries on the first run."""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def mark_past_expiries(apps, schema_editor):
    Credential = apps.get_model("credentials", "Credential")
    Credential.objects.filter(valid_until__lte=timezone.now(), expiry_announced_at__isnull=True).update(
        expiry_announced_at=F("valid_until")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0006_status_list_permutation"),
    ]

    operations = [
        migrations.AddField(
            model_name="credential",
            name="expiry_announced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(
                condition=models.Q(("expiry_announced_at__isnull", True), ("valid_until__isnull", False)),
                fields=["valid_until"],
                name="credential_expiry_due",
            ),
        ),
        migrations.RunPython(mark_past_expiries, migrations.RunPython.noop),
    ]
