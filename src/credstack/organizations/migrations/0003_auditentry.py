# The audit log moves from the workspace app to organizations, so that actions of every layer can write
# it. Only Django's model state moves: the table keeps its name (workspace_auditentry) and its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0002_organization_brand_color_organization_logo_and_more"),
        ("workspace", "0002_bulkjob_purged_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("actor_label", models.CharField(blank=True, max_length=254)),
                        ("action", models.CharField(max_length=60)),
                        ("target", models.CharField(blank=True, max_length=300)),
                        ("detail", models.TextField(blank=True)),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="audit_entries", to="organizations.organization")),
                    ],
                    options={
                        "db_table": "workspace_auditentry",
                        "indexes": [models.Index(fields=["organization", "-at", "-id"], name="audit_org_recent")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="auditentry",
            name="actor_kind",
            field=models.CharField(
                choices=[("user", "Person"), ("api_key", "API key"), ("cli", "Command line"), ("system", "System")],
                default="user",
                max_length=10,
            ),
        ),
        # Rows written before actors existed: no user means the system did it.
        migrations.RunSQL(
            "UPDATE workspace_auditentry SET actor_kind = 'system' WHERE actor_id IS NULL AND actor_label = 'system'",
            migrations.RunSQL.noop,
        ),
    ]
