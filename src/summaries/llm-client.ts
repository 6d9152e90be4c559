/**
 * A client of any OpenAI-compatible chat-completions endpoint (OpenAI, a vLLM or llama.cpp server, Ollama,
 * LiteLLM…): one POST of a system and a user message, the assistant's text back. Every way it can go wrong
 * is an LlmError that says whether trying again later could help: a rate limit (429, with the wait it asks
 * for), a server error or a time-out are transient; a refusal (401, 404, 400) or an answer of another shape
 * are not.
 */
import { z } from 'zod';

export interface LlmClientOptions {
  /** The endpoint: a base URL (…/v1) to which /chat/completions is added, or the full …/chat/completions URL. */
  url: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
  userAgent: string;
  fetch?: typeof fetch;
}

export class LlmError extends Error {
  readonly transient: boolean;
  /** How long the endpoint asked to be left alone (429 with Retry-After), in ms. */
  readonly retryAfterMs: number | null;

  constructor(message: string, transient: boolean, retryAfterMs: number | null = null) {
    super(message);
    this.transient = transient;
    this.retryAfterMs = retryAfterMs;
  }
}

const completion = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable() }) }))
    .min(1, 'an answer without choices'),
});

/** Answers longer than this are not read: a summary is a few hundred bytes. */
const MAX_ANSWER_BYTES = 256 * 1024;

export function chatCompletionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/chat/completions') ? trimmed : `${trimmed}/chat/completions`;
}

export class LlmClient {
  readonly #options: LlmClientOptions;
  readonly #url: string;

  constructor(options: LlmClientOptions) {
    this.#options = options;
    this.#url = chatCompletionsUrl(options.url);
  }

  get model(): string {
    return this.#options.model;
  }

  async complete(system: string, user: string, signal?: AbortSignal): Promise<string> {
    const o = this.#options;
    const timeout = AbortSignal.timeout(o.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await (o.fetch ?? fetch)(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': o.userAgent,
          ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: o.model,
          temperature: 0.2,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
        }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) throw new LlmError(`no answer within ${o.timeoutMs} ms`, true);
      throw new LlmError(`the endpoint could not be reached: ${(error as Error).message}`, true);
    }
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      throw new LlmError('rate limited (HTTP 429)', true, Number.isFinite(seconds) ? seconds * 1000 : null);
    }
    if (response.status >= 500 || response.status === 408) throw new LlmError(`HTTP ${response.status}`, true);
    if (response.status !== 200) throw new LlmError(`HTTP ${response.status}: ${text.slice(0, 200)}`, false);
    if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) throw new LlmError('an answer larger than 256 KB', false);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LlmError('an answer that is not JSON', false);
    }
    const checked = completion.safeParse(parsed);
    if (!checked.success) throw new LlmError('an answer that is not a chat completion', false);
    const content = checked.data.choices[0]!.message.content;
    if (!content) throw new LlmError('an empty answer', false);
    return content;
  }
}
