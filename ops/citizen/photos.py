"""Which stored photo may be served to whom, decided in one query:

- public (an approved photo of a public case of a public 小类, or of an approved 最美贵阳 post): anyone;
- any photo: staff who moderate (:func:`ops.policy.sees_any_photo`, as ``/media/staff/`` and the moderation screen);
- a photo of a case: staff who may see that case, by the policy table's ``MEDIA`` row (:func:`ops.policy.media_scope`: the command
  center everything, an officer their district, department staff their department);
- anything else (a post's photo waiting for approval, a case out of scope): nobody, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.media import photo_paths
from ops.policy import media_scope, sees_any_photo

_PHOTO = """
    SELECT p.sha256, p.mime,
           p.approved AND (
               (c.id IS NOT NULL AND c.public AND cat.public)
               OR (p.kind = 'beauty' AND EXISTS (
                   SELECT 1 FROM beauty_post b WHERE b.photo_id = p.id AND b.state = 'approved'))
           ) AS public,
           coalesce(c.id IS NOT NULL AND ({scope}), false) AS in_scope
      FROM photo p
      LEFT JOIN "case" c ON c.id = p.case_id
      LEFT JOIN category cat ON cat.code = c.category_code
     WHERE p.id = :id
    """


@dataclass(frozen=True, slots=True)
class PhotoFile:
    path: Path
    mime: str
    public: bool


def photo_file(
    conn: Connection, media_dir: Path, photo_id: int, viewer: StaffIdentity | None, *, thumb: bool
) -> PhotoFile | None:
    """The file of a photo (or its JPEG thumbnail) and whether it is public, if ``viewer`` (``None``: not signed
    in) may see it; ``None`` if there is no such photo or ``viewer`` may not see it (the two are not told apart,
    so ids do not leak). Paths come from the content hash, never from input."""
    scope = media_scope(viewer)
    row = conn.execute(
        text(_PHOTO.format(scope=scope.where("c"))), {**scope.params(), "id": photo_id}
    ).first()
    if row is None:
        return None
    moderates = viewer is not None and sees_any_photo(viewer.role)
    if not (row.public or moderates or row.in_scope):
        return None
    full, small = photo_paths(media_dir, row.sha256, row.mime)
    return PhotoFile(small if thumb else full, "image/jpeg" if thumb else row.mime, bool(row.public))
