/**
 * A real SMTP server in the process (the npm `smtp-server` package) that keeps what it accepts: the receiving
 * end of the digest tests and of `npm run bench:digest`. It speaks plain SMTP on a loopback port, with no TLS
 * and no authentication, and can be told to answer a recipient or a message with any reply code.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  from: string;
  to: string[];
  /** The message as received (empty when the sink was told not to keep bodies). */
  raw: Buffer;
  size: number;
}

export type SmtpReply = 'accept' | { code: number; message: string };

export interface SmtpSinkOptions {
  /** The answer to RCPT TO (default: accept). */
  onRecipient?: (address: string) => SmtpReply;
  /** The answer to the end of DATA; may wait (default: accept). `index` counts messages received so far. */
  onMessage?: (message: ReceivedMessage, index: number) => SmtpReply | Promise<SmtpReply>;
  /** Keep message bodies (default true); a benchmark of 10,000 messages only counts them. */
  keepBodies?: boolean;
}

export interface SmtpSink {
  port: number;
  /** smtp://127.0.0.1:PORT, for SMTP_URL. */
  url: string;
  /** Accepted messages, in the order their 250 was sent. */
  accepted: ReceivedMessage[];
  /** Messages whose DATA arrived, accepted or not. */
  received: number;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const accepted: ReceivedMessage[] = [];
  let received = 0;
  const keep = options.keepBodies ?? true;
  const reply = (answer: SmtpReply, callback: (error?: Error | null) => void) => {
    if (answer === 'accept') return callback();
    callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
  };
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    maxClients: 256,
    closeTimeout: 1000, // on close, clients still connected (a killed sender's pool) are dropped after a second
    onRcptTo(address, _session, callback) {
      reply(options.onRecipient?.(address.address) ?? 'accept', callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (keep) chunks.push(chunk);
      });
      stream.on('end', () => {
        const message: ReceivedMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          size,
        };
        const index = received++;
        void Promise.resolve(options.onMessage?.(message, index) ?? 'accept').then((answer) => {
          if (answer === 'accept') accepted.push(message);
          reply(answer, callback);
        });
      });
    },
  });
  server.on('error', () => {}); // a client killed mid-message is not the sink's failure
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    get received() {
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
