/**
 * Reads arXiv OAI-PMH responses (ListRecords, GetRecord, ListIdentifiers) into typed records. Each record is
 * judged on its own: one that cannot become a paper (no id, unknown metadata format, a date in the future, a field
 * over the import limits of domain/import-limits.ts…) is returned as `skipped` with the reason, and the others go on.
 */
import { z } from 'zod';
import type { PaperAuthor, PaperInput } from '../../domain/types.ts';
import { normalizeArxivId } from '../../domain/arxiv-id.ts';
import { cleanTitle } from '../../domain/paper-record.ts';
import { paperOverLimits } from '../../domain/import-limits.ts';
import { parseDay, toIsoInstant } from '../../domain/periods.ts';
import { MalformedXmlError, parseXml, xmlProblem, xmlText } from './xml.ts';

/** arXiv stamps records with its own (US Eastern) day; allow for that and for clock skew. */
const FUTURE_TOLERANCE_MS = 36 * 3_600_000;

export type MetadataPrefix = 'arXiv' | 'arXivRaw';

export type OaiRecord =
  | {
      kind: 'paper';
      id: string;
      /** YYYY-MM-DD: when arXiv last changed the record. */
      datestamp: string;
      sets: string[];
      paper: PaperInput;
      /** Author affiliations where the format gives them (auto-feature rules match organizations on them). */
      affiliations: string[];
    }
  | { kind: 'deleted'; id: string; datestamp: string }
  | { kind: 'skipped'; id: string | null; reason: string };

export interface ResumptionToken {
  /** null (or empty in the XML) when the list is complete. */
  token: string | null;
  cursor: number | null;
  completeListSize: number | null;
}

export interface ListRecordsPage {
  records: OaiRecord[];
  resumptionToken: ResumptionToken | null;
  responseDate: string | null;
}

export interface OaiHeader {
  id: string | null;
  identifier: string;
  datestamp: string;
  sets: string[];
  deleted: boolean;
}

/** An OAI-PMH <error> answer, e.g. badResumptionToken or cannotDisseminateFormat. */
export class OaiProtocolError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(`OAI-PMH error ${code}: ${message}`);
    this.code = code;
  }
}

export { MalformedXmlError };

export interface ParseOptions {
  now?: Date;
  /** When the page is not well-formed, cut it at record boundaries and keep the records that are. */
  salvage?: boolean;
}

// ---- shapes of the parsed XML ----

const header = z.object({
  identifier: xmlText.optional(),
  datestamp: xmlText.optional(),
  setSpec: z.array(xmlText).optional(),
  '@_status': z.string().optional(),
});

const optionalText = xmlText.optional();

const arxivFormat = z.object({
  id: optionalText,
  created: optionalText,
  updated: optionalText,
  authors: z
    .union([
      z.literal(''),
      z.object({
        author: z.array(
          z.object({
            keyname: xmlText,
            forenames: optionalText,
            suffix: optionalText,
            affiliation: z.array(xmlText).optional(),
          }),
        ),
      }),
    ])
    .optional(),
  title: optionalText,
  categories: optionalText,
  comments: optionalText,
  abstract: optionalText,
});

const arxivRawFormat = z.object({
  id: optionalText,
  submitter: optionalText,
  version: z
    .array(
      z.object({
        '@_version': z.string().optional(),
        date: xmlText,
        size: optionalText,
      }),
    )
    .optional(),
  title: optionalText,
  authors: optionalText,
  categories: optionalText,
  comments: optionalText,
  abstract: optionalText,
});

const record = z.object({
  header: z
    .array(header)
    .min(1)
    .transform((headers) => headers[0]!),
  metadata: z.union([z.literal(''), z.record(z.string(), z.unknown())]).optional(),
});

