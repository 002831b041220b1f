"""Readiness: can this process serve? Database, schema and the shared upload folder, each checked."""
import logging

from flask import current_app

from portal.db import db, own_connection

log = logging.getLogger("portal.health")

# The last answer of this worker process, so that a state change is logged once and not on every probe.
_last_failing: tuple | None = None


def _check_database_and_schema(checks: dict) -> str | None:
    """Fill in `database` and `migrations`; returns the upload folder id stored in the database."""
    from portal.schema import schema_state
    from portal.system import UPLOAD_FOLDER_ID, get_value
    try:
        with own_connection():
            db.execute_sql("SELECT 1").fetchone()
            checks["database"] = {"ok": True}
            state = schema_state()
            checks["migrations"] = {"ok": state.current, **({"detail": state.problem()} if not state.current else {})}
            row = get_value(UPLOAD_FOLDER_ID)
            return row.value if row else None
    except Exception as exc:  # any driver error means "not ready"; the probe must answer, not crash
        checks.setdefault("database", {"ok": False, "detail": f"{type(exc).__name__}: {str(exc).strip()[:200]}"})
        checks.setdefault("migrations", {"ok": False, "detail": "not checked: no database"})
        return None


def readiness() -> dict:
    """{"status": "ready" | "not ready", "checks": {name: {"ok": bool, "detail": str}}}."""
    from portal.uploads import folder_problem
    checks: dict = {}
    folder_id = _check_database_and_schema(checks)
    if checks["database"]["ok"]:
        problem = folder_problem(current_app.config["UPLOAD_DIR"], folder_id)
        checks["uploads"] = {"ok": not problem, **({"detail": problem} if problem else {})}
    else:
        checks["uploads"] = {"ok": False, "detail": "not checked: no database to compare the folder id with"}
    failing = tuple(name for name, check in checks.items() if not check["ok"])
    _log_change(failing, checks)
    return {"status": "not ready" if failing else "ready", "checks": checks}


def _log_change(failing: tuple, checks: dict) -> None:
    """One line when this process's readiness changes, never one per probe."""
    global _last_failing
    if failing == _last_failing:
        return
    _last_failing = failing
    if failing:
        details = "; ".join(f"{name}: {checks[name].get('detail', '')}" for name in failing)
        log.warning("Not ready: %s", details, extra={"event": "not_ready", "failing": list(failing)})
    else:
        log.info("Ready", extra={"event": "ready"})
