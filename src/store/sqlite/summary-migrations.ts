/** Version 17: summaries and keywords generated here by a language model, with the model and the date. */
import type { Migration } from './migration.ts';

export const summaryMigration: Migration = {
  version: 17,
  name: 'generated summaries: text, keywords, model, date; claims of the papers being summarized',
  sql: `
    -- Apart from the imported ai_summary / ai_keywords, which an import may replace: a label never outlives its text.
    ALTER TABLE papers ADD COLUMN generated_summary TEXT;
    ALTER TABLE papers ADD COLUMN generated_keywords TEXT;    -- JSON string[]
    ALTER TABLE papers ADD COLUMN generated_model TEXT;
    ALTER TABLE papers ADD COLUMN generated_at TEXT;
    CREATE INDEX papers_generated_at ON papers(generated_at) WHERE generated_at IS NOT NULL;
    -- Which worker is summarizing which paper, until when: two workers never pay for the same summary.
    CREATE TABLE summary_claims (
      paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
      claimed_until TEXT NOT NULL
    ) STRICT;
  `,
};