const tokenNode = z.union([
  z.string().transform((token): ResumptionToken => ({ token: token || null, cursor: null, completeListSize: null })),
  z
    .object({
      '#text': z.string().optional(),
      '@_cursor': z.string().optional(),
      '@_completeListSize': z.string().optional(),
    })
    .transform(
      (node): ResumptionToken => ({
        token: node['#text'] || null,
        cursor: toCount(node['@_cursor']),
        completeListSize: toCount(node['@_completeListSize']),
      }),
    ),
]);

const envelope = z.object({
  'OAI-PMH': z.object(
    {
      responseDate: optionalText,
      error: z
        .array(
          z.union([
            z.string().transform((message) => ({ code: 'unknown', message })),
            z
              .object({ '#text': z.string().optional(), '@_code': z.string().optional() })
              .transform((e) => ({ code: e['@_code'] ?? 'unknown', message: e['#text'] ?? '' })),
          ]),
        )
        .optional(),
      ListRecords: z
        .union([
          z.literal(''),
          z.object({ record: z.array(z.unknown()).optional(), resumptionToken: tokenNode.optional() }),
        ])
        .optional(),
      GetRecord: z.object({ record: z.array(z.unknown()) }).optional(),
      ListIdentifiers: z
        .union([
          z.literal(''),
          z.object({ header: z.array(z.unknown()).optional(), resumptionToken: tokenNode.optional() }),
        ])
        .optional(),
    },
    { error: 'not an OAI-PMH response (no <OAI-PMH> root element)' },
  ),
});

type Envelope = z.infer<typeof envelope>['OAI-PMH'];

function toCount(text: string | undefined): number | null {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 0 ? n : null;
}

function readEnvelope(xml: string): Envelope {
  const parsed = envelope.safeParse(parseXml(xml));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MalformedXmlError(
      `unexpected OAI-PMH response: ${issue.path.slice(1).join('.') || '(document)'}: ${issue.message}`,
    );
  }
  return parsed.data['OAI-PMH'];
}

/** Throws the first OAI-PMH error of a response, except noRecordsMatch, which is an empty answer. */
function throwErrors(oai: Envelope): { empty: boolean } {
  const errors = oai.error ?? [];
  if (errors.length === 0) return { empty: false };
  if (errors.every((e) => e.code === 'noRecordsMatch')) return { empty: true };
  const first = errors.find((e) => e.code !== 'noRecordsMatch')!;
  throw new OaiProtocolError(first.code, first.message.trim() || '(no message)');
}

// ---- the verbs ----

export function parseListRecords(xml: string, options: ParseOptions = {}): ListRecordsPage {
  const now = options.now ?? new Date();
  let salvaged: OaiRecord[] = [];
  let text = xml;
  if (options.salvage && xmlProblem(xml) !== null) ({ text, skipped: salvaged } = dropMalformedRecords(xml));
  const oai = readEnvelope(text);
  const { empty } = throwErrors(oai);
  const list = oai.ListRecords;
  if (empty || list === undefined || list === '') {
    if (!empty && list === undefined)
      throw new MalformedXmlError('unexpected OAI-PMH response: no <ListRecords> element');
    return { records: salvaged, resumptionToken: null, responseDate: oai.responseDate ?? null };
  }
  const records = (list.record ?? []).map((raw) => toOaiRecord(raw, now));
  return {
    records: [...salvaged, ...records],
    resumptionToken: list.resumptionToken ?? null,
    responseDate: oai.responseDate ?? null,
  };
}

export function parseGetRecord(xml: string, options: ParseOptions = {}): OaiRecord {
  const oai = readEnvelope(xml);
  throwErrors(oai);
  const raw = oai.GetRecord?.record[0];
  if (raw === undefined) throw new MalformedXmlError('unexpected OAI-PMH response: no <GetRecord><record>');
  return toOaiRecord(raw, options.now ?? new Date());
}

