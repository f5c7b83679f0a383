// Joining and logging in. Both forms show the API's field errors at their fields, like the report.
import { el as h } from "/static/shared/dom.js";
import { api, ApiError, OfflineError, logIn } from "./api.js";
import { t, messageOf, ageBands } from "./i18n.js";
import { showErrors } from "./schema-form.js";
import { setTitle, focusHeading } from "./page.js";


function textField(path, label, helpText, attrs = {}) {
  const id = `f-${path}`;
  return h("div", { class: "field input", dataset: { path, kind: "text" } },
    h("label", { for: id }, label),
    helpText ? h("p", { class: "help", id: `${id}-help` }, helpText) : null,
    h("input", { id, name: path, "aria-describedby": helpText ? `${id}-help` : null, ...attrs }),
    h("p", { class: "error", id: `${id}-err`, hidden: true }));
}

export function viewLogin(main, message) {
  setTitle(t("login_title"));
  const form = h("form", { class: "card", novalidate: true },
    message ? h("p", { class: "notice", role: "status" }, message) : null,
    textField("nickname", t("nickname"), null, { autocomplete: "username", required: true }),
    textField("password", t("password"), null, { type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "btn primary" }, t("do_login")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const nickname = form.querySelector("#f-nickname").value.trim();
    const password = form.querySelector("#f-password").value;
    const missing = [["nickname", nickname], ["password", password]].filter(([, v]) => !v)
      .map(([path]) => ({ path, message_ko: "꼭 입력해야 합니다.", message_en: "This field is required." }));
    if (missing.length) return showFormErrors(form, missing);
    try {
      await logIn(nickname, password);
      location.hash = "#/new";
    } catch (exc) { handleFormFailure(form, exc, t("auth_offline")); }
  });
  main.replaceChildren(h("h1", {}, t("login_title")), form,
    h("p", {}, h("a", { href: "#/join", class: "btn secondary" }, t("to_join"))));
  focusHeading();
}

export function viewJoin(main) {
  setTitle(t("join_title"));
  const age = h("fieldset", { class: "field choice", role: "radiogroup", id: "f-age_band", dataset: { path: "age_band", kind: "choice" } },
    h("legend", {}, t("age_band")),
    h("div", { class: "choices" }, ageBands().map((b, i) => h("label", { class: "choice-opt" },
      h("input", { type: "radio", name: "age_band", value: b.value, id: `f-age_band-${i}` }), h("span", {}, b.label)))),
    h("p", { class: "error", id: "f-age_band-err", hidden: true }));
  const form = h("form", { class: "card", novalidate: true },
    textField("nickname", t("nickname"), t("nickname_help"), { autocomplete: "username", required: true, maxlength: 40 }),
    textField("password", t("password"), t("password_help"), { type: "password", autocomplete: "new-password", required: true }),
    textField("organisation_code", t("org_code"), t("org_code_help"), { autocomplete: "off", autocapitalize: "characters" }),
    age,
    h("button", { type: "submit", class: "btn primary" }, t("do_join")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = (id) => form.querySelector(id).value.trim();
    const body = { nickname: value("#f-nickname"), password: form.querySelector("#f-password").value,
      organisation_code: value("#f-organisation_code") || null,
      age_band: form.querySelector("input[name=age_band]:checked")?.value };
    const errors = [];
    const need = (path, ok, ko, en) => { if (!ok) errors.push({ path, message_ko: ko, message_en: en }); };
    need("nickname", body.nickname.length >= 2, "2자 이상 적어 주세요.", "At least 2 characters.");
    need("password", body.password.length >= 8, "8자 이상 적어 주세요.", "At least 8 characters.");
    need("age_band", !!body.age_band, "나이대를 골라 주세요.", "Please choose an age band.");
    if (errors.length) return showFormErrors(form, errors);
    try {
      await api("/api/v1/volunteers", { method: "POST", json: body, auth: false });
      await logIn(body.nickname, body.password);
      location.hash = "#/new";
    } catch (exc) { handleFormFailure(form, exc, t("auth_offline")); }
  });
  main.replaceChildren(h("h1", {}, t("join_title")), form,
    h("p", {}, h("a", { href: "#/login", class: "btn secondary" }, t("to_login"))));
  focusHeading();
}

function showFormErrors(form, fields, message) {
  const { summary } = showErrors(form, form, fields, { message });
  summary.focus();
}

function handleFormFailure(form, exc, offlineMessage) {
  if (exc instanceof OfflineError) return showFormErrors(form, [], offlineMessage);
  if (exc instanceof ApiError) {
    const body = exc.body;
    return showFormErrors(form, body.fields?.length ? body.fields : [], messageOf(body));
  }
  throw exc;
}
