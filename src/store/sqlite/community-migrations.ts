/** Schema of the community facet: accounts, sign-in, sessions, votes, comments, moderation, rate limits. */
import type { Migration } from './migration.ts';

export const communityMigrations: Migration[] = [
  {
    version: 5,
    name: 'accounts, sessions, votes, comments, moderation, rate limits',
    sql: `
      ALTER TABLE members ADD COLUMN email TEXT;
      ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
      ALTER TABLE members ADD COLUMN created_at TEXT;
      ALTER TABLE members ADD COLUMN banned_at TEXT;
      ALTER TABLE members ADD COLUMN ban_reason TEXT;
      CREATE UNIQUE INDEX members_email ON members(email) WHERE email IS NOT NULL;
      CREATE INDEX members_role ON members(role) WHERE role <> 'member';

      ALTER TABLE papers ADD COLUMN hidden_at TEXT;
      ALTER TABLE papers ADD COLUMN hidden_reason TEXT;
      CREATE INDEX papers_hidden ON papers(id) WHERE hidden_at IS NOT NULL;

      CREATE TABLE login_tokens (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
      ) STRICT;
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        csrf_secret TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sessions_member ON sessions(member_id);

      CREATE TABLE votes (
        member_id INTEGER NOT NULL REFERENCES members(id),
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (member_id, paper_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX votes_paper ON votes(paper_id);
      CREATE INDEX votes_member_time ON votes(member_id, created_at);

      CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        member_id INTEGER NOT NULL REFERENCES members(id),
        parent_id INTEGER REFERENCES comments(id),
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        deleted_at TEXT,
        hidden_at TEXT,
        hidden_reason TEXT
      ) STRICT;
      CREATE INDEX comments_paper ON comments(paper_id, id);
      CREATE INDEX comments_member ON comments(member_id, id);

      CREATE TABLE moderation_log (
        id INTEGER PRIMARY KEY,
        moderator_id INTEGER NOT NULL REFERENCES members(id),
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE rate_limits (
        key TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        hits INTEGER NOT NULL,
        PRIMARY KEY (key, window_start)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

/** Appended after version 9 (versions apply in the order of the list). */
export const adminClaimMigration: Migration = {
  version: 10,
  name: 'the pending administrator claim code, apart from job state',
  // A code pending in job state is dropped: the next start makes a new one.
  sql: `
    CREATE TABLE admin_claim (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      code_hash TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    DELETE FROM job_state WHERE key = 'admin-claim';
  `,
};

/**
 * Version 11: handles members choose, private upvotes, deleted accounts. Accounts
 * that exist already keep their handles as chosen; new ones start with a suggestion (handle_chosen = 0).
 */
export const accountPrivacyMigration: Migration = {
  version: 11,
  name: 'chosen handles, private upvotes, deleted accounts',
  sql: `
    ALTER TABLE members ADD COLUMN handle_chosen INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE members ADD COLUMN upvotes_public INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE members ADD COLUMN deleted_at TEXT;
    CREATE INDEX members_name_lower ON members(lower(name));   -- a handle is taken in any letter case
  `,
};

/** Version 13: invitation links (single-use, stored hashed) and members' private feed keys. */
export const accessMigration: Migration = {
  version: 13,
  name: 'invitations and feed keys',
  sql: `
    CREATE TABLE invitations (
      id INTEGER PRIMARY KEY,
      token_hash TEXT NOT NULL UNIQUE,
      email TEXT,
      created_by INTEGER REFERENCES members(id),
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT,
      used_by TEXT,
      revoked_at TEXT
    ) STRICT;
    CREATE TABLE feed_keys (
      member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
      salt TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    ) STRICT;
  `,
};

/** Version 14: members' personal access tokens (stored hashed; revoking deletes the row). */
export const apiTokensMigration: Migration = {
  version: 14,
  name: 'personal access tokens',
  sql: `
    CREATE TABLE api_tokens (
      id INTEGER PRIMARY KEY,
      member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
      token_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      last_used_at TEXT
    ) STRICT;
    CREATE INDEX api_tokens_member ON api_tokens(member_id);
  `,
};

/**
 * Version 19: links members edit. Once edited here, a paper's links are no longer replaced by imports
 * (links_edited_at); every edit is logged with who, when, and the links before and after.
 */
export const paperLinksMigration: Migration = {
  version: 19,
  name: 'paper links edited by members, and their log',
  sql: `
    ALTER TABLE papers ADD COLUMN links_edited_at TEXT;
    CREATE TABLE paper_link_changes (
      id INTEGER PRIMARY KEY,
      paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
      member_id INTEGER NOT NULL REFERENCES members(id),
      at TEXT NOT NULL,
      github_before TEXT,
      github_after TEXT,
      project_before TEXT,
      project_after TEXT
    ) STRICT;
    CREATE INDEX paper_link_changes_paper ON paper_link_changes(paper_id, id);
    CREATE INDEX paper_link_changes_member ON paper_link_changes(member_id);
  `,
};
