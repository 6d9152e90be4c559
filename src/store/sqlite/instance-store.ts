/** The instance facet on SQLite: the identity settings row and its change log. */
import type { SqliteDatabase } from './database.ts';
import {
  ENSURE_SETTINGS_ROW,
  INSTANCE_SETTING_FIELDS,
  SETTING_CHANGES_SELECT,
  changedFields,
  rowToSettingChange,
  rowToSettings,
  type InstanceSettingChange,
  type InstanceSettings,
  type InstanceStore,
  type SettingsUpdate,
  type StoredInstanceSettings,
} from '../instance-store.ts';

const SETTINGS_SELECT = `SELECT ${INSTANCE_SETTING_FIELDS.join(', ')}, version, updated_at FROM instance_settings WHERE id = 1`;

export class SqliteInstanceStore implements InstanceStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async settings(): Promise<StoredInstanceSettings> {
    return rowToSettings(this.#db.sql(SETTINGS_SELECT).get());
  }

  async updateSettings(
    changes: Partial<InstanceSettings>,
    expectedVersion: number,
    adminId: number,
    now: Date,
  ): Promise<SettingsUpdate> {
    return this.#db.transaction(() => {
      this.#db.sql(ENSURE_SETTINGS_ROW).run();
      const current = rowToSettings(this.#db.sql(SETTINGS_SELECT).get());
      if (current.version !== expectedVersion) return { status: 'conflict', version: current.version };
      const changed = changedFields(current.settings, changes);
      if (changed.length === 0) return { status: 'unchanged', version: current.version };
      const at = now.toISOString();
      const assignments = changed.map((field) => `${field} = ?`).join(', ');
      this.#db
        .sql(`UPDATE instance_settings SET ${assignments}, version = version + 1, updated_at = ? WHERE id = 1`)
        .run(...changed.map((field) => changes[field] ?? null), at);
      const log = this.#db.sql(
        'INSERT INTO instance_settings_log (member_id, field, old_value, new_value, at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const field of changed) log.run(adminId, field, current.settings[field], changes[field] ?? null, at);
      return { status: 'saved', version: current.version + 1, changed };
    });
  }

  async settingChanges(limit: number): Promise<InstanceSettingChange[]> {
    return this.#db.sql(`${SETTING_CHANGES_SELECT} ORDER BY l.id DESC LIMIT ?`).all(limit).map(rowToSettingChange);
  }
}
