// Reports waiting on the phone (IndexedDB) until they reach the server.
//
// Every report goes through here, online or not: it is stored first with its
// client_submission_id and photos, then sent. The server stores one report per id
// (same id + same body = the same report), so sending again after a lost answer is safe.
// Photos carry no client id, so they are sent one by one in order, and before sending we ask
// the server how many of this item's photos it already has. The server keeps a photo's bytes and
// answers 202 with a job (a worker strips EXIF and resizes it); the phone follows the job for a
// while to show a refusal found only then, and otherwise trusts the server, which holds the bytes.
import { api, ApiError, OfflineError, session } from "./api.js";

const DB_NAME = "reachable";
const STORE = "outbox";
const DRAFT_STORE = "draft_photos"; // photos of the report being written, so a reload keeps them
let dbPromise;

function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 2);
    req.onupgradeneeded = (event) => {
      if (event.oldVersion < 1) req.result.createObjectStore(STORE, { keyPath: "client_submission_id" });
      if (event.oldVersion < 2) req.result.createObjectStore(DRAFT_STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbPromise;
}

async function tx(mode, fn, storeName = STORE) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(storeName, mode);
    const store = t.objectStore(storeName);
    const result = fn(store);
    t.oncomplete = () => resolve(result?.result ?? result);
    t.onerror = () => reject(t.error);
  });
}

export const outbox = {
  put: (item) => tx("readwrite", (s) => s.put(item)),
  get: (id) => tx("readonly", (s) => s.get(id)),
  remove: (id) => tx("readwrite", (s) => s.delete(id)),
  all: async () => {
    const items = await tx("readonly", (s) => s.getAll());
    return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
  },
};

/** The draft's photos (blob, kind, name) for the draft `draftId`. */
export const draftPhotos = {
  save: (draftId, photos) => tx("readwrite", (s) => s.put(
    { draftId, photos: photos.map((p) => ({ blob: p.blob, kind: p.kind, name: p.name })) }, "current"), DRAFT_STORE),
  load: async (draftId) => {
    const saved = await tx("readonly", (s) => s.get("current"), DRAFT_STORE);
    return saved && saved.draftId === draftId ? saved.photos : [];
  },
  clear: () => tx("readwrite", (s) => s.delete("current"), DRAFT_STORE),
};

/** The items of the volunteer logged in now. */
export async function mine() {
  const who = session()?.username;
  return (await outbox.all()).filter((i) => i.owner === who);
}

/** A new outbox item for a report (or a revision of report `reportId`). */
export function newItem({ body, photos, revisionOf = null, nearbyChoice = null, missionId = null }) {
  return {
    client_submission_id: body.client_submission_id,
    kind: revisionOf ? "revision" : "report",
    revision_of: revisionOf,
    body,
    photos: photos.map((p) => ({ blob: p.blob, kind: p.kind, name: p.name, sent: false })),
    nearby_choice: nearbyChoice,
    mission_id: missionId, // the mission this report checks: linked once the report is stored
    mission_linked: false,
    mission_error: null,
    owner: session()?.username ?? null, // another volunteer logging in on this phone never sends it
    server_report_id: revisionOf,
    photo_base: null,
    state: "waiting",
    error: null,
    response: null,
    created_at: new Date().toISOString(),
  };
}

const JOB_POLL_MS = 500;
const JOB_POLL_TRIES = 40;

/** The job at `url` once done (succeeded or failed), or null while still queued after ~20 s. */
async function followJob(url) {
  for (let i = 0; i < JOB_POLL_TRIES; i++) {
    const { data } = await api(url);
    if (data.status === "succeeded" || data.status === "failed") return data;
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
  }
  return null;
}

const listeners = new Set();
export function onOutboxChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function changed(item) { for (const fn of listeners) fn(item); }


/** Link the stored report to its mission. A refusal (someone else reported it meanwhile, the
 * mission closed) is kept on the item and shown; the report itself is sent all the same. */
