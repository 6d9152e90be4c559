/**
 * The OAI-PMH verbs Paperboy uses against arXiv (https://oaipmh.arxiv.org/oai by default). A page that arrives
 * malformed is fetched again (a body cut short in transit is the usual cause); only a page that stays malformed
 * is salvaged record by record.
 */
import type { Logger } from '../../log.ts';
import type { PoliteFetcher } from './polite-fetch.ts';
import { MalformedXmlError } from './xml.ts';
import {
  OaiProtocolError,
  parseGetRecord,
  parseListIdentifiers,
  parseListRecords,
  type ListRecordsPage,
  type MetadataPrefix,
  type OaiHeader,
  type OaiRecord,
  type ResumptionToken,
} from './oai-records.ts';

export interface ListQuery {
  metadataPrefix: MetadataPrefix;
  /** Inclusive YYYY-MM-DD bounds on the record datestamps. */
  from?: string | null | undefined;
  until?: string | null | undefined;
  set?: string | null | undefined;
}

export type ListRequest = ListQuery | { resumptionToken: string };

export interface OaiClientOptions {
  baseUrl: string;
  fetcher: PoliteFetcher;
  logger?: Logger | undefined;
  /** Fetches of a page that does not parse before it is salvaged. */
  malformedAttempts?: number;
  now?: () => Date;
}

export class OaiPmhClient {
  readonly #options: OaiClientOptions;

  constructor(options: OaiClientOptions) {
    this.#options = options;
  }

  url(verb: string, request: ListRequest | { identifier: string; metadataPrefix: MetadataPrefix }): string {
    const url = new URL(this.#options.baseUrl);
    url.searchParams.set('verb', verb);
    // A resumption token stands for the whole query: OAI-PMH forbids sending it with other arguments.
    if ('resumptionToken' in request) {
      url.searchParams.set('resumptionToken', request.resumptionToken);
      return url.toString();
    }
    url.searchParams.set('metadataPrefix', request.metadataPrefix);
    if ('identifier' in request) {
      url.searchParams.set('identifier', request.identifier);
      return url.toString();
    }
    if (request.from) url.searchParams.set('from', request.from);
    if (request.until) url.searchParams.set('until', request.until);
    if (request.set) url.searchParams.set('set', request.set);
    return url.toString();
  }

  async listRecords(request: ListRequest): Promise<ListRecordsPage> {
    return this.#fetchParsed(this.url('ListRecords', request), (xml, salvage) =>
      parseListRecords(xml, { now: this.#now(), salvage }),
    );
  }

  async getRecord(id: string, metadataPrefix: MetadataPrefix = 'arXivRaw'): Promise<OaiRecord> {
    return this.#fetchParsed(this.url('GetRecord', { identifier: `oai:arXiv.org:${id}`, metadataPrefix }), (xml) =>
      parseGetRecord(xml, { now: this.#now() }),
    );
  }

  async listIdentifiers(
    request: ListRequest,
  ): Promise<{ headers: OaiHeader[]; resumptionToken: ResumptionToken | null }> {
    return this.#fetchParsed(this.url('ListIdentifiers', request), (xml) => parseListIdentifiers(xml));
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  async #fetchParsed<T>(url: string, parse: (xml: string, salvage: boolean) => T): Promise<T> {
    const attempts = this.#options.malformedAttempts ?? 3;
    let lastError: MalformedXmlError | null = null;
    let lastText = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const response = await this.#options.fetcher.get(url);
      // OAI-PMH reports its own errors in a 200 body; arXiv also sends them with 4xx statuses.
      if (response.status >= 400 && !response.text.includes('<OAI-PMH')) {
        throw new OaiProtocolError(`HTTP ${response.status}`, response.text.slice(0, 200) || 'no body');
      }
      try {
        return parse(response.text, false);
      } catch (error) {
        if (!(error instanceof MalformedXmlError)) throw error;
        lastError = error;
        lastText = response.text;
        this.#options.logger?.warn(
          { url, attempt, reason: error.message },
          'OAI-PMH page is malformed; fetching it again',
        );
      }
    }
    try {
      return parse(lastText, true);
    } catch (error) {
      if (error instanceof MalformedXmlError)
        throw new MalformedXmlError(`${url}: ${lastError?.message ?? error.message}`);
      throw error;
    }
  }
}
