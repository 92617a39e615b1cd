"""The 百姓拍 extensions of the Open311 API (JSON and XML like the rest), authenticated by ``api_key`` plus the
citizen's ``account_id``: verification tasks and answers (我来核实), points (积分), feedback (意见反馈), the
account (home for nearby tasks); and photos served with access control."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from dashboard import runtime
from dashboard.api.open311_formats import iso, language, output_format, render
from dashboard.api.open311_routing import Api, both
from dashboard.api.open311_schemas import (
    AccountSaved,
    FeedbackItem,
    FeedbackReceived,
    Points,
    Task,
    VerificationDone,
    errors_doc,
)
from db.masking import mask_public_text
from ops.citizen import points as pts
from ops.citizen import verification as ver
from ops.citizen.feedback import CitizenFeedback, feedback_of_person, submit_feedback
from ops.citizen.intake import to_wgs84
from ops.citizen.keys import check_key
from ops.citizen.persons import ReporterIdentity, person_for_reporter, register_account, registered_person
from ops.states import OPEN_STATUSES, PUBLIC_STAGE

BASE = "/open311/v2"
Fmt = Depends(output_format)
ACCOUNT = Query(..., max_length=64, description="The citizen's account in your app (registered).")
LOCALE = Query(None, description="zh or en (default: Accept-Language).")


def _task_dict(t: ver.Task, lang: str) -> dict[str, Any]:
    return {
        "task_id": t.id,
        "service_request_id": t.ticket,
        "service_code": t.service_code,
        "service_name": t.service_name_en if lang == "en" else t.service_name_zh,
        "lat": round(t.lat, 7),
        "long": round(t.lon, 7),
        "address": mask_public_text(t.address),  # free text of another citizen: masked like any public text
        "handled_datetime": iso(t.handled_at),
        "requested_datetime": iso(t.created_at),
    }


def add_routes(router: APIRouter, api: Api) -> None:
    async def tasks(
        request: Request,
        fmt: str = Fmt,
        api_key: str | None = Query(None),
        account_id: str = ACCOUNT,
        locale: str | None = LOCALE,
    ) -> Response:
        lang = language(request, locale, api.settings.default_lang)
        radius = api.cfg.verification_radius_m

        def work(c: Any) -> list[ver.Task]:
            check_key(c, api_key)
            return ver.tasks_for(c, registered_person(c, account_id), radius_m=radius)

        found = await runtime.awrite(work)
        return render([_task_dict(t, lang) for t in found], fmt, "tasks")

    async def answer(
        request: Request,
        task_id: int,
        media: Annotated[
            list[UploadFile], File(description="1 to GUIYANG_IMAGE_MAX_PHOTOS photos of the place now.")
        ],
        fmt: str = Fmt,
        api_key: str | None = Form(None),
        account_id: str = Form(..., max_length=64),
        result: Literal["confirmed", "refuted"] = Form(
            ..., description="confirmed: fixed; refuted: not fixed."
        ),
        note: str | None = Form(None, max_length=4000, description="Required when refuted."),
        locale: str | None = Form(None),
    ) -> Response:
        lang = language(request, locale, api.settings.default_lang)
        photos = await api.read_photos(media, api_key)

        def work(c: Any) -> ver.Answer:
            check_key(c, api_key)
            person = registered_person(c, account_id)
            return ver.answer(
                c,
                person,
                task_id,
                passed=result == "confirmed",
                note=note,
                photos=photos,
                media_dir=api.media_dir,
                max_photo_bytes=api.cfg.max_photo_bytes,
                limits=api.settings.image_limits(),
            )

        done = await runtime.awrite(work)
        zh, en = PUBLIC_STAGE[done.status]
        body = {
            "task_id": done.task_id,
            "service_request_id": done.ticket,
            "result": result,
            "status": "open" if done.status in OPEN_STATUSES else "closed",
            "status_notes": en if lang == "en" else zh,
            "points_awarded": done.points,
        }
        return render(body, fmt, "verification")

    async def points(
        request: Request, fmt: str = Fmt, api_key: str | None = Query(None), account_id: str = ACCOUNT
    ) -> Response:
        def work(c: Any) -> tuple[int, list[pts.LedgerEntry]]:
            check_key(c, api_key)
            person = registered_person(c, account_id)
            return pts.balance(c, person), pts.history(c, person)

        balance, entries = await runtime.aread(work)
        history = [
            {
                "points": e.points,
                "reason": e.reason,
                "service_request_id": e.ticket,
                "created_datetime": iso(e.created_at),
            }
            for e in entries
        ]
        return render({"balance": balance, "history": history}, fmt, "points")

    async def feedback(
        request: Request,
        fmt: str = Fmt,
        api_key: str | None = Form(None),
        text: str = Form(..., max_length=2000, description="意见反馈: what you think of the service."),
        account_id: str | None = Form(None, max_length=64),
    ) -> Response:
        def work(c: Any) -> int:
            key = check_key(c, api_key)
            person = person_for_reporter(c, ReporterIdentity(account_id=account_id)) if account_id else None
            return submit_feedback(c, text, person_id=person, api_key_id=key)

        return render({"feedback_id": await runtime.awrite(work)}, fmt, "feedback", 201)

    async def my_feedback(
        request: Request, fmt: str = Fmt, api_key: str | None = Query(None), account_id: str = ACCOUNT
    ) -> Response:
        def work(c: Any) -> list[CitizenFeedback]:
            check_key(c, api_key)
            return feedback_of_person(c, registered_person(c, account_id))

        items = [
            {
                "feedback_id": f.id,
                "text": f.text,
                "status": f.status,
                "answer": f.answer,
                "answered_datetime": iso(f.answered_at),
                "requested_datetime": iso(f.created_at),
            }
            for f in await runtime.aread(work)
        ]
        return render(items, fmt, "feedback_items")

    async def account(
        request: Request,
        fmt: str = Fmt,
        api_key: str | None = Form(None),
        account_id: str = Form(..., max_length=64),
        first_name: str | None = Form(None, max_length=40),
        last_name: str | None = Form(None, max_length=40),
        email: str | None = Form(None, max_length=160),
        phone: str | None = Form(None, max_length=32),
        home_lat: float | None = Form(
            None, ge=-90, le=90, description="Home, for verification tasks nearby."
        ),
        home_long: float | None = Form(None, ge=-180, le=180),
        coordinate_system: Literal["wgs84", "gcj02"] = Form("wgs84"),
    ) -> Response:
        home = None
        if home_lat is not None and home_long is not None:
            home = to_wgs84(home_long, home_lat, coordinate_system)
        identity = ReporterIdentity(account_id, email, phone, first_name, last_name)

        def work(c: Any) -> int:
            check_key(c, api_key)
            return register_account(c, identity, home=home)

        await runtime.awrite(work)
        body = {
            "registered": True,
            "home_set": home is not None,
            "verification_radius_m": api.cfg.verification_radius_m,
        }
        return render(body, fmt, "account")

    both(router, f"{BASE}/verifications", tasks, methods=["GET"], response_model=list[Task],
         responses=errors_doc(400, 403), summary="Extension: my verification tasks (我来核实)")  # fmt: skip
    both(router, f"{BASE}/verifications/{{task_id}}", answer, methods=["POST"], response_model=VerificationDone,
         responses=errors_doc(400, 403, 404),
         summary="Extension: confirm or refute a fix, with photos (multipart)")  # fmt: skip
    both(router, f"{BASE}/points", points, methods=["GET"], response_model=Points,
         responses=errors_doc(400, 403), summary="Extension: my points balance and history (积分)")  # fmt: skip
    both(router, f"{BASE}/feedback", feedback, methods=["POST"], status_code=201, response_model=FeedbackReceived,
         responses=errors_doc(400, 403), summary="Extension: feedback about the service (意见反馈)")  # fmt: skip
    both(router, f"{BASE}/feedback", my_feedback, methods=["GET"], response_model=list[FeedbackItem],
         responses=errors_doc(400, 403), summary="Extension: my feedback and the city's answers")  # fmt: skip
    both(router, f"{BASE}/account", account, methods=["POST"], response_model=AccountSaved,
         responses=errors_doc(400, 403), summary="Extension: register an account and its home")  # fmt: skip
