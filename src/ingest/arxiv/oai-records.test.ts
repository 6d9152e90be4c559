import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MalformedXmlError,
  OaiProtocolError,
  parseGetRecord,
  parseListIdentifiers,
  parseListRecords,
  splitAuthorList,
  type OaiRecord,
} from './oai-records.ts';

const OAI = fileURLToPath(new URL('../../../test/fixtures/arxiv/oai-pmh/', import.meta.url));
const read = (name: string) => readFileSync(join(OAI, name), 'utf8');
/** After every recorded date: the newest recording is from 2026-05. */
const NOW = new Date('2026-12-01T00:00:00Z');

function paper(record: OaiRecord | undefined) {
  assert.equal(record?.kind, 'paper', JSON.stringify(record));
  return record as Extract<OaiRecord, { kind: 'paper' }>;
}

test('ListRecords (arXiv format, real 2013 response): one paper with authors, categories and created date', () => {
  const page = parseListRecords(read('ListRecords_arXiv_2013.xml'), { now: NOW });
  assert.equal(page.records.length, 1);
  assert.equal(page.resumptionToken, null);
  assert.equal(page.responseDate, '2013-04-03T13:56:49Z');
  const r = paper(page.records[0]);
  assert.equal(r.id, '0801.3931');
  assert.equal(r.datestamp, '2013-03-26');
  assert.deepEqual(r.sets, ['physics:astro-ph']);
  assert.equal(r.paper.title, 'Dynamical study of 2D and 3D barred galaxy models');
  assert.deepEqual(
    r.paper.authors.map((a) => a.name),
    ['T. Manos', 'E. Athanassoula'],
  );
  assert.deepEqual(r.paper.categories, ['astro-ph']);
  assert.equal(r.paper.publishedAt, '2008-01-25T00:00:00.000Z');
  assert.ok(
    r.paper.summary.startsWith('We study the dynamics of 2D and 3D barred galaxy analytical models, focusing on the'),
  );
  assert.ok(r.paper.summary.includes("Poincar\\'{e}"), 'entities decoded, TeX kept as arXiv wrote it');
  assert.equal(r.paper.withdrawn, undefined);
});

test('ListRecords (derived, 33 records) keeps ids as text, old-style ids included', () => {
  const page = parseListRecords(read('ListRecords_arXiv_derived.xml'), { now: NOW });
  assert.equal(page.records.length, 33);
  assert.ok(page.records.every((r) => r.kind === 'paper'));
  const ids = page.records.map((r) => (r as { id: string }).id);
  assert.ok(ids.includes('nucl-ex/0408020'));
  assert.ok(ids.includes('1605.08386'));
  assert.equal(new Set(ids).size, 33);
});

test('GetRecord (arXivRaw, real): published at the v1 timestamp, authors split from the one-line list', () => {
  const r = paper(parseGetRecord(read('GetRecord_arXivRaw_1304.4214_2013.xml'), { now: NOW }));
  assert.equal(r.id, '1304.4214');
  assert.equal(r.paper.publishedAt, '2013-04-15T19:33:21.000Z');
  assert.deepEqual(
    r.paper.authors.map((a) => a.name),
    ['Igor A. Zaliznyak', 'John M. Tranquada'],
  );
  assert.deepEqual(r.paper.categories, ['cond-mat.str-el']);
  assert.equal(r.paper.title, 'Neutron Scattering and Its Application to Strongly Correlated Systems');
  assert.equal(r.paper.withdrawn, undefined);
});

test('ListIdentifiers (real 2014): headers with ids, datestamps and sets', () => {
  const { headers, resumptionToken } = parseListIdentifiers(read('ListIdentifiers_2014.xml'));
  assert.equal(resumptionToken, null);
  assert.deepEqual(
    headers.map((h) => h.id),
    ['0705.1765', '0705.3619', '0705.3623'],
  );
  assert.deepEqual(headers[0], {
    id: '0705.1765',
    identifier: 'oai:arXiv.org:0705.1765',
    datestamp: '2014-05-06',
    sets: ['physics:gr-qc'],
    deleted: false,
  });
});

test('resumption tokens: text with cursor and size; an empty token ends the list', () => {
  const xml = read('ListRecords_arXiv_2013.xml');
  const withToken = xml.replace(
    '</ListRecords>',
    '<resumptionToken cursor="0" completeListSize="1162">6960524|1001</resumptionToken></ListRecords>',
  );
  assert.deepEqual(parseListRecords(withToken, { now: NOW }).resumptionToken, {
    token: '6960524|1001',
    cursor: 0,
    completeListSize: 1162,
  });
  const ended = xml.replace('</ListRecords>', '<resumptionToken cursor="1000" completeListSize="1162"/></ListRecords>');
  assert.deepEqual(parseListRecords(ended, { now: NOW }).resumptionToken, {
    token: null,
    cursor: 1000,
    completeListSize: 1162,
  });
});