async function linkMission(item) {
  try {
    await api(`/api/v1/missions/${item.mission_id}/report`, { method: "POST", json: { report_id: item.server_report_id } });
  } catch (exc) {
    if (!(exc instanceof ApiError) || exc.status === 401 || exc.status === 429 || exc.status >= 500) throw exc;
    item.mission_error = exc.body;
  }
  item.mission_linked = true;
  await outbox.put(item);
}

async function sendOne(item) {
  item.state = "sending";
  await outbox.put(item);
  changed(item);
  try {
    if (!item.response) {
      let result;
      if (item.kind === "revision") {
        if (item.photo_base === null) {
          const { data } = await api(`/api/v1/reports/${item.revision_of}/photos`);
          item.photo_base = data.length;
          await outbox.put(item);
        }
        result = await api(`/api/v1/reports/${item.revision_of}/revisions`, { method: "POST", json: item.body });
      } else {
        result = await api("/api/v1/reports", { method: "POST", json: item.body });
        item.photo_base = 0;
      }
      item.response = result.data;
      item.server_report_id = result.data.id;
      await outbox.put(item);
      changed(item);
    }
    if (item.mission_id && !item.mission_linked) await linkMission(item);
    const pending = item.photos.filter((p) => !p.sent);
    if (pending.length) {
      const { data: stored } = await api(`/api/v1/reports/${item.server_report_id}/photos`);
      const alreadyThere = Math.max(0, stored.length - (item.photo_base ?? 0));
      item.photos.forEach((p, i) => { if (i < alreadyThere) p.sent = true; });
      for (const photo of item.photos) {
        if (photo.sent) continue;
        const form = new FormData();
        // A blob read back from IndexedDB is file-backed; copying it into memory first avoids
        // uploads that never start where requests are intercepted (proxies, test harnesses).
        const bytes = new Blob([await photo.blob.arrayBuffer()], { type: photo.blob.type || "image/jpeg" });
        form.append("file", bytes, photo.name || "photo.jpg");
        form.append("kind", photo.kind);
        const { data: job } = await api(`/api/v1/reports/${item.server_report_id}/photos`, { method: "POST", form });
        photo.sent = true;
        photo.job_url = job.url;
        await outbox.put(item);
        changed(item);
      }
    }
    for (const photo of item.photos) {
      if (!photo.job_url || photo.processed) continue;
      const job = await followJob(photo.job_url);
      if (job && job.status === "failed") throw new ApiError(job.error_status || 422, job.error);
      photo.processed = true;
      await outbox.put(item);
    }
    await outbox.remove(item.client_submission_id);
    item.state = "sent";
    changed(item);
    return item;
  } catch (exc) {
    if (exc instanceof OfflineError) {
      item.state = "waiting";
    } else if (exc instanceof ApiError && (exc.status === 401 || exc.status === 429 || exc.status >= 500)) {
      item.state = "waiting"; // log in again / too many for now (429) / server trouble: keep it and retry
    } else if (exc instanceof ApiError) {
      item.state = exc.status === 422 ? "invalid" : "conflict";
      item.error = exc.body;
    } else {
      item.state = "waiting";
      item.error = { code: "client_error", message_ko: String(exc), message_en: String(exc), fields: [] };
    }
    await outbox.put(item);
    changed(item);
    return item;
  }
}

/** Send everything waiting; one sender at a time across tabs (Web Locks where available). */
export async function syncOutbox() {
  const run = async () => {
    const results = [];
    for (const item of await mine()) {
      if (item.state === "invalid" || item.state === "conflict") continue;
      results.push(await sendOne(item));
    }
    return results;
  };
  if (navigator.locks) return navigator.locks.request("reachable-outbox", run);
  return run();
}

/** Send one item now (the volunteer pressed Send) and return its outcome. */
export async function sendNow(item) {
  await outbox.put(item);
  const run = () => sendOne(item);
  if (navigator.locks) return navigator.locks.request("reachable-outbox", run);
  return run();
}
