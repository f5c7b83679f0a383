// Photos resized on the phone before upload: at most 1600 px on the long side, JPEG.
// Smaller uploads matter on weak connections; the server strips EXIF again anyway.
const MAX_SIDE = 1600;

export async function resizePhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale)), hgt = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = hgt;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, w, hgt);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  if (!blob) throw new Error("could not encode the photo");
  return { blob, width: w, height: hgt, name: (file.name || "photo").replace(/\.[^.]+$/, "") + ".jpg" };
}
