"""Who may write (upload, roll back) and what may come in. No Streamlit here: the page passes in
the configured password and the address the server listens on, so every rule is testable.

Rules
- When an uploader password is configured (env PERFDASH_UPLOAD_PASSWORD, or `upload_password`
  in .streamlit/secrets.toml), writing needs it. It is compared in constant time.
- Without a password, writing is allowed only while the server listens on localhost only
  (`make run` binds 127.0.0.1): then only someone at this machine can reach the page.
- Repeated wrong passwords slow down: after FREE_ATTEMPTS failures a session must wait
  2, 4, 8 … seconds (at most MAX_DELAY) before the next try; the same holds process-wide
  (over all sessions) so opening new sessions does not help a guesser.
"""
from __future__ import annotations

import hashlib
import re
import hmac
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from perfdash import ingest

PASSWORD_ENV = "PERFDASH_UPLOAD_PASSWORD"
MAX_UPLOAD_MB_ENV = "PERFDASH_MAX_UPLOAD_MB"
MAX_UPLOAD_ROWS_ENV = "PERFDASH_MAX_UPLOAD_ROWS"
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

HOW_TO_CONFIGURE = (
    "设置上传密码的方法：启动前设置环境变量 PERFDASH_UPLOAD_PASSWORD，"
    "或在 .streamlit/secrets.toml 中写入 upload_password = \"…\"，然后重启仪表板。"
)


# -- the password ------------------------------------------------------------------------


def configured_password(environ: Mapping[str, str] | None = None, secret: str | None = None) -> str | None:
    """The uploader password: the environment wins over secrets.toml; blank means none."""
    environ = os.environ if environ is None else environ
    for candidate in (environ.get(PASSWORD_ENV), secret):
        if candidate is not None and str(candidate) != "":
            return str(candidate)
    return None


def password_matches(candidate: str | None, expected: str) -> bool:
    """Constant-time comparison (of digests, so the length does not leak either)."""
    given = hashlib.sha256((candidate or "").encode("utf-8")).digest()
    wanted = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(given, wanted)


def is_local_address(address: str | None) -> bool:
    """True when the server listens on the loopback interface only.

    An empty / unset server.address means Streamlit listens on every interface: not local.
    """
    return bool(address) and address.strip().lower() in LOCAL_ADDRESSES


@dataclass(frozen=True)
class WriteAccess:
    allowed: bool            # writing possible at all (with or without a password)
    needs_password: bool     # a password is configured and must be given
    message: str             # what to tell the user (Chinese)


def write_access(password: str | None, server_address: str | None) -> WriteAccess:
    if password:
        return WriteAccess(True, True, "导入和回滚需要输入上传密码。")
    if is_local_address(server_address):
        return WriteAccess(True, False,
                           "未设置上传密码：仪表板只在本机（127.0.0.1）提供服务，因此允许在本机导入。"
                           + HOW_TO_CONFIGURE)
    return WriteAccess(False, False,
                       "未设置上传密码，而仪表板对网络开放，因此本页不提供导入和回滚。" + HOW_TO_CONFIGURE)


# -- slowing down guessers ----------------------------------------------------------------

FREE_ATTEMPTS = 3
BASE_DELAY = 2.0
MAX_DELAY = 300.0
GLOBAL_FREE_ATTEMPTS = 10     # over all sessions
FORGET_AFTER = 3600.0         # failures older than this (seconds) are forgotten


def backoff_delay(failures: int, free: int = FREE_ATTEMPTS) -> float:
    """Seconds to wait after `failures` consecutive failures: 0, …, 0, 2, 4, 8, … ≤ MAX_DELAY."""
    if failures < free:
        return 0.0
    return min(BASE_DELAY * 2 ** (failures - free), MAX_DELAY)


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0


