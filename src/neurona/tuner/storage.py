"""Where a study lives: an Optuna RDB storage (SQLite file by default, PostgreSQL for many
machines), opened the same way in the driver and in every worker.

SQLite serializes writers with a file lock, so the workers of one machine share the file
safely; the busy timeout makes a writer wait for the lock instead of failing.
"""

import os
import re

from .objectives import TunerError

__all__ = ["open_storage", "redact", "sqlite_url"]

_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?=@)",
                       re.IGNORECASE)


def redact(text):
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _PASSWORD.sub(lambda m: m.group("head") + "***", str(text))


def sqlite_url(path):
    """The storage URL of an SQLite file."""
    return "sqlite:///" + os.path.abspath(path)


def open_storage(url):
    """An ``optuna.storages.RDBStorage`` for ``url`` (``sqlite:///...``, ``postgresql://...``).

    Raises:
        TunerError: an unsupported scheme, a missing database driver, or a server that cannot
            be reached (the message never shows the password).
    """
    import optuna

    if not isinstance(url, str) or "://" not in url:
        raise TunerError(f"storage must be a database URL such as sqlite:///study.db or "
                         f"postgresql://user:password@host/db, got {redact(url)!r}")
    scheme = url.split("://", 1)[0].lower()
    if scheme.split("+")[0] not in ("sqlite", "postgresql", "postgres", "mysql"):
        raise TunerError(f"storage scheme {scheme!r} is not supported; use sqlite:///FILE or "
                         "postgresql://USER:PASSWORD@HOST/DB")
    engine_kwargs = {"connect_args": {"timeout": 120}} if scheme == "sqlite" else \
        {"pool_pre_ping": True}
    _check_driver(url)
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
    except Exception as err:  # noqa: BLE001 - SQLAlchemy raises many kinds; say which URL
        reason = redact(" ".join(str(err).split()))[:300]
        raise TunerError(f"cannot open the study storage {redact(url)}: {reason}") from None


def _check_driver(url):
    """A clear error when the database's Python driver is not installed."""
    import sqlalchemy

    try:
        sqlalchemy.engine.make_url(url).get_dialect().import_dbapi()
    except ImportError as err:
        package = {"psycopg": "'psycopg[binary]'", "psycopg2": "psycopg2-binary"}.get(
            err.name, err.name)
        raise TunerError(f"the storage {redact(url)} needs the database driver {err.name!r}: "
                         f"pip install {package}") from None
    except sqlalchemy.exc.ArgumentError as err:
        raise TunerError(f"storage {redact(url)} is not a valid database URL: {err}") from None
