"""Which stored photo may be served to whom: public = an approved photo of a public case of a public 小类, or
of an approved 最美贵阳 post; anything else only to signed-in staff."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from db.media import photo_paths

_PHOTO = text(
    """
    SELECT p.sha256, p.mime,
           p.approved AND (
               (c.id IS NOT NULL AND c.public AND cat.public)
               OR (p.kind = 'beauty' AND EXISTS (
                   SELECT 1 FROM beauty_post b WHERE b.photo_id = p.id AND b.state = 'approved'))
           ) AS public
      FROM photo p
      LEFT JOIN "case" c ON c.id = p.case_id
      LEFT JOIN category cat ON cat.code = c.category_code
     WHERE p.id = :id
    """
)


@dataclass(frozen=True, slots=True)
class PhotoFile:
    path: Path
    mime: str
    public: bool


def photo_file(conn: Connection, media_dir: Path, photo_id: int, *, thumb: bool) -> PhotoFile | None:
    """The file of a photo (or its JPEG thumbnail) and whether it is public; ``None`` if there is no such
    photo. Paths come from the content hash, never from input."""
    row = conn.execute(_PHOTO, {"id": photo_id}).first()
    if row is None:
        return None
    full, small = photo_paths(media_dir, row.sha256, row.mime)
    return PhotoFile(small if thumb else full, "image/jpeg" if thumb else row.mime, bool(row.public))
