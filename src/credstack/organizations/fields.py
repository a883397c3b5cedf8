"""``SealedTextField``: a secret column stored sealed under the deployment secret (decision 0029), read and
written in clear by the code.

The sealing context is the column (``app.model.field``), so a sealed value copied into another column
does not open. ``deterministic=True`` seals with AES-SIV: equal secrets give equal stored values, so the
column can still be looked up by equality (``filter(token=...)``) and be unique; use it only for random
values (tokens), where equality reveals nothing. Empty values stay empty (``filter(secret="")`` works).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from credstack.organizations.sealing import is_sealed_text, seal_text, unseal_text


class SealedTextField(models.TextField):
    def __init__(self, *args: Any, deterministic: bool = False, **kwargs: Any) -> None:
        self.deterministic = deterministic
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.deterministic:
            kwargs["deterministic"] = True
        return name, path, args, kwargs

    @property
    def sealing_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def _open(self, value: Any) -> Any:
        if isinstance(value, str) and is_sealed_text(value):
            return unseal_text(value, self.sealing_context)
        return value  # empty, or a row written before the column was sealed (its migration seals it)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return self._open(value)

    def to_python(self, value: Any) -> Any:
        return self._open(super().to_python(value))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or is_sealed_text(value):
            return value
        return seal_text(value, self.sealing_context, deterministic=self.deterministic)


def seal_existing_rows(model: type[models.Model], field_names: list[str]) -> int:
    """Data migration step: seal the values a column held in clear before it was sealed. Returns the
    number of rows changed. Values read in clear are written back through the field, which seals them."""
    changed = 0
    for row in model._default_manager.all().only("pk", *field_names).iterator():
        update = {}
        for name in field_names:
            raw = model._default_manager.filter(pk=row.pk).values_list(name, flat=True).first()
            if raw and not is_sealed_text(_raw_value(model, row.pk, name)):
                update[name] = raw
        if update:
            model._default_manager.filter(pk=row.pk).update(**update)
            changed += 1
    return changed


def unseal_existing_rows(model: type[models.Model], field_names: list[str]) -> None:
    """The reverse step: write the values back in clear (raw SQL, past the field)."""

    table = connection.ops.quote_name(model._meta.db_table)
    for row in model._default_manager.all().iterator():
        for name in field_names:
            value = getattr(row, name)
            column = connection.ops.quote_name(_column(model, name))
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, row.pk])  # noqa: S608


def _raw_value(model: type[models.Model], pk: Any, name: str) -> str:

    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(_column(model, name))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        found = cursor.fetchone()
    return found[0] if found and found[0] else ""


def _column(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "column", None) or name)
