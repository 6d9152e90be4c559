/**
 * An organization's or person's picture. Pictures come from the instance's image cache (src/images/), never
 * from another site: a page view tells no third party who is looking. Until a picture is cached (and where
 * there is none) the initials are plain text; a cached file that has gone missing shows as a broken image,
 * which is covered by the initials too (img::after, see style.css), so a missing picture still looks intended.
 *
 * `alt` is empty by default because every avatar sits next to the name it shows, usually in the same
 * link (WCAG technique H2); pass a text where the picture stands alone.
 */
import { html } from 'hono/html';
import { initials } from '../../domain/format.ts';
import { localImagePath } from '../../http/image-paths.ts';
import type { Html } from '../html.ts';

const SIZES = { sm: 20, md: 28, lg: 72 } as const;

/** `url` is the picture's remote address, as imported: the cache is asked for its local copy. */
export function avatar(name: string, url: string | null, size: keyof typeof SIZES, alt = ''): Html {
  const src = localImagePath(url);
  const px = SIZES[size];
  const letters = initials(name);
  return html`<span class="avatar avatar-${size}">${
    src
      ? html`<img src="${src}" alt="${alt}" data-initials="${letters}" width="${px}" height="${px}" loading="lazy" decoding="async">`
      : html`<span class="avatar-initials" aria-hidden="true">${letters}</span>`
  }</span>`;
}
