// The one API client of every page (/app, /moderate): the bearer token each page keeps in its
// own storage, and the one error shape {code, message_ko, message_en, fields: [{path, message_ko,
// message_en}]}. A 401 on an authenticated call fires `reachable:unauthorised` on window.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message_en || `HTTP ${status}`);
    this.status = status;
    this.body = body || { code: "http_error", message_ko: "요청을 처리할 수 없습니다.", message_en: `HTTP ${status}`, fields: [] };
  }
}

/** A network failure (offline, server unreachable): the caller keeps the work and retries later. */
export class OfflineError extends Error {}

/**
 * Where a page keeps its login: `storage` (localStorage, sessionStorage) under `key`. By default
 * the whole token response is kept as JSON; with `tokenOnly` just the access token string.
 * `get()` returns the token response ({access_token, …}) or null.
 */
export function tokenStore(storage, key, { tokenOnly = false } = {}) {
  return {
    get() {
      const raw = storage.getItem(key);
      if (raw === null) return null;
      if (tokenOnly) return { access_token: raw };
      try { return JSON.parse(raw); } catch { return null; }
    },
    save(token) { storage.setItem(key, tokenOnly ? token.access_token : JSON.stringify(token)); },
    clear() { storage.removeItem(key); },
  };
}

async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (exc) {
    throw new OfflineError(String(exc));
  }
}

function parsed(text) {
  try { return text ? JSON.parse(text) : null; } catch { return null; }
}

/**
 * A client over `store` (see tokenStore). `api(path, {method, json, form, auth, blob})` resolves to
 * {status, data}: the parsed JSON body, or a Blob with `blob: true`; it throws ApiError for an
 * error answer and OfflineError when the server cannot be reached.
 */
export function apiClient(store) {
  async function api(path, { method = "GET", json, form, auth = true, blob = false } = {}) {
    const headers = { Accept: "application/json" };
    let body;
    if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
    if (form !== undefined) body = form;
    const s = store.get();
    if (auth && s) headers.Authorization = `Bearer ${s.access_token}`;
    const response = await send(path, { method, headers, body, cache: "no-store" });
    if (!response.ok) {
      const data = parsed(await response.text());
      if (response.status === 401 && auth) window.dispatchEvent(new CustomEvent("reachable:unauthorised"));
      throw new ApiError(response.status, data);
    }
    const data = blob ? await response.blob() : parsed(await response.text());
    return { status: response.status, data };
  }

  /** The token endpoint (a form with `username` and `password`); the token is kept in the store. */
  async function logIn(username, password) {
    const form = new URLSearchParams({ username, password });
    const response = await send("/api/v1/auth/token", { method: "POST", body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" } });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    store.save(data);
    return data;
  }

  return { api, logIn, session: () => store.get(), saveSession: (token) => store.save(token),
    clearSession: () => store.clear() };
}
