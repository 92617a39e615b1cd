"""The case search's indexes (migration 0018): trigrams of ticket, address and description; bigrams of address
and description for two-character words; the reporter's phone by its digits; cases by reporter. The SQL
functions they index (``gy_search_text``, ``gy_search_bigrams``, ``gy_phone_digits``) are the migration's; the
queries that use them are :mod:`db.queries.case_search`'s."""

from __future__ import annotations

from sqlalchemy import Index, func

from db.models.case import Case
from db.models.people import Person

_case = Case.__table__
#: a reporter's cases newest first (the phone search's newest few per reporter; "my reports"); migration 0035
CASE_BY_REPORTER = Index(
    "ix_case_reporter_created", _case.c.reporter_id, _case.c.created_at.desc(), _case.c.id.desc()
)
CASE_TRIGRAMS = Index(
    "ix_case_search_trgm",
    func.gy_search_text(_case.c.ticket, _case.c.address, _case.c.description).label("doc"),
    postgresql_using="gin",
    postgresql_ops={"doc": "gin_trgm_ops"},
)
CASE_BIGRAMS = Index(
    "ix_case_search_bigram",
    func.gy_search_bigrams(_case.c.address, _case.c.description),
    postgresql_using="gin",
)
PERSON_PHONE_DIGITS = Index(
    "ix_person_phone_digits",
    func.gy_phone_digits(Person.__table__.c.phone).label("digits"),
    postgresql_using="gin",
    postgresql_ops={"digits": "gin_trgm_ops"},
)
