/**
 * Passwordless sign-in: a single-use link by email. The token is 256 random bits; the store keeps only its
 * hash; it expires after 15 minutes and works once. Asking for a link says the same thing whether or not
 * an account exists, so the form does not reveal who is a member.
 *
 * Without a mail server (outbox mode) nobody receives the link, and the outbox is for administrators only:
 * the link is written to the server log instead, so that the person running the instance can sign in (the
 * first administrator does exactly that, then enters the claim code that the log also shows).
 */
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Account, CommunityStore } from '../store/community-store.ts';
import { checkEmail } from '../domain/email.ts';
import { hashToken, randomToken } from './secrets.ts';
import { RATE_LIMITS, type RateLimiter } from './rate-limits.ts';

export const SIGN_IN_TOKEN_MINUTES = 15;

/** `sent: false`: the address had its share of emails this hour; the newest link it was sent still works. */
export type SignInRequest =
  | { ok: true; email: string; sent: boolean }
  | { ok: false; status: 400 | 429; error: string };
export type SignInCompletion = { ok: true; account: Account } | { ok: false; error: string };

export class SignInService {
  readonly #store: CommunityStore;
  readonly #mailer: Mailer;
  readonly #publicUrl: string;
  readonly #limiter: RateLimiter;
  readonly #logger: Logger;

  constructor(options: {
    store: CommunityStore;
    mailer: Mailer;
    publicUrl: string;
    limiter: RateLimiter;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#mailer = options.mailer;
    this.#publicUrl = options.publicUrl;
    this.#limiter = options.limiter;
    this.#logger = options.logger;
  }

  /** Sends a sign-in link to the address; `next` is the local path to land on afterwards. */
  async request(emailInput: string, address: string, next: string, now = new Date()): Promise<SignInRequest> {
    const checked = checkEmail(emailInput);
    if (!checked.ok) return { ok: false, status: 400, error: checked.error };
    const { member, client } = await this.#limiter.hitEach('sign-in', checked.email, address, now);
    if (!client.allowed) {
      return {
        ok: false,
        status: 429,
        error: `Too many sign-in requests from your network. Please wait ${Math.ceil(client.retryAfter / 60)} minutes and try again.`,
      };
    }
    const expiresAt = new Date(now.getTime() + SIGN_IN_TOKEN_MINUTES * 60_000);
    // Over the limit for this email (perhaps someone else asking for it, to lock its owner out): no more mail,
    // but the newest link already sent keeps working, so the owner can always sign in with it.
    if (
      !member.allowed &&
      (await this.#store.renewLoginToken(
        checked.email,
        new Date(now.getTime() - RATE_LIMITS['sign-in'].windowSeconds * 1000),
        expiresAt,
      ))
    ) {
      return { ok: true, email: checked.email, sent: false };
    }
    const token = randomToken();
    await this.#store.createLoginToken(hashToken(token), checked.email, expiresAt);
    const link = new URL('/signin/verify', this.#publicUrl);
    link.searchParams.set('token', token);
    if (next !== '/') link.searchParams.set('next', next);
    await this.#mailer.send({
      to: checked.email,
      subject: 'Your Paperboy sign-in link',
      text: [
        'Hello,',
        '',
        'Open this link to sign in to Paperboy:',
        '',
        link.href,
        '',
        `The link works once and expires in ${SIGN_IN_TOKEN_MINUTES} minutes.`,
        'If you did not ask for it, ignore this email: nothing happens without the link.',
      ].join('\n'),
    });
    if (this.#mailer.mode === 'outbox') {
      this.#logger.warn(
        { to: checked.email, link: link.href },
        `mail is not delivered (no SMTP_URL): sign-in link for ${checked.email}: ${link.href}`,
      );
    }
    return { ok: true, email: checked.email, sent: true };
  }

  /** Uses the token (once) and returns the account of its address, created on first sign-in. */
  async complete(token: string, now = new Date()): Promise<SignInCompletion> {
    const invalid = {
      ok: false as const,
      error:
        'This sign-in link is not valid any more: it was used already, it expired, or it was mistyped. Ask for a new one.',
    };
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return invalid;
    const email = await this.#store.consumeLoginToken(hashToken(token), now);
    if (!email) return invalid;
    const account = await this.#store.accountForEmail(email, now);
    if (account.bannedAt) return { ok: false, error: 'This account has been banned by the moderators.' };
    return { ok: true, account };
  }
}
