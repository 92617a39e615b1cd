"""Which database the app and the commands use, and as which role.

The app (``serve``, ``simulate``) connects as the **app role**: no superuser, owns nothing, only the grants of
:mod:`db.privileges`. Migrations and the admin commands (setup, migrate, load-reference, import-layer, seed-demo,
user and API-key creation) connect as the **owner role**, which owns the tables.

- Project's own cluster (``DATABASE_URL`` unset): ``guiyang_app`` and ``guiyang_owner``, each with a generated
  password under ``var/pg/auth``.
- An external server: ``DATABASE_URL`` is the app role's URL; ``GUIYANG_OWNER_DATABASE_URL`` the owner role's
  (unset: the admin commands use ``DATABASE_URL`` too, i.e. one role for everything, and no grants are applied).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import make_url

from dashboard.settings import Settings
from db.cluster import LocalCluster
from db.engine import normalize_url
from db.replica import Replica, standby_of

Role = Literal["app", "owner"]


def local_cluster(settings: Settings) -> LocalCluster:
    return LocalCluster(settings.var_dir / "pg", port=settings.pg_port, backup_dir=settings.backup_dir)


def _with_database(url: str, dbname: str | None) -> str:
    url = normalize_url(url)
    if dbname:
        url = make_url(url).set(database=dbname).render_as_string(hide_password=False)
    return url


def database_url(
    settings: Settings, *, dbname: str | None = None, ensure: bool = True, role: Role = "app"
) -> str:
    """The URL of the database in use as ``role``; with ``ensure`` the local cluster is created, started and
    secured on demand and the database created."""
    if settings.database_url:
        chosen = settings.owner_database_url if role == "owner" else None
        return _with_database(chosen or settings.database_url, dbname)
    cluster = local_cluster(settings)
    name = dbname or settings.database_name
    if ensure:
        cluster.up()
        cluster.ensure_database(name)  # a database made by older code is handed over and granted here
    return cluster.url(name, cluster.owner if role == "owner" else cluster.app)


def app_role(settings: Settings) -> str | None:
    """The role the app connects as, to receive the grants; None when the app and the owner are one role (an
    external server without ``GUIYANG_OWNER_DATABASE_URL``)."""
    if not settings.database_url:
        return local_cluster(settings).app
    if not settings.owner_database_url:
        return None
    app = make_url(normalize_url(settings.database_url)).username
    owner = make_url(normalize_url(settings.owner_database_url)).username
    return app if app and app != owner else None


def local_replica(settings: Settings) -> Replica:
    """The project's cluster's streaming standby (``guiyang-ops db replica``), ``var/pg-replica``."""
    return Replica(primary := local_cluster(settings), standby_of(primary))


def read_database_url(settings: Settings) -> str | None:
    """The read replica's URL (the app role's): ``GUIYANG_READ_DATABASE_URL``, or with ``GUIYANG_READ_REPLICA=local``
    the project's own standby; None: views read from the primary."""
    if settings.read_database_url:
        return _with_database(settings.read_database_url, None)
    if settings.read_replica == "local" and not settings.database_url:
        return local_replica(settings).url(settings.database_name)
    return None
