// Talking to the API: the bearer token kept on the phone, and the one error shape
// {code, message_ko, message_en, fields: [{path, message_ko, message_en}]}.
const TOKEN_KEY = "reachable.auth";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message_en || `HTTP ${status}`);
    this.status = status;
    this.body = body || { code: "http_error", message_ko: "요청을 처리할 수 없습니다.", message_en: `HTTP ${status}`, fields: [] };
  }
}

/** A network failure (offline, server unreachable): the caller keeps the work and retries later. */
export class OfflineError extends Error {}

export function session() {
  try { return JSON.parse(localStorage.getItem(TOKEN_KEY)); } catch { return null; }
}
export function saveSession(token) { localStorage.setItem(TOKEN_KEY, JSON.stringify(token)); }
export function clearSession() { localStorage.removeItem(TOKEN_KEY); }

export async function api(path, { method = "GET", json, form, auth = true } = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  if (form !== undefined) body = form;
  const s = session();
  if (auth && s) headers.Authorization = `Bearer ${s.access_token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch (exc) {
    throw new OfflineError(String(exc));
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    if (response.status === 401 && auth) window.dispatchEvent(new CustomEvent("reachable:unauthorised"));
    throw new ApiError(response.status, data);
  }
  return { status: response.status, data };
}

export async function logIn(nickname, password) {
  const form = new URLSearchParams({ username: nickname, password });
  let response;
  try {
    response = await fetch("/api/v1/auth/token", { method: "POST", body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" } });
  } catch (exc) { throw new OfflineError(String(exc)); }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    // The token endpoint's form field is `username`; the page calls it the nickname.
    if (data?.fields) data.fields = data.fields.map((f) => ({ ...f, path: f.path === "username" ? "nickname" : f.path }));
    throw new ApiError(response.status, data);
  }
  saveSession(data);
  return data;
}