export function parseListIdentifiers(xml: string): { headers: OaiHeader[]; resumptionToken: ResumptionToken | null } {
  const oai = readEnvelope(xml);
  const { empty } = throwErrors(oai);
  const list = oai.ListIdentifiers;
  if (empty || list === undefined || list === '') return { headers: [], resumptionToken: null };
  const headers = (list.header ?? []).flatMap((raw): OaiHeader[] => {
    const parsed = header.safeParse(raw);
    if (!parsed.success || !parsed.data.identifier || !parsed.data.datestamp) return [];
    const h = parsed.data;
    return [
      {
        id: idFromIdentifier(h.identifier!),
        identifier: h.identifier!,
        datestamp: h.datestamp!,
        sets: h.setSpec ?? [],
        deleted: h['@_status'] === 'deleted',
      },
    ];
  });
  return { headers, resumptionToken: list.resumptionToken ?? null };
}

// ---- one record ----

/** "oai:arXiv.org:0801.3931" -> "0801.3931". */
export function idFromIdentifier(identifier: string): string | null {
  const prefix = 'oai:arXiv.org:';
  return identifier.startsWith(prefix) ? normalizeArxivId(identifier.slice(prefix.length)) : null;
}

function toOaiRecord(raw: unknown, now: Date): OaiRecord {
  const parsed = record.safeParse(raw);
  if (!parsed.success)
    return {
      kind: 'skipped',
      id: null,
      reason: `record has no readable <header> (${parsed.error.issues[0]!.message})`,
    };
  const { header: h, metadata } = parsed.data;
  const headerId = h.identifier ? idFromIdentifier(h.identifier) : null;
  const datestamp = parseDay((h.datestamp ?? '').slice(0, 10));
  if (h['@_status'] === 'deleted') {
    if (!headerId) return { kind: 'skipped', id: null, reason: 'deleted record without an arXiv identifier' };
    return { kind: 'deleted', id: headerId, datestamp: datestamp ?? '' };
  }
  if (!datestamp)
    return {
      kind: 'skipped',
      id: headerId,
      reason: `header datestamp is not a date: ${(h.datestamp ?? '(none)').slice(0, 40)}`,
    };
  if (Date.parse(`${datestamp}T00:00:00Z`) > now.getTime() + FUTURE_TOLERANCE_MS) {
    return { kind: 'skipped', id: headerId, reason: `datestamp ${datestamp} is in the future` };
  }
  const formats = metadata ? Object.keys(metadata).filter((k) => !k.startsWith('@_')) : [];
  if (formats.length === 0) return { kind: 'skipped', id: headerId, reason: 'record has no metadata' };
  const format = formats[0]!;
  const base = { headerId, datestamp, sets: h.setSpec ?? [], now };
  if (format === 'arXiv') return fromArxivFormat((metadata as Record<string, unknown>).arXiv, base);
  if (format === 'arXivRaw') return fromArxivRawFormat((metadata as Record<string, unknown>).arXivRaw, base);
  return { kind: 'skipped', id: headerId, reason: `unknown metadata format <${format}> (expected arXiv or arXivRaw)` };
}

interface RecordContext {
  headerId: string | null;
  datestamp: string;
  sets: string[];
  now: Date;
}

interface CommonFields {
  id?: string | undefined;
  title?: string | undefined;
  abstract?: string | undefined;
  categories?: string | undefined;
  comments?: string | undefined;
}

/** Checks shared by both formats; the paper without authors and dates, or the reason to skip. */
function commonChecks(
  m: CommonFields,
  ctx: RecordContext,
): { id: string; title: string; summary: string; categories: string[] } | { reason: string; id: string | null } {
  const id = normalizeArxivId(m.id ?? '');
  if (!id)
    return {
      id: ctx.headerId,
      reason: m.id ? `metadata id is not an arXiv id: ${m.id.slice(0, 40)}` : 'record without an id',
    };
  if (ctx.headerId && ctx.headerId !== id)
    return { id, reason: `header identifier ${ctx.headerId} does not match metadata id ${id}` };
  const title = cleanTitle(m.title ?? '');
  if (!title) return { id, reason: 'record without a title' };
  return {
    id,
    title,
    summary: cleanAbstract(m.abstract ?? ''),
    categories: (m.categories ?? '').split(/\s+/).filter(Boolean),
  };
}

