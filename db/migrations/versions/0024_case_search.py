"""Case search on the workbench: pg_trgm over ticket, address and description; a bigram index for two-character
Chinese words; the reporter's phone by its digits

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 12:00:00.000000

Measured on a 200,000-case demo city (PostgreSQL 15, the project's cluster, LC_CTYPE C.UTF-8, where glibc calls
Chinese characters alphanumeric, so pg_trgm makes trigrams of them; in a plain ``C`` locale it makes none and
every Chinese search would read the whole index):

- ``gy_search_text``: ``lower(ticket ␟ address ␟ description)`` (␟ = U+001F, which no query contains, so a query
  never matches across two fields) with a ``gin_trgm_ops`` index: a 3+ character query (``1599``, ``中华北路``,
  ``gy260622-1009``) is a bitmap scan of its trigrams, under 1 ms for a rare word.
- A trigram index cannot serve a query of two characters (``%井盖%`` has no whole trigram: pg_trgm reads every
  entry of the index), and two-character Chinese words are common queries. ``gy_search_bigrams`` is the set of
  two-character substrings of ``lower(address ␟ description)`` with a plain GIN index on the array:
  ``@> ARRAY['井盖']`` is one key lookup (3 ms for 1,385 matches, newest 50). The function costs ~25 µs a row:
  its COST is high so the planner does not evaluate it row by row in a newest-first scan (it did, at the default
  COST: 4.4 s for a word in 0.7 % of the cases) when the index can answer; the query puts a cheap ``strpos`` of
  the same test before it for the common words, which the planner does read newest first.
- ``gy_phone_digits``: the digits of ``person.phone`` (``+86 138-0000-0001`` → ``8613800000001``), trigram
  indexed, and ``case.reporter_id`` indexed, for the phone search of the roles that may see contact data.

The extension is created here by the owner role (pg_trgm is a trusted extension); the app role only uses it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTIONS = (
    """
    CREATE FUNCTION gy_search_text(ticket text, address text, description text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT lower(coalesce(ticket, '') || chr(31) || coalesce(address, '') || chr(31) || coalesce(description, ''))
    $$
    """,
    """
    CREATE FUNCTION gy_search_bigrams(address text, description text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
      SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
      FROM (SELECT lower(coalesce(address, '') || chr(31) || coalesce(description, '')) AS s) x,
           generate_series(1, char_length(s) - 1) AS i
    $$
    """,
    """
    CREATE FUNCTION gy_phone_digits(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT regexp_replace(phone, '[^0-9]', '', 'g') $$
    """,
)
_INDEXES = (
    'CREATE INDEX ix_case_search_trgm ON "case" '
    "USING gin (gy_search_text(ticket, address, description) gin_trgm_ops)",
    'CREATE INDEX ix_case_search_bigram ON "case" USING gin (gy_search_bigrams(address, description))',
    "CREATE INDEX ix_person_phone_digits ON person USING gin (gy_phone_digits(phone) gin_trgm_ops)",
    # finer statistics of the indexed text: the planner's choice between the trigram index and the newest-first
    # scan rests on how often a word occurs
    "ALTER INDEX ix_case_search_trgm ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX ix_case_search_bigram ALTER COLUMN 1 SET STATISTICS 1000",
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in _FUNCTIONS:
        op.execute(sql)
    op.create_index("ix_case_reporter_id", "case", ["reporter_id"], unique=False)
    for sql in _INDEXES:
        op.execute(sql)
    op.execute('ANALYZE "case"')
    op.execute("ANALYZE person")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_person_phone_digits")
    op.execute("DROP INDEX IF EXISTS ix_case_search_bigram")
    op.execute("DROP INDEX IF EXISTS ix_case_search_trgm")
    op.drop_index("ix_case_reporter_id", table_name="case")
    op.execute("DROP FUNCTION IF EXISTS gy_phone_digits(text)")
    op.execute("DROP FUNCTION IF EXISTS gy_search_bigrams(text, text)")
    op.execute("DROP FUNCTION IF EXISTS gy_search_text(text, text, text)")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
