"""gy_search_bigrams in PL/pgSQL, without the DISTINCT: the same index, built about twice as fast

Revision ID: 0034
Revises: 0031
Create Date: 2026-12-06 22:40:00

The bigram index (migration 0024) evaluates ``gy_search_bigrams`` once a row when it is built: the largest part of
a 10M-case seed's index time. The SQL version (``array_agg(DISTINCT substr(s, i, 2))`` over ``generate_series``)
runs a small query with a sort a row; a PL/pgSQL loop does the same in about a quarter of the time (50,327 demo
cases: 164 ms against 685 ms; the index built in 617 ms against 1,225 ms).

The new function may repeat a bigram (``井盖井盖`` gives ``井盖`` twice). GIN stores the distinct keys of each row
whatever the function returns, and the only use of the function is ``@> ARRAY[word]``, so the index built with
either function holds the same keys: the existing index stays valid and is not rebuilt (checked on the demo city:
the two functions give equal sets on every row). COST stays high for the planner's sake (see 0024).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0034"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOOP = """
CREATE OR REPLACE FUNCTION gy_search_bigrams(address text, description text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
DECLARE
  s text := lower(coalesce(address, '') || chr(31) || coalesce(description, ''));
  n int := char_length(s);
  out text[] := '{}';
BEGIN
  FOR i IN 1 .. n - 1 LOOP
    out := out || substr(s, i, 2);
  END LOOP;
  RETURN out;
END
$$
"""

_SQL = """
CREATE OR REPLACE FUNCTION gy_search_bigrams(address text, description text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
  FROM (SELECT lower(coalesce(address, '') || chr(31) || coalesce(description, '')) AS s) x,
       generate_series(1, char_length(s) - 1) AS i
$$
"""


def upgrade() -> None:
    op.execute(_LOOP)


def downgrade() -> None:
    op.execute(_SQL)