/**
 * A paper over the import limits is skipped like any other record that cannot be used (the limits are measured on
 * what would be stored: the title and abstract with their line breaks made spaces).
 */
export function skippedIfOverLimits<T extends { kind: 'paper'; id: string; paper: PaperInput }>(
  record: T,
): T | { kind: 'skipped'; id: string; reason: string } {
  const problem = paperOverLimits(record.paper);
  return problem === null ? record : { kind: 'skipped', id: record.id, reason: problem };
}

function inFuture(iso: string, now: Date): boolean {
  return Date.parse(iso) > now.getTime() + FUTURE_TOLERANCE_MS;
}

function fromArxivFormat(raw: unknown, ctx: RecordContext): OaiRecord {
  const parsed = arxivFormat.safeParse(raw);
  if (!parsed.success)
    return { kind: 'skipped', id: ctx.headerId, reason: `unreadable arXiv metadata: ${describeIssue(parsed.error)}` };
  const m = parsed.data;
  const common = commonChecks(m, ctx);
  if ('reason' in common) return { kind: 'skipped', id: common.id, reason: common.reason };
  const created = m.created ? parseDay(m.created.slice(0, 10)) : null;
  if (m.created && !created)
    return { kind: 'skipped', id: common.id, reason: `created is not a date: ${m.created.slice(0, 40)}` };
  const publishedAt = `${created ?? ctx.datestamp}T00:00:00.000Z`;
  if (inFuture(publishedAt, ctx.now))
    return { kind: 'skipped', id: common.id, reason: `created date ${created} is in the future` };
  const people = m.authors ? m.authors.author : [];
  const authors: PaperAuthor[] = people
    .map((a) => ({
      name: [a.forenames, a.keyname, a.suffix]
        .filter((part) => part?.trim())
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
      externalId: null,
      hidden: false,
    }))
    .filter((a) => a.name !== '');
  return skippedIfOverLimits({
    kind: 'paper',
    id: common.id,
    datestamp: ctx.datestamp,
    sets: ctx.sets,
    affiliations: people.flatMap((a) => a.affiliation ?? []),
    paper: {
      id: common.id,
      title: common.title,
      summary: common.summary,
      publishedAt,
      authors,
      categories: common.categories,
      withdrawn: isWithdrawalNote(m.comments) ? true : undefined,
    },
  });
}

function fromArxivRawFormat(raw: unknown, ctx: RecordContext): OaiRecord {
  const parsed = arxivRawFormat.safeParse(raw);
  if (!parsed.success)
    return {
      kind: 'skipped',
      id: ctx.headerId,
      reason: `unreadable arXivRaw metadata: ${describeIssue(parsed.error)}`,
    };
  const m = parsed.data;
  const common = commonChecks(m, ctx);
  if ('reason' in common) return { kind: 'skipped', id: common.id, reason: common.reason };
  const versions = [...(m.version ?? [])].sort((a, b) => versionNumber(a['@_version']) - versionNumber(b['@_version']));
  const first = versions[0];
  const publishedAt = first ? toIsoInstant(first.date) : `${ctx.datestamp}T00:00:00.000Z`;
  if (!publishedAt)
    return { kind: 'skipped', id: common.id, reason: `version date is not a date: ${first!.date.slice(0, 40)}` };
  if (inFuture(publishedAt, ctx.now))
    return { kind: 'skipped', id: common.id, reason: `first version date ${publishedAt} is in the future` };
  // A withdrawal is announced as a new version without source files: arXiv lists its size as 0kb.
  const latest = versions.at(-1);
  const withdrawn = (latest !== undefined && latest.size?.trim() === '0kb') || isWithdrawalNote(m.comments);
  return skippedIfOverLimits({
    kind: 'paper',
    id: common.id,
    datestamp: ctx.datestamp,
    sets: ctx.sets,
    affiliations: [],
    paper: {
      id: common.id,
      title: common.title,
      summary: common.summary,
      publishedAt,
      authors: splitAuthorList(m.authors ?? '').map((name) => ({ name, externalId: null, hidden: false })),
      categories: common.categories,
      withdrawn: withdrawn ? true : undefined,
    },
  });
}

