/**
 * The JSON the API answers with, as zod schemas registered under the names the OpenAPI document gives them
 * (`components.schemas`). The shapes are built in hf-shapes.ts and the route handlers; test/openapi.test.ts
 * checks real responses against these schemas, as published in /api/openapi.json.
 *
 * Objects are loose (`additionalProperties` allowed): a client must accept fields added later.
 */
import { z } from 'zod';

/** Schemas that appear in the document by name. A route's response schema must be registered here. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const isoDateTime = z.iso.datetime().meta({ description: 'UTC, always ending in Z' });

export const Author = z
  .looseObject({ _id: z.string(), name: z.string(), hidden: z.boolean() })
  .register(apiSchemas, { id: 'Author' });

export const User = z
  .looseObject({
    _id: z.string(),
    name: z.string().meta({ description: 'Handle' }),
    fullname: z.string(),
    avatarUrl: z.string().nullable(),
    type: z.literal('user'),
    isPro: z.boolean(),
  })
  .register(apiSchemas, { id: 'User' });

export const Organization = z
  .looseObject({
    _id: z.string(),
    name: z.string().meta({ description: 'Handle, as in /orgs/NAME' }),
    fullname: z.string(),
    avatar: z.string().nullable(),
  })
  .register(apiSchemas, { id: 'Organization' });

/** Fields a paper and a list item both carry when the paper has them (left out, never null). */
const optionalPaperFields = {
  ai_summary: z.string().optional(),
  ai_keywords: z.array(z.string()).optional(),
  githubRepo: z.string().optional(),
  githubStars: z.number().int().optional(),
  projectPage: z.string().optional(),
};

const numComments = z.number().int().min(0).meta({
  description:
    'Comments on Hugging Face when the paper was imported plus comments on this instance (docs/community.md); pages show the two apart',
});

export const Paper = z
  .looseObject({
    id: z.string().meta({ description: 'arXiv id, without version' }),
    authors: z.array(Author),
    publishedAt: isoDateTime,
    submittedOnDailyAt: isoDateTime.optional(),
    submittedOnDailyBy: User.optional(),
    title: z.string(),
    summary: z.string(),
    upvotes: z.number().int(),
    discussionId: z.string(),
    ...optionalPaperFields,
    organization: Organization.optional(),
    withdrawnAt: isoDateTime.optional(),
  })
  .register(apiSchemas, { id: 'Paper' });

export const FlatPaper = Paper.extend({ numComments }).register(apiSchemas, {
  id: 'FlatPaper',
  description: 'A paper with its comment count (GET /api/papers, /api/papers/{id})',
});

export const DailyItem = z
  .looseObject({
    paper: Paper,
    publishedAt: isoDateTime,
    title: z.string(),
    summary: z.string(),
    thumbnail: z.string().meta({ description: 'Address of a thumbnail, or the empty string' }),
    numComments,
    submittedBy: User.nullable(),
    organization: Organization.optional(),
    isAuthorParticipating: z.boolean(),
    ...optionalPaperFields,
  })
  .register(apiSchemas, { id: 'DailyItem' });

export const SearchItem = z
  .looseObject({
    paper: Paper,
    title: z.string(),
    summary: z.string(),
    publishedAt: isoDateTime,
    numComments,
    isAuthorParticipating: z.boolean(),
    organization: Organization.optional(),
    ...optionalPaperFields,
  })
  .register(apiSchemas, { id: 'SearchItem' });

export const SearchResponse = z
  .looseObject({
    query: z.string(),
    mode: z.enum(['hybrid', 'lexical', 'vector']).meta({
      description: 'The mode that ran: hybrid falls back to lexical when the query cannot be embedded',
    }),
    notice: z.string().nullable().meta({ description: 'Why the result differs from what was asked, or null' }),
    total: z.number().int().min(0).meta({
      description:
        'Exact size of the match set: papers containing the words, plus papers close in meaning above the model’s similarity floor',
    }),
    lexicalTotal: z.number().int().min(0).meta({ description: 'Of total, the papers that contain the words' }),
    suggestion: z.string().optional().meta({
      description: 'When nothing matched: the query spelled as the papers spell its words ("did you mean")',
    }),
    page: z.number().int().min(0),
    limit: z.number().int().min(1),
    results: z.array(
      SearchItem.extend({
        explain: z
          .looseObject({
            lexicalRank: z.number().int().nullable(),
            vectorRank: z.number().int().nullable(),
            fusedScore: z.union([z.number(), z.literal('exact match')]),
          })
          .optional()
          .meta({ description: 'With explain=1: how the result was ranked' }),
      }),
    ),
  })
  .register(apiSchemas, { id: 'SearchResponse' });

export const Collection = z
  .looseObject({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    owner: z.string().meta({ description: 'Handle of the member who made it' }),
    public: z.boolean(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    papers: z.array(
      z.looseObject({
        id: z.string(),
        title: z.string(),
        position: z.number().int().min(0),
        addedAt: isoDateTime.nullable(),
      }),
    ),
  })
  .register(apiSchemas, { id: 'Collection' });

export const ApiError = z.looseObject({ error: z.string() }).register(apiSchemas, { id: 'Error' });

export const DailyItemList = z.array(DailyItem).register(apiSchemas, { id: 'DailyItemList' });
export const FlatPaperList = z.array(FlatPaper).register(apiSchemas, { id: 'FlatPaperList' });
export const SearchItemList = z.array(SearchItem).register(apiSchemas, { id: 'SearchItemList' });
export const OpenApiDocument = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .register(apiSchemas, { id: 'OpenApiDocument', description: 'This document' });
