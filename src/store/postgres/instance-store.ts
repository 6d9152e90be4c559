/** The instance facet on PostgreSQL: the identity settings row and its change log. */
import type { Runner } from './runner.ts';
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

export class PostgresInstanceStore implements InstanceStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async settings(): Promise<StoredInstanceSettings> {
    const [row] = await this.#db.query(SETTINGS_SELECT);
    return rowToSettings(row);
  }

  async updateSettings(
    changes: Partial<InstanceSettings>,
    expectedVersion: number,
    adminId: number,
    now: Date,
  ): Promise<SettingsUpdate> {
    return this.#db.transaction(async (tx) => {
      // The row lock orders two saves from any processes: the second sees the first's version and refuses.
      await tx.query(ENSURE_SETTINGS_ROW);
      const [row] = await tx.query(`${SETTINGS_SELECT} FOR UPDATE`);
      const current = rowToSettings(row);
      if (current.version !== expectedVersion) return { status: 'conflict', version: current.version };
      const changed = changedFields(current.settings, changes);
      if (changed.length === 0) return { status: 'unchanged', version: current.version };
      const at = now.toISOString();
      const assignments = changed.map((field, i) => `${field} = $${i + 1}`).join(', ');
      await tx.query(
        `UPDATE instance_settings SET ${assignments}, version = version + 1, updated_at = $${changed.length + 1} WHERE id = 1`,
        [...changed.map((field) => changes[field] ?? null), at],
      );
      for (const field of changed) {
        await tx.query(
          'INSERT INTO instance_settings_log (member_id, field, old_value, new_value, at) VALUES ($1, $2, $3, $4, $5)',
          [adminId, field, current.settings[field], changes[field] ?? null, at],
        );
      }
      return { status: 'saved', version: current.version + 1, changed };
    });
  }

  async settingChanges(limit: number): Promise<InstanceSettingChange[]> {
    return (await this.#db.query(`${SETTING_CHANGES_SELECT} ORDER BY l.id DESC LIMIT $1`, [limit])).map(
      rowToSettingChange,
    );
  }
}