class Throttle:
    """Failure counts per session and for the whole process; thread-safe; clock injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, _Record] = {}
        self._global = _Record()

    def _fresh(self, record: _Record, now: float) -> _Record:
        if record.failures and now - record.last > FORGET_AFTER:
            record.failures = 0
        return record

    def wait_seconds(self, session: str) -> float:
        """How long this session must still wait before it may try again (0 = may try now)."""
        now = self.clock()
        with self._lock:
            own = self._fresh(self._sessions.setdefault(session, _Record()), now)
            every = self._fresh(self._global, now)
            waits = [
                own.last + backoff_delay(own.failures) - now,
                every.last + backoff_delay(every.failures, GLOBAL_FREE_ATTEMPTS) - now,
            ]
        return max(0.0, *waits)

    def failure(self, session: str) -> None:
        now = self.clock()
        with self._lock:
            for record in (self._sessions.setdefault(session, _Record()), self._global):
                self._fresh(record, now)
                record.failures += 1
                record.last = now

    def success(self, session: str) -> None:
        with self._lock:
            self._sessions.pop(session, None)

    def failures(self, session: str | None = None) -> int:
        with self._lock:
            record = self._global if session is None else self._sessions.get(session, _Record())
            return record.failures


THROTTLE = Throttle()   # process-wide: every Streamlit session of this server shares it


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    wait_seconds: float = 0.0


def check_password(candidate: str | None, expected: str, session: str,
                   throttle: Throttle | None = None) -> CheckResult:
    """Verify a password attempt, honouring and updating the backoff."""
    throttle = throttle or THROTTLE
    wait = throttle.wait_seconds(session)
    if wait > 0:
        return CheckResult(False, f"密码错误次数过多，请 {wait:.0f} 秒后再试。", wait)
    if password_matches(candidate, expected):
        throttle.success(session)
        return CheckResult(True, "密码正确，已允许导入和回滚。")
    throttle.failure(session)
    wait = throttle.wait_seconds(session)
    extra = f"请 {wait:.0f} 秒后再试。" if wait > 0 else "请重试。"
    return CheckResult(False, "上传密码不正确，" + extra, wait)


# -- limits on what comes in -------------------------------------------------------------


class LimitsError(ValueError):
    pass


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise LimitsError(f"环境变量 {name} 应为正数，而不是「{raw}」") from None
    if not value > 0:
        raise LimitsError(f"环境变量 {name} 应为正数，而不是「{raw}」")
    return value


def upload_limits(environ: Mapping[str, str] | None = None) -> ingest.Limits:
    """The size and row caps for uploads: PERFDASH_MAX_UPLOAD_MB (default 20) and
    PERFDASH_MAX_UPLOAD_ROWS (default ingest's); the XLSX uncompressed cap stays ingest's."""
    environ = os.environ if environ is None else environ
    defaults = ingest.Limits()
    mb = _positive(environ, MAX_UPLOAD_MB_ENV, defaults.max_bytes / 1024 / 1024)
    rows = _positive(environ, MAX_UPLOAD_ROWS_ENV, defaults.max_rows)
    return ingest.Limits(max_bytes=int(mb * 1024 * 1024), max_rows=int(rows),
                         max_xlsx_uncompressed=defaults.max_xlsx_uncompressed)


# -- the unlocked state of a session ------------------------------------------------------


def token_for(password: str) -> str:
    """What a session keeps after a correct password: a digest, not the password itself."""
    return hashlib.sha256(b"perfdash-upload\0" + password.encode("utf-8")).hexdigest()


def token_valid(token: str | None, password: str | None) -> bool:
    """True while the password that unlocked the session is still the configured one."""
    if not token or not password:
        return False
    return hmac.compare_digest(token.encode("ascii", "replace"), token_for(password).encode("ascii"))


# -- data shown in Markdown ---------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'])")


def markdown_literal(text) -> str:
    """Data text (a unit, project or region name) to put inside st.markdown / st.caption / alert
    text so that it shows exactly as written: every Markdown, HTML, LaTeX ($) and Streamlit
    directive character (`:material/…:`, `:red[…]`) is backslash-escaped, and icons and bare links
    are broken up with an invisible word joiner. Prefer st.text or a table for data; use this
    where a sentence must mix data with formatting."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
    # Streamlit turns `:material/name:` into an icon and GFM turns bare URLs into links even
    # when escaped; an invisible word joiner (U+2060) after each colon and in "www." stops both.
    return escaped.replace(":", ":\u2060").replace("www\\.", "www\u2060\\.")
