"""Background jobs: where a 202 points (`Location`), followed until the job is done."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, Security
from fastapi.responses import JSONResponse

from accounts.models import Account
from api.deps import SessionDep, SettingsDep, api_key_header, get_current_account, oauth2_scheme
from exports import api_keys
from jobs import service
from jobs.models import Job
from jobs.schemas import JobView

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

POLL_AFTER_S = 1  # Retry-After on a job not finished yet: when to look again


def job_caller(db: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)],
               api_key: Annotated[str | None, Security(api_key_header)]) -> Account:
    """Whoever may own a job: any logged-in account, or an exporter's API key (snapshots)."""
    if api_key:
        return api_keys.account_for_key(db, api_key)
    return get_current_account(db, settings, token)


def accepted(job: Job, *, created: bool = True) -> JSONResponse:
    """202 for work handed to the queue, 200 for a repeat of a request already queued; either way
    the job, with its URL in `Location`."""
    return JSONResponse(service.job_view(job), status_code=202 if created else 200,
                        headers={"Location": service.job_url(job.id), "Retry-After": str(POLL_AFTER_S)})


@router.get("/{job_id}", response_model=JobView,
            responses={404: {"description": "No such job (job_not_found)"},
                       403: {"description": "Another account's job (job_not_yours); staff may see any"}})
def get_job(job_id: uuid.UUID, response: Response, db: SessionDep,
            caller: Annotated[Account, Depends(job_caller)]) -> dict[str, Any]:
    """A job: queued, running (with progress), succeeded (its result and result_url) or failed
    (the error, in Korean and English). Only its owner and staff (moderator, admin) see it."""
    job = service.job_for(db, job_id=job_id, account_id=caller.id, role=caller.role)
    if job.status in ("queued", "running"):
        response.headers["Retry-After"] = str(POLL_AFTER_S)
    return service.job_view(job)
