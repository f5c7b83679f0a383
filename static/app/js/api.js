// The app's use of the shared API client: the login kept on the phone (localStorage), so a
// volunteer stays logged in between visits and can work offline.
import { ApiError, OfflineError, apiClient, tokenStore } from "/static/shared/api.js";

export { ApiError, OfflineError };

const client = apiClient(tokenStore(localStorage, "reachable.auth"));
export const { api, session, saveSession, clearSession } = client;

export async function logIn(nickname, password) {
  try {
    return await client.logIn(nickname, password);
  } catch (exc) {
    // The token endpoint's form field is `username`; the page calls it the nickname.
    const fields = exc instanceof ApiError ? exc.body.fields : null;
    if (fields) exc.body.fields = fields.map((f) => ({ ...f, path: f.path === "username" ? "nickname" : f.path }));
    throw exc;
  }
}
