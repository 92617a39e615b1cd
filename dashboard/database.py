"""Which database the app and the commands use: ``DATABASE_URL`` if set, else the project's own cluster."""

from __future__ import annotations

from dashboard.settings import Settings
from db.cluster import LocalCluster
from db.engine import normalize_url


def local_cluster(settings: Settings) -> LocalCluster:
    return LocalCluster(settings.var_dir / "pg", port=settings.pg_port)


def database_url(settings: Settings, *, dbname: str | None = None, ensure: bool = True) -> str:
    """The URL of the database in use; with ``ensure`` the local cluster is created and started on demand."""
    if settings.database_url:
        url = normalize_url(settings.database_url)
        if dbname:
            from sqlalchemy.engine import make_url

            url = make_url(url).set(database=dbname).render_as_string(hide_password=False)
        return url
    cluster = local_cluster(settings)
    name = dbname or settings.database_name
    if ensure:
        cluster.init()
        cluster.start()
        cluster.ensure_database(name)
    return cluster.url(name)
