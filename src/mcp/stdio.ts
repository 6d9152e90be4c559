/**
 * MCP over stdio (`paperboy mcp`): JSON-RPC lines on stdin and stdout, so nothing else may write to stdout
 * (logs go to stderr). When stdin closes the client is gone, but the answers to requests it already sent are
 * still written: the server waits for them (at most `drainMs`), then closes and resolves.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.ts';
import { createMcpServer } from './server.ts';
import type { McpCaller, McpServices } from './tools.ts';

/** A transport that knows which requests still wait for their answer. */
class AnsweringTransport implements Transport {
  readonly #inner: Transport;
  readonly #pending = new Set<string | number>();
  #whenIdle: (() => void)[] = [];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  constructor(inner: Transport) {
    this.#inner = inner;
    inner.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) this.#pending.add(message.id);
      this.onmessage?.(message, extra);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    await this.#inner.send(message, options);
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      if (message.id !== undefined) this.#pending.delete(message.id);
      if (this.#pending.size === 0) for (const done of this.#whenIdle.splice(0)) done();
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Resolves once every request received has been answered. */
  idle(): Promise<void> {
    return this.#pending.size === 0 ? Promise.resolve() : new Promise((done) => this.#whenIdle.push(done));
  }
}

export interface StdioOptions {
  input: NodeJS.ReadableStream & { pause(): unknown };
  output: NodeJS.WritableStream;
  logger: Logger;
  /** How long to wait for pending answers once the input closed. */
  drainMs: number;
}

/** Serves until the input closes and the pending answers are written. */
export async function serveStdio(services: McpServices, caller: McpCaller, options: StdioOptions): Promise<void> {
  const server = await createMcpServer(services, caller);
  const transport = new AnsweringTransport(
    new StdioServerTransport(options.input as NodeJS.ReadStream, options.output as NodeJS.WriteStream),
  );
  await server.connect(transport);
  options.logger.info({ member: caller.account?.name ?? null, scope: caller.scope }, 'MCP server on stdio');
  await new Promise<void>((ended) => {
    options.input.once('end', ended);
    options.input.once('close', ended);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drained = await Promise.race([
    transport.idle().then(() => true),
    new Promise<boolean>((late) => {
      timer = setTimeout(() => late(false), options.drainMs);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) options.logger.warn('input closed; answers still pending were dropped after the wait');
  await server.close();
  // What was written reaches the pipe before the caller exits.
  await new Promise<void>((flushed) => options.output.write('', () => flushed()));
}
