"""The dashboard: the new-interview form (with résumé upload) and the recent interviews.

Every handler re-resolves the signed-in user from the session cookie and hands the id to
the service layer (through :func:`call_service`, off the event loop), which validates all
input; nothing the browser sends is trusted as-is.
"""

from __future__ import annotations

import reflex as rx

from preppal import display, gemini_status, routes
from preppal.languages import DEFAULT_LANGUAGE, get_language, is_supported
from preppal.services import rate_limit
from preppal.services.accounts import auth
from preppal.services.errors import ServiceError, ValidationError
from preppal.services.interviews import lifecycle
from preppal.services.interviews.resume_text import MAX_UPLOAD_BYTES, extract_resume_text, is_pdf, read_resume
from preppal.services.pools import call_service
from preppal.state.auth import AuthState
from preppal.state.rows import interview_row

RECENT = 5
UPLOAD_ID = "resume_upload"


class DashboardState(AuthState):
    interview_type: str = "behavioural"
    difficulty: str = "standard"
    language: str = DEFAULT_LANGUAGE  # BCP-47 tag (preppal.languages)
    patience: str = display.PATIENCE_AUTO  # how long the interviewer waits (preppal.patience)
    turn_mode: str = display.HANDS_FREE  # Gemini: hands-free, or the candidate's hold marks their turn
    gemini_ready: bool = False  # False: the offline interviewer runs (every language)
    gemini_notice: str = ""  # a configured Gemini interviewer that the model check found unusable
    role: str = ""
    job_description: str = ""
    resume_text: str = ""
    resume_name: str = ""
    upload_error: str = ""
    form_error: str = ""
    creating: bool = False
    recent: list[dict[str, str]] = []
    total: int = 0

    @rx.event
    async def load(self):
        user_id = await self.current_user_id()
        if not user_id:
            return
        self.form_error = self.upload_error = ""
        self.creating = False
        self.gemini_ready = gemini_status.interviewer_in_use() == "gemini"
        self.gemini_notice = gemini_status.notice()
        if not self.gemini_ready and lifecycle.language_unavailable(self.language):
            self.language = DEFAULT_LANGUAGE  # the key went away since the last visit
        if not self.role:
            self.role = (await call_service(auth.get_profile, user_id)).target_role
        await self._refresh(user_id)

    async def _refresh(self, user_id: int) -> None:
        page = await call_service(lifecycle.list_history, user_id, page=1, per_page=RECENT)
        self.recent = [interview_row(i) for i in page.items]
        self.total = page.total

    @rx.event
    def set_interview_type(self, value: str):
        self.interview_type = value

    @rx.event
    def set_difficulty(self, value: str | list[str]):
        self.difficulty = value if isinstance(value, str) else (value[0] if value else self.difficulty)

    @rx.event
    def set_patience(self, value: str | list[str]):
        value = value if isinstance(value, str) else (value[0] if value else self.patience)
        if value in {c.value for c in display.PATIENCES}:
            self.patience = value

    def set_turn_mode(self, value: str | list[str]):
        value = value if isinstance(value, str) else (value[0] if value else self.turn_mode)
        if value in {c.value for c in display.TURN_MODES}:
            self.turn_mode = value

    def set_language(self, value: str):
        if is_supported(value):
            self.language = value

    @rx.var
    def language_note(self) -> str:
        """Which interviewer will hold the interview in the chosen language: the sentence beside the picker."""
        lang = get_language(self.language)
        if self.gemini_ready:
            return f"The Gemini interviewer speaks {lang.name} and your feedback is written in {lang.name}."
        if lang.code == DEFAULT_LANGUAGE:
            return "The offline interviewer on this server holds it: your voice never leaves the server."
        return (
            f"The offline interviewer on this server holds it in {lang.name}, with a synthetic voice; it "
            f"understands {lang.name} less reliably than English. Your feedback shows the delivery metrics "
            "(written feedback needs a Gemini API key on the server)."
        )

    @rx.event
    def set_resume_text(self, value: str):
        self.resume_text = value

    @rx.event
    def clear_resume(self):
        self.resume_text, self.resume_name, self.upload_error = "", "", ""

    @rx.event
    async def handle_resume(self, files: list[rx.UploadFile]):
        """Read the uploaded .txt/.pdf into the résumé box (the file itself is not kept)."""
        if not await self.current_user_id():
            return rx.redirect(routes.SIGN_IN)
        self.upload_error = ""
        if not files:
            return
        upload = files[0]
        name = (upload.name or upload.filename or "resume")[:200]
        try:
            await call_service(rate_limit.hit, rate_limit.upload_rate(), self.user_id)
            data = await upload.read(MAX_UPLOAD_BYTES + 1)  # never more than the cap into memory
            if len(data) > MAX_UPLOAD_BYTES:
                raise ValidationError(f"That file is too large (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).")
            if is_pdf(name):  # parsed in a limited child process: no thread, nothing on this loop
                self.resume_text = await read_resume(name, data)
            else:  # decoding up to 5 MB of text is still too much for the loop
                self.resume_text = await call_service(extract_resume_text, name, data)
            self.resume_name = name
        except ServiceError as exc:
            self.upload_error = exc.message

    @rx.event
    def upload_rejected(self, _rejected: list):
        self.upload_error = "Upload your résumé as a .txt or .pdf file of at most 5 MB."

    @rx.event
    async def create(self, form: dict):
        """Create the interview, then open its page (from there: Start interview)."""
        user_id = await self.current_user_id()
        if not user_id:
            return rx.redirect(routes.sign_in_url(routes.DASHBOARD))
        self.form_error = ""
        if refusal := lifecycle.language_unavailable(self.language):
            # plain words instead of an English interview in disguise
            self.form_error = f"{refusal} Choose English, or ask whoever runs Preppal to add a key."
            return
        try:
            interview = await call_service(
                lifecycle.create_interview,
                user_id,
                interview_type=self.interview_type,
                role=str(form.get("role", self.role)),
                difficulty=self.difficulty,
                job_description=str(form.get("job_description", self.job_description)),
                resume_text=self.resume_text,
                language=self.language,
                patience="" if self.patience == display.PATIENCE_AUTO else self.patience,
                hands_free=self.turn_mode == display.HANDS_FREE or not self.gemini_ready,
            )
        except ServiceError as exc:
            self.form_error = exc.message
            return
        self.job_description = self.resume_text = self.resume_name = ""
        await self._refresh(user_id)
        return rx.redirect(routes.interview_url(interview.id))
