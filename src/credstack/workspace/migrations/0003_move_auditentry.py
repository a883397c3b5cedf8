# AuditEntry now lives in the organizations app (organizations 0003); the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("workspace", "0002_bulkjob_purged_at"),
        ("organizations", "0003_auditentry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
