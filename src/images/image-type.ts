/**
 * Which images the cache keeps: PNG, JPEG, GIF and WebP, told by their first bytes, never by what a server
 * says (a Content-Type header) or a URL's ending. SVG is refused: it is a document that can carry scripts
 * and links, and making it safe to serve would need a sanitiser; avatars in SVG fall back to initials.
 */

export const IMAGE_TYPES = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
} as const;

export type ImageExtension = keyof typeof IMAGE_TYPES;

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The kind of image these bytes are, by their magic numbers; null for anything else. */
export function sniffImage(bytes: Uint8Array): ImageExtension | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return null;
}

export function extensionOf(contentType: string): ImageExtension | null {
  const found = Object.entries(IMAGE_TYPES).find(([, type]) => type === contentType);
  return found ? (found[0] as ImageExtension) : null;
}

export function isImageExtension(text: string): text is ImageExtension {
  return Object.hasOwn(IMAGE_TYPES, text);
}
