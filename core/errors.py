"""Domain errors: values with a machine code and per-field messages in Korean and English.

One catalogue (`CATALOGUE`, after ODK Central's problem table): every error code with its HTTP
status and its Korean and English message, written once. Domain code raises by code:

    raise fail("report_not_found")
    raise fail("invalid_report", field_error("place.name", "…", "…"))
    raise fail("photo_too_large", max_mb=15)          # placeholders in the messages

`api.errors` maps every DomainError once to the HTTP error shape. No HTTPException is raised
inside domain code (STYLE.md habit 8). Field messages (`field_error`) say what is wrong with one
field; they stay beside the rule that checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    path: str
    message_ko: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message_ko": self.message_ko, "message_en": self.message_en}


@dataclass
class DomainError(Exception):
    code: str
    message_ko: str
    message_en: str
    fields: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    status = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


class BadRequest(DomainError):
    """The body cannot be read at all (malformed JSON) (HTTP 400)."""
    status = 400


class Unauthorised(DomainError):
    """No or bad credentials (HTTP 401)."""
    status = 401


class Forbidden(DomainError):
    """The caller is known but may not do this (HTTP 403)."""
    status = 403


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists (HTTP 404)."""
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (HTTP 409)."""
    status = 409


class TooLarge(DomainError):
    """The body or file is over the limit (HTTP 413)."""
    status = 413


class UnsupportedMedia(DomainError):
    """The content type is not one we accept (HTTP 415)."""
    status = 415


class ValidationFailed(DomainError):
    """The input is malformed or breaks a rule (HTTP 422)."""
    status = 422


class TooManyRequests(DomainError):
    """A rate or concurrency limit was hit (HTTP 429, with Retry-After)."""
    status = 429


class Unavailable(DomainError):
    """A dependency (the database) is down for a moment (HTTP 503, with Retry-After)."""
    status = 503


_KIND_BY_STATUS: dict[int, type[DomainError]] = {
    cls.status: cls for cls in (BadRequest, Unauthorised, Forbidden, NotFound, Conflict, TooLarge,
                                UnsupportedMedia, ValidationFailed, TooManyRequests, Unavailable)
}


@dataclass(frozen=True)
class Problem:
    status: int
    ko: str
    en: str


# code → status, Korean, English. Messages may hold {placeholders} filled by fail(**params).
CATALOGUE: dict[str, Problem] = {
    # requests in general
    "malformed_json": Problem(400, "JSON 형식이 올바르지 않습니다.", "The body is not valid JSON."),
    "unreadable_body": Problem(400, "요청 본문을 읽을 수 없습니다 (형식 오류이거나 너무 깊게 중첩됨).",
                               "The request body cannot be read (malformed, or nested too deeply)."),
    "json_too_deep": Problem(400, "JSON이 너무 깊게 중첩되어 있습니다 (최대 {max_depth}단계).",
                             "The JSON is nested too deeply (at most {max_depth} levels)."),
    "invalid_request": Problem(422, "입력값에 고칠 곳이 있습니다.", "Some input needs fixing."),
    "invalid_query": Problem(422, "검색 조건에 고칠 곳이 있습니다.", "Some query parameters need fixing."),
    "not_found": Problem(404, "찾을 수 없습니다.", "Not found."),
    "method_not_allowed": Problem(405, "허용되지 않는 요청 방식입니다.", "Method not allowed."),
    "body_too_large": Problem(413, "요청이 너무 큽니다 (최대 {limit:,} 바이트).",
                              "The request body is too large (at most {limit:,} bytes)."),
    "rate_limited": Problem(429, "요청이 너무 많습니다. {retry_after}초 뒤에 다시 해 주세요.",
                            "Too many requests. Try again in {retry_after} s."),
    "server_busy": Problem(503, "요청이 몰려 있습니다. {retry_after}초 뒤에 다시 해 주세요.",
                           "The server is busy. Try again in {retry_after} s."),
    "database_unavailable": Problem(503, "잠시 서비스를 쓸 수 없습니다. 조금 뒤에 다시 해 주세요. 보낸 내용은 저장되지 않았습니다.",
                                    "The service is briefly unavailable. Try again shortly; nothing was stored."),
    # login and roles
    "unauthorised": Problem(401, "로그인이 필요합니다.", "Login required."),
    "invalid_token": Problem(401, "로그인이 만료되었거나 올바르지 않습니다. 다시 로그인해 주세요.",
                             "The login has expired or is invalid. Log in again."),
    "account_unusable": Problem(401, "계정을 사용할 수 없습니다.", "The account is not usable."),
    "bad_credentials": Problem(401, "닉네임 또는 비밀번호가 맞지 않습니다.", "Wrong nickname or password."),
    "forbidden_role": Problem(403, "이 기능을 쓸 권한이 없습니다 (필요한 역할: {roles}).", "This needs the role: {roles}."),
    "invalid_api_key": Problem(401, "API 키가 올바르지 않거나 폐기되었습니다.", "The API key is invalid or revoked."),
    # accounts and organisations
    "invalid_nickname": Problem(422, "닉네임을 확인해 주세요.", "Check the nickname."),
    "invalid_password": Problem(422, "비밀번호를 확인해 주세요.", "Check the password."),
    "invalid_role": Problem(422, "알 수 없는 역할입니다.", "Unknown role."),
    "invalid_age_band": Problem(422, "연령대를 확인해 주세요.", "Check the age band."),
    "unknown_organisation": Problem(422, "단체 코드를 찾을 수 없습니다.", "Organisation code not found."),
    "nickname_taken": Problem(409, "이미 쓰이는 닉네임입니다.", "That nickname is taken."),
    "organisation_exists": Problem(409, "이미 있는 단체 코드입니다.", "That organisation code exists."),
    "account_not_found": Problem(404, "계정을 찾을 수 없습니다.", "Account not found."),
    "account_deactivated": Problem(401, "사용이 중지된 계정입니다. 운영 사무국에 문의해 주세요.",
                                   "This account is deactivated. Ask the programme office."),
    "cannot_deactivate_self": Problem(409, "자기 계정은 사용 중지할 수 없습니다.",
                                      "You cannot deactivate your own account."),
    "organisation_not_found": Problem(404, "단체를 찾을 수 없습니다.", "Organisation not found."),
    "invalid_target": Problem(422, "목표 인원을 확인해 주세요.", "Check the target."),
    "invalid_name": Problem(422, "이름을 확인해 주세요.", "Check the name."),
    "partner_not_found": Problem(404, "협력 기관을 찾을 수 없습니다.", "Partner not found."),
    "partner_exists": Problem(409, "이미 있는 협력 기관 이름입니다.", "A partner with that name exists."),
    "unknown_partner": Problem(422, "없는 협력 기관입니다.", "No such partner."),
    "not_a_moderator": Problem(422, "중재자 계정만 협력 기관에 속할 수 있습니다.",
                               "Only moderator accounts belong to a partner."),
    "moderator_not_in_partner": Problem(409, "이 중재자는 이 협력 기관에 속해 있지 않습니다.",
                                        "This moderator does not belong to this partner."),
    "unknown_organisation_id": Problem(422, "없는 단체가 있습니다.", "Some organisation does not exist."),
    "invalid_date_range": Problem(422, "기간을 확인해 주세요.", "Check the date range."),
    "wrong_current_password": Problem(422, "지금 비밀번호가 맞지 않습니다.", "The current password is wrong."),
    # the form and reports
    "unknown_schema_version": Problem(422, "알 수 없는 양식 버전입니다.", "Unknown form version."),
    "schema_version_not_found": Problem(404, "없는 양식 버전입니다.", "No such form version."),
    "invalid_report": Problem(422, "제보 내용에 고칠 곳이 있습니다.", "Some fields of the report need fixing."),
    "report_not_found": Problem(404, "제보를 찾을 수 없습니다.", "Report not found."),
    "submission_id_reused": Problem(409, "같은 제출 번호로 다른 내용이 이미 접수되었습니다. 새 제보라면 새 번호를 쓰세요.",
                                    "A different report was already sent with this client_submission_id. "
                                    "Use a new id for a new report."),
    "report_not_awaiting_changes": Problem(409, "수정 요청을 받은 제보만 고쳐서 다시 보낼 수 있습니다 (지금 상태: '{status}').",
                                           "Only a report with changes requested can be revised "
                                           "(this one is '{status}')."),
    # photos
    "unsupported_image": Problem(415, "JPEG, PNG, WebP 사진만 올릴 수 있습니다.",
                                 "Only JPEG, PNG and WebP photos are accepted."),
    "photo_too_large": Problem(413, "사진이 너무 큽니다 (최대 {max_mb} MB).", "The photo is too large (at most {max_mb} MB)."),
    "photo_too_many_pixels": Problem(413, "사진 해상도가 너무 큽니다.",
                                     "The photo has too many pixels (possible decompression bomb)."),
    "empty_file": Problem(422, "빈 파일입니다.", "The file is empty."),
    "invalid_photo_kind": Problem(422, "사진 종류를 골라 주세요.", "Choose the kind of photo."),
    "report_locked": Problem(409, "검토가 시작된 제보에는 사진을 더할 수 없습니다.",
                             "Photos can no longer be added: the report is being reviewed or was decided."),
    "too_many_photos": Problem(409, "사진은 제보당 {limit}장까지입니다.", "At most {limit} photos per report."),
    "photo_busy": Problem(503, "지금 사진을 처리하는 중인 요청이 많습니다. {retry_after}초 뒤에 다시 올려 주세요. 제보는 저장되어 있습니다.",
                          "Too many photos are being processed right now. Upload again in {retry_after} s; "
                          "the report itself is stored."),
    "job_not_found": Problem(404, "작업을 찾을 수 없습니다.", "Job not found."),
    "job_not_yours": Problem(403, "다른 사람의 작업입니다. 요청한 사람과 운영진만 볼 수 있습니다.",
                             "This job is someone else's: only who asked for it and staff may see it."),
    "job_failed": Problem(503, "작업이 여러 번 시도했지만 끝나지 않았습니다. 보낸 내용은 보관되어 있습니다. 운영 사무국에 알려 주세요.",
                          "The job kept failing after several tries. What was sent is kept; tell the "
                          "programme office."),
    "job_upload_missing": Problem(404, "작업에 쓸 파일이 없습니다.", "The job's file is missing."),
    "photo_not_found": Problem(404, "사진을 찾을 수 없습니다.", "Photo not found."),
    "photo_file_missing": Problem(404, "사진 파일이 없습니다.", "The photo file is missing."),
    # moderation
    "invalid_decision": Problem(422, "결정 내용에 고칠 곳이 있습니다.", "The decision needs fixing."),
    "invalid_edits": Problem(422, "수정 내용에 고칠 곳이 있습니다.", "Some edits need fixing."),
    "invalid_claim_count": Problem(422, "한 번에 가져올 수 있는 제보 수를 벗어났습니다.",
                                   "The number of reports to claim is out of range."),
    "invalid_transition": Problem(409, "이 제보는 지금 '{status}' 상태라 처리할 수 없습니다.",
                                  "The report is '{status}'; it cannot be decided now."),
    "not_awaiting_second_review": Problem(409, "2차 검토 대기 중인 결정이 아닙니다 (지금 상태: '{status}').",
                                          "This decision is not waiting for a second review (it is '{status}')."),
    "lease_expired": Problem(409, "맡은 시간이 지나 제보가 대기열로 돌아갔습니다. 다시 가져오세요.",
                             "Your claim's lease expired and the report went back to the queue. Claim it again."),
    "not_claim_holder": Problem(403, "이 제보를 맡은 검수자만 처리할 수 있습니다.",
                                "Only the moderator who claimed this report may decide on it."),
    "second_reviewer_must_differ": Problem(403, "처음 결정한 검수자는 2차 검토를 할 수 없습니다.",
                                           "The moderator who made a decision may not be its second reviewer."),
    "review_not_found": Problem(404, "검토 건을 찾을 수 없습니다.", "Review not found."),
    # the published layer
    "toilet_not_found": Problem(404, "게시된 화장실을 찾을 수 없습니다.", "Published toilet not found."),
    "toilet_retired": Problem(409, "폐쇄 처리된 화장실입니다. 고치거나 다시 폐쇄할 수 없습니다.",
                              "The toilet is retired; it cannot be updated or retired again."),
    "outside_seoul": Problem(422, "서울 밖의 위치는 게시할 수 없습니다.", "A point outside Seoul cannot be published."),
    "retire_reason_required": Problem(422, "폐쇄 사유를 적어 주세요.", "Give a reason for retiring."),
    "invalid_tile": Problem(422, "타일 주소(z/x/y)가 올바르지 않습니다.", "The tile address (z/x/y) is not valid."),
    # reference data (reachable reference import)
    "reference_file_unreadable": Problem(422, "파일을 읽을 수 없습니다.", "The file cannot be read."),
    "reference_not_found": Problem(404, "공공 화장실 목록에 이 관리번호의 기록이 없습니다.",
                                   "The city's public toilet list has no record with this management number."),
    "reference_file_invalid": Problem(422, "공중화장실 표준데이터 파일이 아닙니다. 빠진 열: {missing}",
                                      "Not a public toilet standard data file. Missing columns: {missing}"),
    # exports
    "invalid_export_request": Problem(422, "내보내기 요청에 고칠 곳이 있습니다.", "The export request needs fixing."),
    "not_an_exporter": Problem(422, "API 키는 사용 중인 내보내기(exporter) 계정에만 발급합니다.",
                               "API keys are issued to active exporter accounts only."),
    "invalid_label": Problem(422, "키 이름은 1~100자입니다.", "The label is 1–100 characters."),
    "api_key_not_found": Problem(404, "API 키를 찾을 수 없습니다.", "API key not found."),
    "api_key_revoked": Problem(409, "이미 폐기된 키입니다.", "The key is already revoked."),
    "snapshot_over_budget": Problem(507, "스냅샷 저장 공간이 모자랍니다 (한도 {budget_mb} MB, 사용 중 {used_mb} MB). "
                                         "오래된 스냅샷이 정리되거나 한도가 늘어난 뒤 다시 해 주세요.",
                                    "The snapshot store is out of space (budget {budget_mb} MB, {used_mb} MB in use). "
                                    "Try again once old snapshots are pruned or the budget is raised."),
    "snapshot_disk_full": Problem(507, "디스크가 가득 차 스냅샷을 만들지 못했습니다. 남은 것은 없습니다.",
                                  "The disk is full; the snapshot was not made and nothing of it is left."),
    "snapshot_not_found": Problem(404, "스냅샷을 찾을 수 없습니다.", "Snapshot not found."),
    "snapshot_file_not_found": Problem(404, "스냅샷에 그런 파일이 없습니다.", "No such file in the snapshot."),
    # missions
    "mission_not_found": Problem(404, "확인 요청을 찾을 수 없습니다.", "Mission not found."),
    "mission_taken": Problem(409, "다른 봉사자가 이미 맡은 확인 요청입니다. 다른 곳을 골라 주세요.",
                             "Another volunteer has already taken this mission. Choose another one."),
    "mission_finished": Problem(409, "이미 끝난 확인 요청입니다.", "This mission is already finished."),
    "invalid_mission_report": Problem(422, "이 확인 요청에 연결할 수 없는 제보입니다.",
                                      "This report cannot be linked to the mission."),
}


def fail(code: str, *fields: FieldError, headers: dict[str, str] | None = None, **params: object) -> DomainError:
    """The catalogue's error for `code` (an exception to raise), its messages filled from params."""
    problem = CATALOGUE[code]  # a KeyError here is a programming error: add the code above
    kind = _KIND_BY_STATUS.get(problem.status, DomainError)
    error = kind(code, problem.ko.format(**params), problem.en.format(**params), list(fields), dict(headers or {}))
    if kind is DomainError:
        error.status = problem.status  # e.g. 405, which has no class of its own
    return error


def field_error(path: str, ko: str, en: str) -> FieldError:
    return FieldError(path=path, message_ko=ko, message_en=en)
