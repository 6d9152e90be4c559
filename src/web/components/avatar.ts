/**
 * An organization's or person's picture. Avatars are remote images that may fail to load (offline
 * instance, blocked CDN): a broken image is covered by its initials (img::after, see style.css), so a
 * missing picture still looks intended. Without a picture the initials are plain text.
 *
 * `alt` is empty by default because every avatar sits next to the name it shows, usually in the same
 * link (WCAG technique H2); pass a text where the picture stands alone.
 */
import { html } from 'hono/html';
import { initials, safeUrl } from '../../domain/format.ts';
import type { Html } from '../html.ts';

const SIZES = { sm: 20, md: 28, lg: 72 } as const;

export function avatar(name: string, url: string | null, size: keyof typeof SIZES, alt = ''): Html {
  const src = safeUrl(url);
  const px = SIZES[size];
  const letters = initials(name);
  return html`<span class="avatar avatar-${size}">${
    src
      ? html`<img src="${src}" alt="${alt}" data-initials="${letters}" width="${px}" height="${px}" loading="lazy" decoding="async" referrerpolicy="no-referrer">`
      : html`<span class="avatar-initials" aria-hidden="true">${letters}</span>`
  }</span>`;
}
