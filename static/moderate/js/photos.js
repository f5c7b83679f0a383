// The report's photos. They need the login token, so they are fetched as blobs and shown
// through object URLs (revoked when the next report opens).
import { el } from "/static/shared/dom.js";
import { call } from "./api.js";
import { $, state } from "./page.js";
import { photoKindLabel } from "./words.js";

async function objectUrl(path) {
  const url = URL.createObjectURL(await call(path, { blob: true }));
  state.photoUrls.push(url);
  return url;
}

export function renderPhotos(photos) {
  for (const u of state.photoUrls) URL.revokeObjectURL(u);
  state.photoUrls = [];
  const ul = $("photos");
  ul.replaceChildren();
  if (!photos.length) { ul.append(el("li", { class: "note", text: "사진 없음 · No photos" })); return; }
  photos.forEach(async (p, i) => {
    const kind = photoKindLabel(p.kind);
    const img = el("img", { alt: `사진 Photo ${i + 1}: ${kind}`, "data-photo-id": p.id });
    const link = el("a", { href: "#", text: "원본 보기 Open full size" });
    ul.append(el("li", {}, el("figure", {}, img, el("figcaption", {}, `${kind} · ${p.width_px}×${p.height_px} `, link))));
    img.src = await objectUrl(p.thumb_url);
    link.addEventListener("click", async (ev) => {
      ev.preventDefault();
      window.open(await objectUrl(p.url), "_blank", "noopener");
    });
  });
}
