/** Photos are checked by content, never by name: JPEG or PNG, at most 1 MB. */
export const maxPhotoBytes = 1024 * 1024;

export type PhotoType = "image/jpeg" | "image/png";

export function detectPhotoType(data: Uint8Array): PhotoType | undefined {
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length >= 8 && png.every((byte, i) => data[i] === byte)) return "image/png";
  return undefined;
}
