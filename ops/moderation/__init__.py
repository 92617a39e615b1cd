"""Moderation of the public layer: 最美贵阳 posts and public photos (approve / hide), service points (add, move,
edit, retire), and the citizens' post submission. Every change appends one ``moderation_log`` row (who, when,
what, before → after) in the same transaction; the caller owns the transaction (nothing here commits).

The moderation screen's reads live here too (staff only: never call them from a public page).

- :mod:`.base` the input checks every write shares (text limits, the reason, a point inside Guiyang);
- :mod:`.log` the append-only log (:func:`record`) and its latest rows;
- :mod:`.posts` 最美贵阳 posts: submission, approve / hide, the review queue;
- :mod:`.photos` report photos on the public map: show / hide, the review queue, previews' files;
- :mod:`.points` service points: add, move, edit, retire.
"""

from ops.moderation.base import MAX_REASON
from ops.moderation.log import LogRow, recent_log, record
from ops.moderation.photos import (
    PhotoFile,
    ReportPhotoRow,
    photo_file,
    report_photos_for_review,
    set_photo_public,
)
from ops.moderation.points import (
    POINT_FIELDS,
    add_service_point,
    edit_service_point,
    get_service_point,
    move_service_point,
    retire_service_point,
)
from ops.moderation.posts import (
    MAX_BODY,
    MAX_TITLE,
    POST_STATES,
    PostRow,
    posts_for_review,
    set_post_state,
    submit_beauty_post,
)

__all__ = [
    "MAX_BODY",
    "MAX_REASON",
    "MAX_TITLE",
    "POINT_FIELDS",
    "POST_STATES",
    "LogRow",
    "PhotoFile",
    "PostRow",
    "ReportPhotoRow",
    "add_service_point",
    "edit_service_point",
    "get_service_point",
    "move_service_point",
    "photo_file",
    "posts_for_review",
    "recent_log",
    "record",
    "report_photos_for_review",
    "retire_service_point",
    "set_photo_public",
    "set_post_state",
    "submit_beauty_post",
]
