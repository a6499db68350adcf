import { inflatePngRows, maxPngPixels, readPngChunks } from "./png.js";

/**
 * Photos are checked by content, never by name: JPEG or PNG, at most 1 MB, and whole — a file
 * that only starts like an image is refused when it arrives, not when a card is produced.
 */
export const maxPhotoBytes = 1024 * 1024;

export type PhotoType = "image/jpeg" | "image/png";

export function detectPhotoType(data: Uint8Array): PhotoType | undefined {
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length >= 8 && png.every((byte, i) => data[i] === byte)) return "image/png";
  return undefined;
}

export type PhotoCheck =
  | { ok: true; type: PhotoType; width: number; height: number }
  | { ok: false; reason: string };

/**
 * Whether `data` is a whole JPEG or PNG: for a PNG its signature, a sane IHDR, every chunk's
 * CRC, image data that inflates to the size IHDR implies, and IEND; for a JPEG its markers
 * from SOI to EOI, with a frame (SOF) of non-zero size before the first scan (SOS).
 */
export function checkPhoto(data: Uint8Array): PhotoCheck {
  const type = detectPhotoType(data);
  if (!type) return { ok: false, reason: "neither a JPEG nor a PNG" };
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (type === "image/jpeg") {
    const jpeg = readJpegFrame(bytes);
    return "reason" in jpeg ? { ok: false, reason: jpeg.reason } : { ok: true, type, ...jpeg };
  }
  try {
    const chunks = readPngChunks(bytes);
    inflatePngRows(chunks);
    return { ok: true, type, width: chunks.header.width, height: chunks.header.height };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC): the markers that start a frame (T.81 B.1.1.3). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** Markers that stand alone, without a length: TEM and RST0–RST7 (T.81 B.1.1.3). */
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

/** Walks a JPEG's markers (ITU-T T.81 Annex B): its frame size, or why it is not a whole JPEG. */
function readJpegFrame(bytes: Buffer): { width: number; height: number } | { reason: string } {
  let frame: { width: number; height: number } | undefined;
  let scans = 0;
  let offset = 2; // after SOI
  for (;;) {
    if (offset >= bytes.length) return { reason: "the JPEG ends before its EOI marker" };
    if (bytes[offset] !== 0xff) return { reason: `no JPEG marker at byte ${offset}` };
    while (bytes[offset] === 0xff) offset++; // fill bytes (B.1.1.2)
    if (offset >= bytes.length) return { reason: "the JPEG ends before its EOI marker" };
    const marker = bytes[offset++]!;
    if (marker === 0xd9) break; // EOI
    if (marker === 0x00 || marker === 0xd8)
      return { reason: `a misplaced JPEG marker ${marker.toString(16)}` };
    if (isStandalone(marker)) continue;
    if (offset + 2 > bytes.length) return { reason: "a JPEG segment runs past the end of the file" };
    const length = bytes.readUInt16BE(offset);
    if (length < 2 || offset + length > bytes.length)
      return { reason: "a JPEG segment runs past the end of the file" };
    const body = bytes.subarray(offset + 2, offset + length);
    offset += length;
    if (isStartOfFrame(marker)) {
      if (frame) return { reason: "the JPEG has two frames" };
      if (body.length < 6) return { reason: "the JPEG frame header is too short" };
      const height = body.readUInt16BE(1);
      const width = body.readUInt16BE(3);
      const components = body[5]!;
      if (width === 0 || height === 0) return { reason: "the JPEG frame is empty" };
      // The same bound as a PNG's: a small file must not stand for a picture no printer can hold.
      if (width * height > maxPngPixels) return { reason: `the image has more than ${maxPngPixels} pixels` };
      if (components === 0 || body.length !== 6 + 3 * components)
        return { reason: "the JPEG frame header has the wrong length" };
      frame = { width, height };
    } else if (marker === 0xda) {
      if (!frame) return { reason: "a JPEG scan comes before its frame" };
      scans++;
      // Entropy-coded data runs to the next marker; 0xFF00 is a stuffed byte, RSTn sits inside.
      for (;;) {
        const ff = bytes.indexOf(0xff, offset);
        const next = ff === -1 ? undefined : bytes[ff + 1];
        if (next === undefined) return { reason: "the JPEG ends before its EOI marker" };
        offset = ff;
        if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) break;
        offset = ff + 1;
      }
    }
  }
  if (!frame) return { reason: "the JPEG has no frame (SOF)" };
  if (scans === 0) return { reason: "the JPEG has no scan (SOS)" };
  return frame;
}
