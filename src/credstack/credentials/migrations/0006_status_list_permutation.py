from django.db import migrations, models

import credstack.credentials.models


class Migration(migrations.Migration):
    """Existing lists get an empty key and keep their old (affine) mapping, so the indexes they already
    handed out stay unique; new lists get a random key and the keyed permutation."""

    dependencies = [
        ("credentials", "0005_name_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="statuslist",
            name="permutation_key",
            field=models.BinaryField(default=b"", editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="statuslist",
            name="permutation_key",
            field=models.BinaryField(default=credstack.credentials.models._permutation_key, editable=False),
        ),
    ]
