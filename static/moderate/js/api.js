// The console's use of the shared API client: the login lives in this tab only (sessionStorage),
// and every error answer is shown in the error box before it is thrown on.
import { ApiError, apiClient, tokenStore } from "/static/shared/api.js";
import { showError } from "./page.js";

const client = apiClient(tokenStore(sessionStorage, "reachable.token", { tokenOnly: true }));
export const { logIn, session, clearSession } = client;
export { ApiError };

/** The answer's body (JSON, or a Blob with `blob: true`); see apiClient for the options. */
export async function call(path, options) {
  try {
    return (await client.api(path, options)).data;
  } catch (exc) {
    if (exc instanceof ApiError) showError(exc.body);
    throw exc;
  }
}
