"""Python client for the independent verifier (``interop/verify-server.mjs``).

The server is Digital Bazaar's ``@digitalbazaar/vc`` behind a line-delimited JSON
protocol: one request per line on stdin, one response per line on stdout, the first
line being ``{"ready": true, "versions": {...}}``. A :class:`NodeVerifier` keeps one
Node process for many requests, so hypothesis can send hundreds of examples without
paying Node's start-up each time.

Robustness: stdout and stderr are drained by reader threads (a chatty stderr can never
block the server); every wait has a timeout; when the process dies or hangs, the error
raised carries its exit code and the tail of its stderr, and the next call starts a
fresh process.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
INTEROP_DIR = REPO_ROOT / "interop"
SERVER = INTEROP_DIR / "verify-server.mjs"

_EOF = object()


class NodeVerifierError(RuntimeError):
    """The Node process could not answer (did not start, crashed, hung, spoke garbage)."""


class NodeVerifier:
    """A running ``node interop/verify-server.mjs``.

    >>> with NodeVerifier() as v:
    ...     v.verify(credential, documents={did: did_doc}, check_status=True)
    """

    def __init__(
        self,
        node: str = "node",
        server: Path | str = SERVER,
        timeout: float = 60.0,
        start_timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.node = node
        self.server = Path(server)
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.env = env
        self.versions: dict[str, Any] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[object] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stderr_thread: threading.Thread | None = None
        self.start()

    # ------------------------------------------------------------ process
    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._lines = queue.Queue()
        self._stderr = collections.deque(maxlen=200)
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("NODE_OPTIONS", "")
        try:
            self._proc = subprocess.Popen(
                [self.node, str(self.server)],
                cwd=str(self.server.parent),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            raise NodeVerifierError(f"cannot start {self.node} {self.server}: {exc}") from exc
        proc = self._proc
        threading.Thread(target=self._read_stdout, args=(proc, self._lines), daemon=True).start()
        self._stderr_thread = threading.Thread(
            target=self._read_stderr, args=(proc, self._stderr), daemon=True
        )
        self._stderr_thread.start()
        ready = self._next_line(self.start_timeout, "start")
        if not ready.get("ready"):
            self._kill()
            raise NodeVerifierError(f"unexpected first line from the verifier: {ready!r}")
        self.versions = ready.get("versions", {})

    @staticmethod
    def _read_stdout(proc: subprocess.Popen[bytes], lines: queue.Queue[object]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw)
        lines.put(_EOF)

    @staticmethod
    def _read_stderr(proc: subprocess.Popen[bytes], sink: collections.deque[str]) -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            sink.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stderr_tail(self, n: int = 40) -> str:
        return "\n".join(list(self._stderr)[-n:])

    def _describe_death(self, what: str) -> str:
        code = None
        if self._proc is not None:
            try:
                code = self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = "still running"
            else:
                if self._stderr_thread is not None:
                    self._stderr_thread.join(timeout=2)  # let the last words of stderr arrive
        return f"verifier {what}; exit code {code}; stderr:\n{self.stderr_tail()}"

    def _next_line(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            item = self._lines.get(timeout=timeout)
        except queue.Empty:
            message = self._describe_death(f"gave no answer within {timeout:.0f}s ({what})")
            self._kill()
            raise NodeVerifierError(message) from None
        if item is _EOF:
            message = self._describe_death(f"closed its output ({what})")
            self._kill()
            raise NodeVerifierError(message)
        assert isinstance(item, bytes)
        try:
            return json.loads(item.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._kill()
            raise NodeVerifierError(f"verifier wrote a non-JSON line {item[:200]!r}: {exc}") from exc

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def close(self) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the server exits when its input ends
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._kill()

    def __enter__(self) -> NodeVerifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ requests
    def request(self, payload: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send one raw request object; return the response (same ``id``)."""
        with self._lock:
            self.start()  # restarts after a crash or a time-out
            request_id = next(self._ids)
            payload = {**payload, "id": request_id}
            # ensure_ascii: the line is pure ASCII, so no character in a credential
            # (U+2028, NEL, control characters) can be taken for a line break.
            line = json.dumps(payload, ensure_ascii=True, separators=(",", ":")) + "\n"
            proc = self._proc
            assert proc is not None and proc.stdin is not None
            try:
                proc.stdin.write(line.encode("ascii"))
                proc.stdin.flush()
            except OSError as exc:
                message = self._describe_death(f"refused input ({exc})")
                self._kill()
                raise NodeVerifierError(message) from exc
            response = self._next_line(self.timeout if timeout is None else timeout, "verify")
            if response.get("id") != request_id:
                self._kill()
                raise NodeVerifierError(
                    f"response id {response.get('id')!r} does not match request id {request_id}"
                )
            return response

    def verify(
        self,
        credential: dict[str, Any],
        documents: dict[str, Any] | None = None,
        check_status: bool = False,
        now: str | None = None,
        *,
        controller: dict[str, Any] | None = None,
        verify_matching_issuers: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Verify ``credential`` with Digital Bazaar's library.

        ``documents`` maps URLs / DIDs to the documents the loader may serve (did:web DID
        documents, status list credentials, controller documents); nothing is ever
        fetched. Returns the server's response: ``verified``, ``valid``, ``errors``,
        ``proofs``, ``statusResult`` and, with ``check_status``, ``revoked`` /
        ``suspended``.
        """
        payload: dict[str, Any] = {
            "credential": credential,
            "documents": documents or {},
            "checkStatus": bool(check_status),
        }
        if now is not None:
            payload["now"] = now
        if controller is not None:
            payload["controller"] = controller
        if not verify_matching_issuers:
            payload["verifyMatchingIssuers"] = False
        return self.request(payload, timeout=timeout)

    def canonize(self, documents: list[dict[str, Any]], timeout: float | None = None) -> list[str | None]:
        """Canonical N-Quads of each document as Digital Bazaar's eddsa-rdfc-2022 cryptosuite computes
        them before hashing (jsonld.js safe mode, RDFC-1.0); None where jsonld.js refuses the document."""
        response = self.request({"canonize": documents}, timeout=timeout)
        return [item.get("nquads") for item in response["canonical"]]

    def verifier_core(
        self,
        credential: dict[str, Any],
        served: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Verify ``credential`` with DCC's ``@digitalcredentials/verifier-core`` (the Learner Credential
        Wallet's verifier), as it runs: it resolves did:web and fetches status lists itself, over HTTP to
        loopback hosts only (so the test serves them from its live server). ``served`` maps other URLs
        (1EdTech's JSON schemas, which it fetches for its schema check) to their documents.

        Returns ``valid`` (no fatal error and every step but ``registered_issuer`` passed),
        ``signatureValid``, ``revoked``, ``suspended``, ``errors`` and the raw ``verifierCore``
        ``{fatal, log, schema}``.
        """
        return self.request(
            {"verifierCore": True, "credential": credential, "served": served or {}}, timeout=timeout
        )
