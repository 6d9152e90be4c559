/**
 * The one XML reader of the arXiv clients (fast-xml-parser). Documents are checked for well-formedness first:
 * the parser alone is lenient and would turn a truncated page into a plausible-looking partial object.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

export class MalformedXmlError extends Error {}

/**
 * Elements that may repeat, so that one occurrence still parses as a list. By name only: matching on the path
 * would be exact but costs a quarter of the parse time, and none of these names occurs elsewhere in a single
 * form in arXiv's responses ("header" is a list in ListIdentifiers and in a record alike).
 */
const REPEATED = new Set([
  'error',
  'record',
  'header',
  'setSpec',
  'author',
  'affiliation',
  'version',
  'entry',
  'link',
  'category',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // arXiv's formats live in their own namespaces (arXiv:, arxiv:, opensearch:); local names are unambiguous here.
  removeNSPrefix: true,
  // Ids like "0801.3931" must stay text, not become the number 801.3931.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  jPath: false,
  isArray: (name: string) => REPEATED.has(name),
});

/** Parses a whole document; throws MalformedXmlError saying where it is broken. */
export function parseXml(xml: string): unknown {
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw new MalformedXmlError(
      `malformed XML: ${verdict.err.msg} (line ${verdict.err.line}, column ${verdict.err.col})`,
    );
  }
  return parser.parse(xml);
}

/** Whether a fragment is well-formed on its own; the reason when it is not. */
export function xmlProblem(fragment: string): string | null {
  const verdict = XMLValidator.validate(fragment);
  return verdict === true ? null : `${verdict.err.msg} (line ${verdict.err.line}, column ${verdict.err.col})`;
}

/** Text content: a plain string, or `#text` when the element also has attributes ('' when it has none). */
export const xmlText = z.union([
  z.string(),
  z.object({ '#text': z.string().optional() }).transform((node) => node['#text'] ?? ''),
]);
