/** Schema of the authorship facet on SQLite: claims on author entries, and email domains tied to organizations. */
import type { Migration } from './migration.ts';

/**
 * Version 20. The partial unique indexes are the rules, whatever the code above does: one approved claim per
 * author entry; one live (pending or approved) claim per member and paper; an entry rejected for a member is
 * not filed again by them.
 */
export const claimMigration: Migration = {
  version: 20,
  name: 'authorship claims and email domains tied to organizations',
  sql: `
    CREATE TABLE author_claims (
      id INTEGER PRIMARY KEY,
      paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
      position INTEGER NOT NULL CHECK (position >= 0),
      author_name TEXT NOT NULL,
      member_id INTEGER NOT NULL REFERENCES members(id),
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
      approved_via TEXT CHECK (approved_via IN ('moderator', 'domain')),
      show_on_profile INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL,
      decided_at TEXT,
      decided_by INTEGER REFERENCES members(id),
      reason TEXT
    ) STRICT;
    CREATE UNIQUE INDEX author_claims_one_approved ON author_claims(paper_id, position) WHERE status = 'approved';
    CREATE UNIQUE INDEX author_claims_live ON author_claims(paper_id, member_id) WHERE status <> 'rejected';
    CREATE UNIQUE INDEX author_claims_entry_member ON author_claims(paper_id, position, member_id);
    CREATE INDEX author_claims_pending ON author_claims(id) WHERE status = 'pending';
    CREATE INDEX author_claims_member ON author_claims(member_id, id);

    CREATE TABLE organization_domains (
      organization_name TEXT NOT NULL REFERENCES organizations(name),
      domain TEXT NOT NULL,
      created_by INTEGER REFERENCES members(id),
      created_at TEXT NOT NULL,
      PRIMARY KEY (organization_name, domain)
    ) STRICT, WITHOUT ROWID;
  `,
};
