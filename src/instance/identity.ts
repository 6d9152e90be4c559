/**
 * The instance's own identity: its name, a one-line description, a logo, an accent colour, a contact address
 * and an about text with its rules. Administrators set them on /admin/settings; the store keeps them (one row,
 * shared by every process); everything that names the site reads them from here: page titles and header,
 * OpenGraph tags, feeds, emails, and any other server that speaks for the instance (its name).
 *
 * Unset fields fall back to the defaults below, which are the texts of an unconfigured instance: nothing
 * changes until an administrator saves something.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { Account } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import type {
  InstanceSettingChange,
  InstanceSettings,
  SettingsUpdate,
  StoredInstanceSettings,
} from '../store/instance-store.ts';
import { checkAddress } from '../domain/email.ts';
import { charCount } from '../community/markdown.ts';
import type { ImageCache } from '../images/image-cache.ts';
import { sniffImage } from '../images/image-type.ts';
import { imageSize } from '../images/image-size.ts';
import { normalizeAccent } from './accent.ts';
import { UPLOADED_SOURCE_PREFIX } from '../domain/urls.ts';

export const DEFAULT_NAME = 'Paperboy';
export const DEFAULT_DESCRIPTION = 'the research papers a community reads, on your own server.';

export const NAME_MAX_CHARS = 60;
export const DESCRIPTION_MAX_CHARS = 200;
export const ABOUT_MAX_CHARS = 20_000;
/** A logo is shown 28 pixels high: half a megabyte and 1024 pixels a side are plenty. */
export const LOGO_MAX_BYTES = 512 * 1024;
export const LOGO_MAX_SIDE = 1024;
/** The image cache's name for the logo's bytes (not a URL: never fetched). */
const LOGO_SOURCE = `${UPLOADED_SOURCE_PREFIX}logo`;

export interface InstanceIdentity {
  name: string;
  description: string;
  /** The image cache's path of the logo (/images/<sha256>.<ext>); null: the built-in mark. */
  logo: string | null;
  /** "#rrggbb"; null: the stylesheet's own colours. */
  accent: string | null;
  /** An email address people may write to; null: none shown. */
  contact: string | null;
  /** Markdown (rendered without raw HTML); null: none written. */
  about: string | null;
  /** Of the stored settings (0 before the first save): a settings form carries it. */
  version: number;
}

export const DEFAULT_IDENTITY: InstanceIdentity = {
  name: DEFAULT_NAME,
  description: DEFAULT_DESCRIPTION,
  logo: null,
  accent: null,
  contact: null,
  about: null,
  version: 0,
};

export function toIdentity(stored: StoredInstanceSettings): InstanceIdentity {
  const s = stored.settings;
  return {
    name: s.name ?? DEFAULT_NAME,
    description: s.description ?? DEFAULT_DESCRIPTION,
    logo: s.logo,
    accent: s.accent,
    contact: s.contact,
    about: s.about,
    version: stored.version,
  };
}

/**
 * An email's subject as the instance sends it: its name first, in brackets (as mailing lists do), so that a
 * reader on several instances, or with other lists, tells them apart. One line, whatever it is given.
 */
export function mailSubject(siteName: string, subject: string): string {
  return `[${siteName}] ${subject}`.replace(/[\r\n]+/g, ' ');
}

