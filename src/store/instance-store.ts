/**
 * The instance facet of the store: the instance's own identity (name, description, logo, accent colour,
 * contact address, about text), set by administrators and shared by every process on the database, and the
 * log of every change to it. One row holds the settings; a null field means "the default" (the service,
 * src/instance/, knows the defaults). A write moves the data version, so cached pages show new settings at once.
 */
import { DELETED_MEMBER } from '../domain/handles.ts';

export const INSTANCE_SETTING_FIELDS = ['name', 'description', 'logo', 'accent', 'contact', 'about'] as const;

export type InstanceSettingField = (typeof INSTANCE_SETTING_FIELDS)[number];

/** The stored values; null: not set (the default applies). `logo` is the image cache's path of the logo. */
export type InstanceSettings = Record<InstanceSettingField, string | null>;

export interface StoredInstanceSettings {
  settings: InstanceSettings;
  /** Moves with every saved change; 0 before the first. A form carries it to detect a save in between. */
  version: number;
  updatedAt: string | null;
}

export interface InstanceSettingChange {
  field: InstanceSettingField;
  oldValue: string | null;
  newValue: string | null;
  /** Handle of the administrator who made it (DELETED_MEMBER's handle when they deleted their account). */
  by: string;
  at: string;
}

export type SettingsUpdate =
  | { status: 'saved'; version: number; changed: InstanceSettingField[] }
  /** Nothing differed from what is stored: nothing written, nothing logged. */
  | { status: 'unchanged'; version: number }
  /** Someone saved since `expectedVersion` was read: nothing written. */
  | { status: 'conflict'; version: number };

export interface InstanceStore {
  settings(): Promise<StoredInstanceSettings>;
  /**
   * Writes the given fields (others are kept) if the settings are still at `expectedVersion`, and logs each
   * field that changed, with its old and new value, in the same transaction.
   */
  updateSettings(
    changes: Partial<InstanceSettings>,
    expectedVersion: number,
    adminId: number,
    now: Date,
  ): Promise<SettingsUpdate>;
  /** The log of changes, newest first. */
  settingChanges(limit: number): Promise<InstanceSettingChange[]>;
}

/** The fields of `changes` whose value differs from `current` (undefined: not part of the change). */
export function changedFields(current: InstanceSettings, changes: Partial<InstanceSettings>): InstanceSettingField[] {
  return INSTANCE_SETTING_FIELDS.filter((field) => changes[field] !== undefined && changes[field] !== current[field]);
}

/** Before the first save there is no row: every field is the default. */
export const NOTHING_SET: StoredInstanceSettings = {
  settings: Object.fromEntries(INSTANCE_SETTING_FIELDS.map((f) => [f, null])) as InstanceSettings,
  version: 0,
  updatedAt: null,
};

export function rowToSettings(row: Record<string, unknown> | undefined): StoredInstanceSettings {
  if (!row) return NOTHING_SET;
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    settings: Object.fromEntries(INSTANCE_SETTING_FIELDS.map((f) => [f, text(row[f])])) as InstanceSettings,
    version: Number(row.version),
    updatedAt: text(row.updated_at),
  };
}

export function rowToSettingChange(row: Record<string, unknown>): InstanceSettingChange {
  return {
    field: String(row.field) as InstanceSettingField,
    oldValue: row.old_value === null ? null : String(row.old_value),
    newValue: row.new_value === null ? null : String(row.new_value),
    by: row.by_deleted === true || Number(row.by_deleted) === 1 ? DELETED_MEMBER : String(row.by_name),
    at: String(row.at),
  };
}

/** Run first in a save's transaction: from then on the row exists, and its lock orders concurrent saves. */
export const ENSURE_SETTINGS_ROW =
  'INSERT INTO instance_settings (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING';

/** The log with each change's administrator, for both backends (their SQL differs in placeholders only). */
export const SETTING_CHANGES_SELECT = `SELECT l.field, l.old_value, l.new_value, l.at, m.name AS by_name,
  m.deleted_at IS NOT NULL AS by_deleted
  FROM instance_settings_log l JOIN members m ON m.id = l.member_id`;
