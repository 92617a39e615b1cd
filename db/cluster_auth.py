"""Who may connect to the project's own cluster, and as whom: generated passwords, pg_hba.conf, the roles.

Three roles, each with a generated password kept in a libpq password file of its own under ``var/pg/auth``
(directory 0700, files 0600, readable only by the OS user that runs the commands):

- the superuser (``postgres``): creates databases, the roles and the PostGIS extension; nothing else uses it;
- the owner role (``guiyang_owner``): runs the migrations and the admin commands, owns every table;
- the app role (``guiyang_app``): what ``serve`` and ``simulate`` connect as, with the grants of
  :mod:`db.privileges` only.

The server accepts only ``scram-sha-256`` on its Unix socket, whose directory only the cluster's OS user may
enter (0700). A cluster made by older code (``trust``, ``synchronous_commit = off``) is corrected in place by
:func:`secure` (``guiyang-ops db up`` and every command that starts the cluster run it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

HBA = """\
# guiyang-ops: only the cluster's Unix socket (directory mode 0700), every role with its password.
# TYPE  DATABASE  USER  METHOD
local   all       all   scram-sha-256
# streaming replication (a standby, pg_basebackup): the superuser only, also by password
local   replication  postgres  scram-sha-256
"""


def passfile(auth_dir: Path, user: str) -> Path:
    return auth_dir / f"{user}.pgpass"


def password(auth_dir: Path, user: str) -> str:
    """The role's password (the last field of its password file)."""
    return passfile(auth_dir, user).read_text(encoding="utf-8").strip().rsplit(":", 1)[1]


def ensure_passwords(auth_dir: Path, users: tuple[str, ...]) -> bool:
    """A password file for each role that has none (mode 0600 in a 0700 directory); True when one was made."""
    auth_dir.mkdir(parents=True, exist_ok=True)
    auth_dir.chmod(0o700)
    made = False
    for user in users:
        path = passfile(auth_dir, user)
        if not path.exists():
            # written aside and linked into place: a concurrent command sees no file or a whole one
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                # hostname:port:database:username:password (any socket, any database, this role only)
                fh.write(f"*:*:*:{user}:{secrets.token_urlsafe(32)}\n")
            try:
                os.link(tmp, path)
                made = True
            except FileExistsError:
                pass  # another command made it meanwhile: keep theirs
            finally:
                tmp.unlink()
        path.chmod(0o600)
    return made


def hba_is_current(hba_file: Path) -> bool:
    return hba_file.read_text(encoding="utf-8") == HBA


def roles_sql(auth_dir: Path, owner: str, app: str, superuser: str) -> str:
    """Idempotent SQL (run as the superuser) that sets every role's password and creates the two project roles:
    neither is a superuser, neither may create databases or roles, and the app role inherits nothing."""
    lines = [f"ALTER ROLE {superuser} PASSWORD '{password(auth_dir, superuser)}';"]
    for role, extra in ((owner, ""), (app, " NOINHERIT")):
        attrs = f"LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS{extra}"
        lines.append(
            "DO $$ BEGIN "  # nosec B608 # role names are constants of ours
            f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role}; END IF; "
            "END $$;"
        )
        lines.append(f"ALTER ROLE {role} {attrs} PASSWORD '{password(auth_dir, role)}';")
    # the product's writes are durable when acknowledged: no cluster-wide asynchronous commit (older clusters had it)
    lines.append("ALTER SYSTEM RESET synchronous_commit;")
    lines.append("SELECT pg_reload_conf();")
    return "\n".join(lines)


def adopt_sql(owner: str, dbname: str) -> str:
    """SQL (run as the superuser in one database) that hands the database, and every table, view, sequence,
    function and type of its ``public`` schema that an extension does not own, to the owner role: databases made
    by older code had everything owned by the superuser. Sequences of identity/serial columns follow their table."""
    return f"""
ALTER DATABASE "{dbname}" OWNER TO {owner};
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.oid::regclass::text AS name,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                          ELSE 'TABLE' END AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND c.relowner <> '{owner}'::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype IN ('e', 'a', 'i'))
     ORDER BY c.relkind = 'S'
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO {owner}', r.kind, r.name);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.proowner <> '{owner}'::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO {owner}', r.name);
  END LOOP;
  FOR r IN
    SELECT t.oid::regtype::text AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND t.typowner <> '{owner}'::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                        AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO {owner}', r.name);
  END LOOP;
END $$;
"""  # nosec B608 # owner and database names are our own checked identifiers
