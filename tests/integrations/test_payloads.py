"""Reading a payload is pure: ``integrations.payloads`` works without the ORM (or Django settings)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

import credstack
from credstack.awarding.models import DataRule
from credstack.integrations import payloads


def test_payload_parsing_imports_no_orm():
    code = (
        "import sys, credstack.integrations.payloads\n"
        "bad = sorted(m for m in sys.modules if m == 'django.db' or m.startswith('django.db.') "
        "or m.endswith('.models') and m.startswith('credstack.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    src = str(Path(credstack.__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "", "PYTHONPATH": src}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_condition_operators_are_the_awarding_engines():
    assert payloads.OPERATORS == set(DataRule.Operator.values)


def test_a_json_array_is_a_batch_of_events_each_with_its_own_body():
    delivery = payloads.parse_delivery(b'[{"a": 1}, {"b": "\xc3\xa9"}]', "application/json")
    assert delivery.batch
    assert delivery.items == [({"a": 1}, b'{"a":1}'), ({"b": "é"}, '{"b":"é"}'.encode())]


def test_an_unreadable_payload_says_where():
    with pytest.raises(payloads.PayloadError) as exc:
        payloads.parse_body(b'{"a": }', "application/json")
    assert exc.value.status == 400 and "line 1, column 7" in exc.value.message


def test_the_event_id_comes_from_the_mapping_or_the_body_digest():
    assert payloads.source_event_id({"event_id": "id"}, {"id": "ev-1"}, b"{}") == "ev-1"
    assert payloads.source_event_id({}, {"id": "ev-1"}, b"{}").startswith("sha256:")


def test_a_mapping_without_an_email_path_is_refused():
    with pytest.raises(ValidationError) as exc:
        payloads.clean_mapping({"name": "n"}, fixed_achievement=True)
    assert "mapping.email" in exc.value.message_dict