const errorPage = (code: string, text: string) => `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-27T00:00:00Z</responseDate>
<request verb="ListRecords">https://oaipmh.arxiv.org/oai</request><error code="${code}">${text}</error></OAI-PMH>`;

test('OAI-PMH errors: noRecordsMatch is an empty list, the others are thrown with their code', () => {
  assert.deepEqual(parseListRecords(errorPage('noRecordsMatch', 'No records match'), { now: NOW }).records, []);
  assert.throws(
    () => parseListRecords(errorPage('badResumptionToken', 'expired'), { now: NOW }),
    (error: unknown) => error instanceof OaiProtocolError && error.code === 'badResumptionToken',
  );
  assert.throws(
    () => parseListRecords(errorPage('cannotDisseminateFormat', 'unknown format foo'), { now: NOW }),
    /cannotDisseminateFormat: unknown format foo/,
  );
});

test('a deleted record and a withdrawal (0kb version in arXivRaw, "withdrawn" comments in arXiv)', () => {
  const deleted = read('ListRecords_arXiv_2013.xml').replace('<header>', '<header status="deleted">');
  assert.deepEqual(parseListRecords(deleted, { now: NOW }).records, [
    { kind: 'deleted', id: '0801.3931', datestamp: '2013-03-26' },
  ]);
  const raw = read('GetRecord_arXivRaw_1304.4214_2013.xml').replace(
    '</version>',
    '</version><version version="v2"><date>Tue, 16 Apr 2013 10:00:00 GMT</date><size>0kb</size><source_type>I</source_type></version>',
  );
  const rawPaper = paper(parseGetRecord(raw, { now: NOW }));
  assert.equal(rawPaper.paper.withdrawn, true);
  assert.equal(rawPaper.paper.publishedAt, '2013-04-15T19:33:21.000Z', 'still published at v1');
  const commented = read('ListRecords_arXiv_2013.xml').replace(
    /<comments>[^<]*<\/comments>/,
    '<comments>This paper has been withdrawn by the author due to an error</comments>',
  );
  assert.equal(paper(parseListRecords(commented, { now: NOW }).records[0]).paper.withdrawn, true);
});

test('a malformed page is an error; salvage keeps the well-formed records and the token', () => {
  const records = read('ListRecords_arXiv_derived.xml');
  const broken = records
    .replace('<title>Heat-bath random walks with Markov bases</title>', '<title>Heat-bath random walks</titel>')
    .replace(
      '</ListRecords>',
      '<resumptionToken cursor="0" completeListSize="66">next</resumptionToken></ListRecords>',
    );
  assert.throws(() => parseListRecords(broken, { now: NOW }), MalformedXmlError);
  const page = parseListRecords(broken, { now: NOW, salvage: true });
  assert.equal(page.records.length, 33);
  const skipped = page.records.filter((r) => r.kind === 'skipped');
  assert.equal(skipped.length, 1);
  assert.deepEqual(skipped[0], {
    kind: 'skipped',
    id: '1605.08386',
    reason: skipped[0]!.kind === 'skipped' ? skipped[0]!.reason : '',
  });
  assert.match((skipped[0] as { reason: string }).reason, /malformed XML in record/);
  assert.equal(page.resumptionToken?.token, 'next');
  const truncated = records.slice(0, Math.floor(records.length / 2));
  assert.throws(
    () => parseListRecords(truncated, { now: NOW, salvage: true }),
    MalformedXmlError,
    'a page cut short is never taken for the end of the list',
  );
  assert.throws(
    () => parseListRecords('<html><body>Service unavailable</body></html>', { now: NOW }),
    /not an OAI-PMH response/,
  );
});

test('arXivRaw author lines: "and", Oxford commas and affiliations in parentheses', () => {
  assert.deepEqual(splitAuthorList('A. One and B. Two'), ['A. One', 'B. Two']);
  assert.deepEqual(splitAuthorList('A. One, B. Two, and C. Three'), ['A. One', 'B. Two', 'C. Three']);
  assert.deepEqual(splitAuthorList('A. One (MIT, Cambridge), B. Two (ETH)'), [
    'A. One (MIT, Cambridge)',
    'B. Two (ETH)',
  ]);
  assert.deepEqual(splitAuthorList('  A.\n  Long Name  '), ['A. Long Name']);
});