/** The name as the phrase of a List-Id header: quotes and angle brackets would end the phrase. */
export function listIdName(siteName: string): string {
  return siteName.replace(/["<>\\\r\n]/g, '');
}

/** The identity as stored now (for a batch such as a digest run, which reads it once). */
export async function readInstanceIdentity(store: Pick<Store, 'instance'>): Promise<InstanceIdentity> {
  return toIdentity(await store.instance.settings());
}

/** Line breaks, other controls and text-direction overrides: nothing a name or a one-line text may hold. */
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** In the about text, line breaks and tabs are fine; other controls are not. */
const NOT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export type TextField = 'name' | 'description' | 'accent' | 'contact' | 'about';

export type FormCheck =
  | { ok: true; changes: Partial<InstanceSettings> }
  | { ok: false; errors: Partial<Record<TextField, string>> };

/** The settings form's text fields, checked; an empty field means "back to the default". */
export function checkSettingsForm(form: Record<string, unknown>): FormCheck {
  const errors: Partial<Record<TextField, string>> = {};
  const changes: Partial<InstanceSettings> = {};
  const text = (field: TextField) => (typeof form[field] === 'string' ? (form[field] as string) : '');

  const oneLine = (field: 'name' | 'description', max: number, label: string) => {
    const value = text(field).trim();
    if (NOT_ONE_LINE.test(value)) errors[field] = `${label} must be one line of text, without control characters.`;
    else if (charCount(value) > max)
      errors[field] = `${label} is at most ${max} characters (this is ${charCount(value)}).`;
    else changes[field] = value === '' ? null : value;
  };
  oneLine('name', NAME_MAX_CHARS, 'The name');
  oneLine('description', DESCRIPTION_MAX_CHARS, 'The description');

  const accent = text('accent').trim();
  if (accent === '') changes.accent = null;
  else {
    const normalized = normalizeAccent(accent);
    if (normalized) changes.accent = normalized;
    else errors.accent = 'The accent colour is written as six hexadecimal digits, e.g. #0f766e.';
  }

  const contact = text('contact');
  if (contact.trim() === '') changes.contact = null;
  else {
    const checked = checkAddress(contact);
    if (checked.ok) changes.contact = checked.email;
    else errors.contact = `Contact address: ${checked.error}`;
  }

  const about = text('about').replace(/\r\n?/g, '\n').trim();
  if (NOT_TEXT.test(about)) errors.about = 'The about text cannot contain control characters.';
  else if (charCount(about) > ABOUT_MAX_CHARS)
    errors.about = `The about text is at most ${ABOUT_MAX_CHARS.toLocaleString('en')} characters (this is ${charCount(about).toLocaleString('en')}).`;
  else changes.about = about === '' ? null : about;

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, changes };
}

export type LogoCheck = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** An uploaded logo, judged by its bytes only (never its name or declared type). */
export function checkLogo(bytes: Uint8Array): LogoCheck {
  if (bytes.byteLength === 0) return { ok: false, error: 'Choose an image file to upload.' };
  if (bytes.byteLength > LOGO_MAX_BYTES)
    return { ok: false, error: `The logo is ${kib(bytes.byteLength)}; at most ${kib(LOGO_MAX_BYTES)} is accepted.` };
  const type = sniffImage(bytes);
  if (!type) {
    const head = Buffer.from(bytes.subarray(0, 1024)).toString('utf8').trimStart().toLowerCase();
    if (head.startsWith('<') && head.includes('<svg'))
      return {
        ok: false,
        error:
          'SVG logos are not accepted: an SVG is a document that can carry scripts. Upload a PNG, JPEG, GIF or WebP.',
      };
    return {
      ok: false,
      error: 'The file is not a PNG, JPEG, GIF or WebP image (judged by its content, not its name).',
    };
  }
  const size = imageSize(bytes, type);
  if (!size || size.width === 0 || size.height === 0)
    return { ok: false, error: 'The image is damaged: its size cannot be read.' };
  if (size.width > LOGO_MAX_SIDE || size.height > LOGO_MAX_SIDE)
    return {
      ok: false,
      error: `The logo is ${size.width} × ${size.height} pixels; at most ${LOGO_MAX_SIDE} pixels a side is accepted.`,
    };
  return { ok: true, bytes };
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024).toLocaleString('en')} KB`;
}

export type LogoUpdate = SettingsUpdate | { status: 'refused'; error: string };

/**
 * The identity of the instance as every request of this process sees it. current() answers from memory
 * while the store's data version stands still, and reads the settings again when it moved: a save in any
 * process shows on the next page rendered anywhere, and a page cached under the new data version was
 * rendered with the new settings.
 */
export class InstanceIdentityService {
  readonly #store: Store;
  readonly #images: Pick<ImageCache, 'put'>;
  readonly #logger: Logger;
  #cached: { dataVersion: string; identity: InstanceIdentity } | null = null;

  constructor(options: { store: Store; images: Pick<ImageCache, 'put'>; logger: Logger }) {
    this.#store = options.store;
    this.#images = options.images;
    this.#logger = options.logger;
  }

  async current(): Promise<InstanceIdentity> {
    // The version is read before the settings: a save in between is seen as a change next time, never missed.
    const dataVersion = await this.#store.dataVersion();
    if (this.#cached?.dataVersion === dataVersion) return this.#cached.identity;
    const identity = await readInstanceIdentity(this.#store);
    this.#cached = { dataVersion, identity };
    return identity;
  }

  /**
   * The identity last read, without asking the store (the defaults before the first read): for code that
   * needs a name synchronously, e.g. another server announcing itself. Pages use current().
   */
  get instanceIdentity(): InstanceIdentity {
    return this.#cached?.identity ?? DEFAULT_IDENTITY;
  }

  /** Saves checked changes (see checkSettingsForm) made by an administrator; every changed field is logged. */
  async save(changes: Partial<InstanceSettings>, expectedVersion: number, admin: Account, now = new Date()) {
    const result = await this.#store.instance.updateSettings(changes, expectedVersion, admin.id, now);
    if (result.status === 'saved')
      this.#logger.warn({ admin: admin.name, changed: result.changed }, 'instance settings changed');
    return result;
  }

  /** Checks an uploaded logo, keeps it in the image cache and makes it the logo. */
  async uploadLogo(bytes: Uint8Array, expectedVersion: number, admin: Account, now = new Date()): Promise<LogoUpdate> {
    const checked = checkLogo(bytes);
    if (!checked.ok) return { status: 'refused', error: checked.error };
    const path = await this.#images.put(LOGO_SOURCE, checked.bytes);
    this.#logger.info(
      { admin: admin.name, path, sha256: createHash('sha256').update(bytes).digest('hex') },
      'logo uploaded',
    );
    return this.save({ logo: path }, expectedVersion, admin, now);
  }

  async changes(limit: number): Promise<InstanceSettingChange[]> {
    return this.#store.instance.settingChanges(limit);
  }
}
