/**
 * Outgoing email: SMTP through nodemailer when SMTP_URL is set, otherwise each message is written as an .eml
 * file to the outbox folder (the embedded default; /dev/outbox lists them). Both build the message with
 * nodemailer, so what lands in the outbox is byte for byte what SMTP would have carried.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { MailConfig } from '../config.ts';
import { folderWriteProblem, fsReason, removeQuietly } from '../disk-check.ts';

export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string> | undefined;
  /** A Message-ID to use instead of a random one, e.g. `<digest.daily.2026-07-24.s42@example.org>`: a message
   *  sent again after a crash keeps its id, so that receivers can tell it is the same message. */
  messageId?: string | undefined;
}

export interface SentMessage {
  messageId: string;
  /** The .eml file written, in outbox mode. */
  file?: string | undefined;
}

export interface Mailer {
  readonly mode: 'smtp' | 'outbox';
  send(message: OutgoingMessage): Promise<SentMessage>;
  close(): void;
}

export interface MailerOptions {
  /** Keep up to this many SMTP connections open and reuse them (for bulk sends such as digests). */
  pool?: number | undefined;
}

export function createMailer(config: MailConfig, options: MailerOptions = {}): Mailer {
  return config.smtpUrl ? new SmtpMailer(config, config.smtpUrl, options) : new OutboxMailer(config);
}

function envelope(config: MailConfig, message: OutgoingMessage): SendMailOptions {
  return {
    from: config.from,
    replyTo: config.replyTo ?? undefined,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
    messageId: message.messageId,
  };
}

class SmtpMailer implements Mailer {
  readonly mode = 'smtp' as const;
  readonly config: MailConfig;
  readonly #transport: Transporter;

  constructor(config: MailConfig, url: string, options: MailerOptions) {
    this.config = config;
    this.#transport = options.pool
      ? nodemailer.createTransport({ url, pool: true, maxConnections: options.pool, maxMessages: Infinity })
      : nodemailer.createTransport(url);
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const info = await this.#transport.sendMail(envelope(this.config, message));
    return { messageId: String(info.messageId) };
  }

  close(): void {
    this.#transport.close();
  }
}

class OutboxMailer implements Mailer {
  readonly mode = 'outbox' as const;
  readonly config: MailConfig;
  readonly #transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  constructor(config: MailConfig) {
    this.config = config;
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const info = await this.#transport.sendMail(envelope(this.config, message));
    // Written under a temporary name and renamed, so a reader never sees half a message.
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
    const file = join(this.config.outboxDir, name);
    try {
      mkdirSync(this.config.outboxDir, { recursive: true });
      writeFileSync(`${file}.tmp`, info.message as Buffer);
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      // A full disk leaves an empty or partial file behind: nothing would ever read or remove it.
      removeQuietly(`${file}.tmp`);
      throw new Error(`cannot write the email to the outbox ${file}: ${fsReason(error)}`, { cause: error });
    }
    return { messageId: String(info.messageId), file };
  }

  close(): void {}
}

/** Why mail cannot be written to the outbox now (null with SMTP, which is checked when it is used). */
export function outboxProblem(config: MailConfig): string | null {
  if (config.smtpUrl) return null;
  const problem = folderWriteProblem(config.outboxDir);
  return (
    problem && `the outbox ${config.outboxDir} cannot be written: ${problem}; emails (sign-in links, digests) will fail`
  );
}

/** One .eml file of the outbox by name; null for an unknown or unsafe name (no path can leave the folder). */
export function readOutboxMessage(outboxDir: string, name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.eml$/.test(name)) return null;
  try {
    return readFileSync(join(outboxDir, name), 'utf8');
  } catch {
    return null;
  }
}

/** The outbox's .eml files, newest first. */
export function listOutbox(outboxDir: string): { name: string; raw: () => string }[] {
  let names: string[];
  try {
    names = readdirSync(outboxDir).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .map((name) => ({ name, raw: () => readFileSync(join(outboxDir, name), 'utf8') }));
}
