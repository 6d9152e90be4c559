/**
 * A fetch() for URLs that come from data (avatars of imported organizations and members, a mirrored
 * upstream's answers): it connects to public addresses only, so that such a URL cannot make the instance
 * request its own network (a cloud's metadata service at 169.254.169.254, an admin page on localhost, the
 * database). The check is made on the address the socket really connects to (a lookup function given to the
 * connection), not on a name resolved beforehand, which could resolve elsewhere a moment later. Redirects
 * are followed by hand, each hop checked the same way. Bodies come as sent (no decompression is asked for:
 * images are compressed already).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { RefusedFetchError } from '../ingest/arxiv/polite-fetch.ts';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Addresses no fetch from data may reach: this host, private networks, link-local, and other special ranges. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are checked against the IPv4 rules by BlockList itself.
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The request was refused before it was made: the name leads to an address that is not public. */
export class NotPublicError extends RefusedFetchError {}

const publicLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) {
      callback(error, '', 4);
      return;
    }
    const allowed = addresses.filter((a) => isPublicAddress(a.address));
    if (allowed.length === 0) {
      callback(new NotPublicError(`${hostname} resolves to an address that is not public`), '', 4);
      return;
    }
    // Node asks for every address (options.all) when it tries families in turn (autoSelectFamily), else one.
    if (options.all) (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, allowed);
    else callback(null, allowed[0]!.address, allowed[0]!.family);
  });
};

export interface PublicFetchOptions {
  /** Tests serve images from 127.0.0.1: they allow what production refuses. */
  allowPrivateAddresses?: boolean;
}

/** GET only (what the polite fetcher asks for); the signal aborts the request and the reading of its body. */
export function publicFetch(options: PublicFetchOptions = {}): typeof fetch {
  const allowPrivate = options.allowPrivateAddresses === true;
  return async (input, init) => {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('publicFetch takes a URL');
    if ((init?.method ?? 'GET') !== 'GET') throw new TypeError('publicFetch only GETs');
    const headers = new Headers(init?.headers);
    let url = new URL(input);
    for (let hop = 0; ; hop++) {
      const response = await getOnce(url, headers, allowPrivate, init?.signal ?? undefined);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || typeof location !== 'string') return toResponse(response);
      response.resume();
      if (hop === MAX_REDIRECTS) throw new TypeError(`${input}: more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
    }
  };
}

function getOnce(
  url: URL,
  headers: Headers,
  allowPrivate: boolean,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new TypeError(`${url.protocol} URLs are not fetched`));
  // A literal address is connected to without a lookup: it is checked here instead.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) !== 0 && !isPublicAddress(literal)) {
    return Promise.reject(new NotPublicError(`${url.hostname} is not a public address`));
  }
  const requestOptions: RequestOptions = {
    method: 'GET',
    headers: Object.fromEntries(headers),
    signal,
    ...(allowPrivate ? {} : { lookup: publicLookup }),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, requestOptions, resolve);
    request.once('error', reject);
    request.end();
  });
}

function toResponse(message: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const status = message.statusCode ?? 502;
  const noBody = status === 204 || status === 205 || status === 304;
  if (noBody) message.resume();
  const body = noBody ? null : (Readable.toWeb(message) as ReadableStream<Uint8Array>);
  return new Response(body, { status, headers });
}
