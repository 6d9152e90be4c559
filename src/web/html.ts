/** What every template function returns: Hono's escaped HTML string (a promise only if a part was async). */
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
