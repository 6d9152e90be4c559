/** Versioned schema of the embedded store. Append new versions; never edit one that has shipped. */
import type { Migration } from './migration.ts';
import { titleKey } from '../../domain/analyzer.ts';
import {
  accessMigration,
  apiTokensMigration,
  accountPrivacyMigration,
  adminClaimMigration,
  communityMigrations,
  paperLinksMigration,
} from './community-migrations.ts';
import { digestLeaseMigration, digestMigrations } from './digest-migrations.ts';
import { collectionMigrations } from './collection-migrations.ts';
import { imageMigrations } from './image-migrations.ts';
import { upkeepMigration } from './upkeep-migrations.ts';
import { instanceMigration } from './instance-migrations.ts';
import { summaryMigration } from './summary-migrations.ts';
import { claimMigration } from './claim-migrations.ts';

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'papers, authors, organizations, members, daily entries',
    sql: `
      CREATE TABLE organizations (
        name TEXT PRIMARY KEY,
        fullname TEXT NOT NULL,
        avatar TEXT,
        external_id TEXT
      );
      CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        fullname TEXT NOT NULL,
        avatar_url TEXT,
        external_id TEXT
      );
      CREATE TABLE papers (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        published_at TEXT NOT NULL,
        authors TEXT NOT NULL,              -- JSON [{name, externalId, hidden}] in order
        categories TEXT NOT NULL,           -- JSON string[]
        organization_name TEXT REFERENCES organizations(name),
        github_repo TEXT,
        github_stars INTEGER,
        project_page TEXT,
        ai_summary TEXT,
        ai_keywords TEXT NOT NULL,          -- JSON string[]
        withdrawn INTEGER NOT NULL DEFAULT 0,
        discussion_id TEXT,
        upvotes_source INTEGER NOT NULL DEFAULT 0,
        local_upvotes INTEGER NOT NULL DEFAULT 0,
        upvotes INTEGER NOT NULL DEFAULT 0,          -- upvotes_source + local_upvotes
        num_comments_source INTEGER NOT NULL DEFAULT 0,
        local_comments INTEGER NOT NULL DEFAULT 0,
        num_comments INTEGER NOT NULL DEFAULT 0,     -- num_comments_source + local_comments
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX papers_organization ON papers(organization_name, published_at);
      CREATE INDEX papers_published ON papers(published_at);
      CREATE TABLE authors (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE TABLE paper_authors (
        author_id INTEGER NOT NULL REFERENCES authors(id),
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (author_id, paper_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX paper_authors_paper ON paper_authors(paper_id);
      CREATE TABLE daily_entries (
        day TEXT NOT NULL,
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        submitted_at TEXT NOT NULL,
        submitted_by INTEGER REFERENCES members(id),
        listed_published_at TEXT NOT NULL,
        thumbnail TEXT,
        is_author_participating INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT 'import',       -- 'import' or 'member'
        PRIMARY KEY (day, paper_id)
      ) STRICT;
      CREATE INDEX daily_entries_paper ON daily_entries(paper_id, day);
      CREATE INDEX daily_entries_submitter ON daily_entries(submitted_by, day);
    `,
  },
  {
    version: 2,
    name: 'exact-title keys',
    sql: `
      ALTER TABLE papers ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
      CREATE INDEX papers_title_key ON papers(title_key);
    `,
    backfill: (db) => {
      const setKey = db.sql('UPDATE papers SET title_key = ? WHERE rowid = ?');
      for (const row of db.sql('SELECT rowid, title FROM papers').all())
        setKey.run(titleKey(String(row.title)), Number(row.rowid));
    },
  },
  {
    version: 3,
    name: 'embedding models; their vectors live in one sqlite-vec table per model',
    sql: `
      CREATE TABLE embedding_models (
        id TEXT PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        dimensions INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'job state (e.g. where a harvest got to)',
    sql: `
      CREATE TABLE job_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  ...communityMigrations,
  ...digestMigrations,
  ...collectionMigrations,
  {
    version: 8,
    name: 'write sequence of papers: other processes find what changed since they last looked',
    sql: `
      ALTER TABLE papers ADD COLUMN write_seq INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX papers_write_seq ON papers(write_seq);
    `,
  },
  digestLeaseMigration,
  adminClaimMigration,
  accountPrivacyMigration,
  ...imageMigrations,
  accessMigration,
  apiTokensMigration,
  upkeepMigration,
  instanceMigration,
  summaryMigration,
  paperLinksMigration,
  claimMigration,
];
