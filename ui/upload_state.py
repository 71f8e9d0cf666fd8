"""The 数据导入 page's st.session_state, in one place: its UploadSession (check → preview →
confirm, rollback steps), the unlock token, the session id the password throttle counts by,
and the rollback widgets cleared after a rollback. Also who may write: the password comes
from the environment or .streamlit/secrets.toml, the rule from perfdash.security.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import streamlit as st

from perfdash import security
from perfdash.ingest.session import UploadSession

SESSION_KEY = "_upload_state"          # the UploadSession
TOKEN_KEY = "_upload_token"            # security.token_for(password) once the password was given
THROTTLE_ID_KEY = "_upload_session"    # a random id: wrong passwords are counted per session
ROLLBACK_BATCH_KEY = "rollback_batch"  # the rollback widgets, reset after a rollback
ROLLBACK_ACK_KEY = "rollback_ack"


def session() -> UploadSession:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = UploadSession()
    return st.session_state[SESSION_KEY]


def forget_rollback_widgets() -> None:
    for key in (ROLLBACK_ACK_KEY, ROLLBACK_BATCH_KEY):
        st.session_state.pop(key, None)


# -- who may write -----------------------------------------------------------------------


def _secret_password() -> tuple[str | None, bool]:
    """(upload_password from secrets.toml or None, whether a secrets file exists but is unreadable)."""
    try:
        value = st.secrets.get("upload_password")
    except FileNotFoundError:   # no secrets file (StreamlitSecretNotFoundError), or unparsable
        broken = any(Path(p).is_file() for p in st.get_option("secrets.files"))
        return None, broken
    return (str(value) if value is not None else None), False


def _session_id() -> str:
    if THROTTLE_ID_KEY not in st.session_state:
        st.session_state[THROTTLE_ID_KEY] = uuid.uuid4().hex
    return st.session_state[THROTTLE_ID_KEY]


def access() -> tuple[security.WriteAccess, str | None]:
    secret, broken = _secret_password()
    password = security.configured_password(secret=secret)
    if broken and password is None:
        return security.WriteAccess(False, False, ".streamlit/secrets.toml 无法解析，为安全起见本页不提供导入和回滚。"
                                    "请修正该文件后重启仪表板。"), None
    return security.write_access(password, st.get_option("server.address")), password


def may_write(access: security.WriteAccess, password: str | None) -> bool:
    """Checked again right before every write, not only when the controls are drawn."""
    if not access.allowed:
        return False
    if not access.needs_password:
        return True
    return security.token_valid(st.session_state.get(TOKEN_KEY), password)


def may_write_now() -> bool:
    """may_write with the access as configured at this moment (the password may have changed)."""
    return may_write(*access())


def unlock(entered: str, password: str) -> security.CheckResult:
    """Check a password typed on the page; the right one unlocks writing for this session."""
    result = security.check_password(entered, password, _session_id())
    if result.ok:
        st.session_state[TOKEN_KEY] = security.token_for(password)
    return result


def lock() -> None:
    st.session_state.pop(TOKEN_KEY, None)
