import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("achievements", "0002_achievement_archived_achievement_badge_image_and_more"),
        ("credentials", "0002_replacement_visibility_events"),
        ("designs", "0001_initial"),
        ("organizations", "0002_organization_brand_color_organization_logo_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="credential",
            name="achievement_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="achievements.achievementversion",
            ),
        ),
        migrations.AddField(
            model_name="credential",
            name="design_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="designs.designversion",
            ),
        ),
        migrations.AddField(
            model_name="credential",
            name="merge_fields",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(
                fields=["organization", "achievement", "-issued_at", "-id"], name="credential_org_ach"
            ),
        ),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(
                fields=["organization", "state", "-issued_at", "-id"], name="credential_org_state"
            ),
        ),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(fields=["organization", "recipient_email"], name="credential_org_email"),
        ),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(fields=["organization", "recipient_name", "id"], name="credential_org_name"),
        ),
    ]