function versionNumber(label: string | undefined): number {
  const n = Number((label ?? '').replace(/^v/, ''));
  return Number.isFinite(n) ? n : 0;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(metadata)'}: ${issue.message}`;
}

/** arXiv abstracts keep the line breaks of the submission form; one space reads the same and indexes better. */
export function cleanAbstract(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** arXiv's convention for withdrawals: the comments say "This paper has been withdrawn…" or begin "Withdrawn". */
export function isWithdrawalNote(comments: string | undefined): boolean {
  if (!comments) return false;
  const text = comments.trim().toLowerCase();
  return (
    text.startsWith('withdrawn') || /\b(has|have) been withdrawn\b/.test(text) || text.includes('paper is withdrawn')
  );
}

/**
 * arXivRaw gives authors as one line: "A and B" or "A, B, and C", sometimes with affiliations in parentheses
 * that may themselves contain commas. Splits at commas and " and " outside parentheses.
 */
export function splitAuthorList(line: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let current = '';
  const text = line.replace(/\s+/g, ' ');
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '(') depth++;
    if (char === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && char === ',') {
      names.push(current);
      current = '';
      continue;
    }
    if (depth === 0 && text.startsWith(' and ', i)) {
      names.push(current);
      current = '';
      i += 4;
      continue;
    }
    current += char;
  }
  names.push(current);
  return names.map((n) => n.replace(/^and /, '').trim()).filter(Boolean);
}

// ---- salvage ----

/**
 * Used only after a page was refetched and is still not well-formed: cuts it at the literal <record> tags that
 * arXiv writes (no attributes, never nested), drops the records that are not well-formed on their own and
 * leaves the rest, including the resumption token, to the XML parser. A page that was cut short still fails
 * as a whole, because its tail cannot be parsed: so a lost tail never looks like the end of the list.
 */
function dropMalformedRecords(xml: string): { text: string; skipped: OaiRecord[] } {
  const open = '<record>';
  const close = '</record>';
  const skipped: OaiRecord[] = [];
  let text = '';
  let position = 0;
  for (;;) {
    const start = xml.indexOf(open, position);
    if (start === -1) break;
    const nextStart = xml.indexOf(open, start + open.length);
    const end = xml.indexOf(close, start);
    // A record whose end tag is missing runs into the next record: it ends where the next begins.
    const stop = end !== -1 && (nextStart === -1 || end < nextStart) ? end + close.length : nextStart;
    if (stop === -1) break;
    const chunk = xml.slice(start, stop);
    text += xml.slice(position, start);
    const problem = xmlProblem(chunk);
    if (problem === null) text += chunk;
    else skipped.push({ kind: 'skipped', id: identifierIn(chunk), reason: `malformed XML in record: ${problem}` });
    position = stop;
  }
  if (skipped.length === 0) throw new MalformedXmlError(`malformed XML: ${xmlProblem(xml)}`);
  return { text: text + xml.slice(position), skipped };
}

/** Best effort, for the log line only: the identifier of a record that could not be parsed. */
function identifierIn(chunk: string): string | null {
  const start = chunk.indexOf('<identifier>');
  const end = chunk.indexOf('</identifier>', start);
  return start === -1 || end === -1 ? null : idFromIdentifier(chunk.slice(start + '<identifier>'.length, end).trim());
}
