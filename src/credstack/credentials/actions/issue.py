"""The one issuance pipeline for every trigger (decision 0045): ``issue_credentials(requests)``, a
batch; ``issue_credential`` is a batch of one. ``Batch`` holds a batch on its way through the stages
(check -> compose -> sign -> insert -> finish), which the bulk job also runs apart."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack import metrics

from ..models import Credential
from .compose import Group, Reserve, compose_group, insert_group, load_versions, version_key
from .held import refuse_held
from .requests import Checked, IssueRequest, IssueResult, check


# Signing processes for a large batch (decisions 0045, 0066): 1 signs in the issuing process.
def signing_processes() -> int:
    return int(getattr(settings, "CREDSTACK_SIGNING_PROCESSES", 1))


@metrics.timed_issuance  # credstack_issuance_seconds on /metrics (one credential's latency)
def issue_credential(request: IssueRequest | None = None, /, **fields) -> Credential:
    """Issue one credential: a batch of one (``issue_credentials``). Pass an ``IssueRequest`` or its
    fields as keywords. Raises ValidationError for a bad request.

    With an ``idempotency_key``, issuing again returns the credential issued the first time.
    """
    [result] = issue_credentials([request or IssueRequest(**fields)])
    if result.error is not None:
        raise result.error
    assert result.credential is not None
    return result.credential


def issue_credentials(requests: Sequence[IssueRequest]) -> list[IssueResult]:
    """Issue a batch: the one issuance pipeline (a single issue is a batch of one). One result per
    request, in order.

    1. validate each request (``check``): a bad one gets its error (which field, why) in its result and
       is left out; the others are issued (nothing is reserved for a refused request);
    2. requests whose idempotency key was used before (or earlier in this batch) get that credential;
    3. in one transaction: reserve the batch's status slots in one step, compose, sign (one loaded key;
       worker processes for large batches when ``CREDSTACK_SIGNING_PROCESSES`` > 1), insert the
       credentials, their "issued" events, the audit rows and the outbox rows (one per consumer per
       credential) with bulk inserts. A failure anywhere rolls the whole batch back, slots included: a
       status index is never consumed without its credential, and none is ever shared (the unique
       constraint on list and index). A concurrent insert of the same idempotency key rolls the batch
       back and runs it once more, finding that credential by its key.

    A batch of any size takes a constant number of queries per organization and achievement.
    """
    return _issue(list(requests), retry=True)


def _issue(requests: list[IssueRequest], *, retry: bool) -> list[IssueResult]:
    batch = Batch(requests)
    if not batch.todo:
        return batch.finish()
    try:
        with transaction.atomic():
            batch.compose()  # the slots are reserved inside this transaction: a rollback gives them back
            batch.sign(signing_processes())
            batch.insert()
    except IntegrityError:
        # another process inserted one of these idempotency keys meanwhile: nothing of ours committed
        if not retry or not any(c.result.request.idempotency_key for c in batch.todo):
            raise
        again = _issue([c.result.request for c in batch.todo], retry=False)
        for c, res in zip(batch.todo, again, strict=True):
            c.result.credential, c.result.error, c.result.existing = res.credential, res.error, res.existing
    return batch.finish()


class Batch:
    """A batch on its way through the stages of the one pipeline (decision 0066). ``issue_credentials``
    runs them in one transaction; the bulk job runs them apart so that two cores work (it composes and
    inserts one chunk while the next is signed in the signing processes):

    1. ``Batch(requests)`` checks (validation, idempotency keys, "already held", versions): reads only;
       ``todo`` is what is left to issue, ``results`` one result per request;
    2. ``compose(reserve)``: reserve the status slots of the requests that bring none — in the caller's
       transaction (``allocate_slots``), or by ``reserve`` — and compose the documents;
    3. ``sign(processes)``: start signing (and checking) them; ``wait()`` for the signatures;
    4. ``insert()`` inside the caller's transaction: credentials, events, audit and outbox rows;
    5. ``finish()``: the results, repeats of a key within the batch filled in.
    """

    def __init__(self, requests: Sequence[IssueRequest]) -> None:
        self.results: list[IssueResult] = []
        todo: list[Checked] = []
        for req in requests:
            try:
                checked = check(req)
            except ValidationError as exc:
                self.results.append(IssueResult(req, error=exc))
                continue
            self.results.append(checked.result)
            todo.append(checked)
        todo, self._repeats = _take_existing(todo)
        self.todo = refuse_held(todo)
        self._versions = load_versions(self.todo) if self.todo else {}
        self._groups: list[Group] = []

    def compose(self, reserve: Reserve | None = None) -> None:
        now = timezone.now().replace(microsecond=0)
        by_org: dict[int, list[Checked]] = {}
        for c in self.todo:
            org_id = self._versions[version_key(c.result.request)].achievement.organization_id
            by_org.setdefault(org_id, []).append(c)
        self._groups = [compose_group(group, self._versions, now, reserve) for group in by_org.values()]

    def sign(self, processes: int = 1) -> None:
        # the proof as a list: the strict JSON binding of Open Badges 3.0 (decision 0032); each
        # signature is checked before it is used (``wait`` raises otherwise, and nothing is inserted)
        for group in self._groups:
            group.signing = group.signer.submit(
                group.unsigned, created=group.now, as_list=True, processes=processes
            )
            group.unsigned = []

    def wait(self) -> None:
        for group in self._groups:
            assert group.signing is not None
            for credential, document in zip(group.credentials, group.signing.result(), strict=True):
                credential.document = document

    def cancel(self) -> None:
        for group in self._groups:
            if group.signing is not None:
                group.signing.cancel()

    def insert(self) -> None:
        self.wait()
        for group in self._groups:
            insert_group(group)

    def finish(self) -> list[IssueResult]:
        for first, later in self._repeats:
            later.result.credential, later.result.existing = first.result.credential, True
        return self.results


def _take_existing(todo: list[Checked]) -> tuple[list[Checked], list[tuple[Checked, Checked]]]:
    """Requests whose idempotency key was used before get that credential. Returns the requests left to
    issue, and the (first, repeat) pairs of a key repeated within the batch (the repeat gets the
    credential of the first once it is issued)."""
    keyed = [c for c in todo if c.result.request.idempotency_key]
    if not keyed:
        return todo, []
    orgs = {c.result.request.achievement.organization_id for c in keyed}
    keys = {c.result.request.idempotency_key for c in keyed}
    found = {
        (cred.organization_id, cred.idempotency_key): cred
        for cred in Credential.objects.filter(organization_id__in=orgs, idempotency_key__in=keys)
    }
    left: list[Checked] = []
    first: dict[tuple, Checked] = {}
    repeats: list[tuple[Checked, Checked]] = []
    for c in todo:
        req = c.result.request
        key = (req.achievement.organization_id, req.idempotency_key)
        if not req.idempotency_key:
            left.append(c)
        elif key in found:
            c.result.credential, c.result.existing = found[key], True
        elif key in first:
            repeats.append((first[key], c))
        else:
            first[key] = c
            left.append(c)
    return left, repeats
