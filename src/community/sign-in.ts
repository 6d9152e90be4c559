/**
 * Passwordless sign-in: a single-use link by email. The token is 256 random bits; the store keeps only its
 * hash; it expires after 15 minutes and works once. Asking for a link says the same thing whether or not
 * an account exists, so the form does not reveal who is a member.
 *
 * Who may join (PAPERBOY_SIGNUP, community/join-policy.ts) is decided here too: an address without an account
 * gets a link only if the policy lets it in or it carries a valid invitation, and the account is made only
 * when the link is used (spending the invitation then). Where the policy is not open, the answer to an
 * address that does not join by itself is the same whether or not it belongs to a member.
 *
 * Without a mail server (outbox mode) nobody receives the link, and the outbox is for administrators only:
 * the link is written to the server log instead, so that the person running the instance can sign in (the
 * first administrator does exactly that, then enters the claim code that the log also shows).
 */
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Account, CommunityStore } from '../store/community-store.ts';
import type { AccessStore } from '../store/access-store.ts';
import type { AccessConfig } from '../config.ts';
import { joinRule, joinsWithoutInvitation } from './join-policy.ts';
import { invitationFits, openInvitation, useInvitation } from './invitations.ts';
import { checkEmail } from '../domain/email.ts';
import { hashToken, randomToken } from './secrets.ts';
import { RATE_LIMITS, type RateLimiter } from './rate-limits.ts';
import type { InstanceIdentityService } from '../instance/identity.ts';

export const SIGN_IN_TOKEN_MINUTES = 15;
const INVITATION_GONE =
  'This invitation is not valid any more: it was used already, revoked, or it expired. Ask an administrator for a new one.';

/**
 * `sent: false`: the address had its share of emails this hour; the newest link it was sent still works.
 * `joinRule`: the address does not join by itself, so the answer must not say whether a link went out (it did
 * only if the address is a member's); the page says "if this address belongs to a member" and the rule.
 */
export type SignInRequest =
  | { ok: true; email: string; sent: boolean; joinRule: string | null }
  | { ok: false; status: 400 | 429; error: string };
export type SignInCompletion = { ok: true; account: Account } | { ok: false; error: string };

export class SignInService {
  readonly #store: CommunityStore;
  readonly #mailer: Mailer;
  readonly #publicUrl: string;
  readonly #limiter: RateLimiter;
  readonly #logger: Logger;
  readonly #access: AccessStore;
  readonly #policy: AccessConfig;
  readonly #identity: Pick<InstanceIdentityService, 'current'>;

  constructor(options: {
    store: CommunityStore;
    access: AccessStore;
    policy: AccessConfig;
    mailer: Mailer;
    publicUrl: string;
    limiter: RateLimiter;
    logger: Logger;
    /** The instance's name, which the email says. */
    identity: Pick<InstanceIdentityService, 'current'>;
  }) {
    this.#identity = options.identity;
    this.#store = options.store;
    this.#access = options.access;
    this.#policy = options.policy;
    this.#mailer = options.mailer;
    this.#publicUrl = options.publicUrl;
    this.#limiter = options.limiter;
    this.#logger = options.logger;
  }

  /**
   * Sends a sign-in link to the address; `next` is the local path to land on afterwards, `invite` the token of
   * the invitation the form carries (checked first, whoever the address belongs to, so that its answer tells
   * nothing about membership either).
   */
  async request(
    emailInput: string,
    address: string,
    next: string,
    now = new Date(),
    invite: string | null = null,
  ): Promise<SignInRequest> {
    const checked = checkEmail(emailInput);
    if (!checked.ok) return { ok: false, status: 400, error: checked.error };
    const limited = await this.#limiter.hitEach('sign-in', checked.email, address, now);
    if (!limited.client.allowed) {
      return {
        ok: false,
        status: 429,
        error: `Too many sign-in requests from your network. Please wait ${Math.ceil(limited.client.retryAfter / 60)} minutes and try again.`,
      };
    }
    if (invite !== null) {
      const invitation = await openInvitation(this.#access, invite, now);
      if (!invitation) return { ok: false, status: 400, error: INVITATION_GONE };
      if (!invitationFits(invitation, checked.email)) {
        return {
          ok: false,
          status: 400,
          error: 'This invitation is for another email address: enter the address it was made for.',
        };
      }
    }
    const rule =
      invite === null && !joinsWithoutInvitation(this.#policy, checked.email) ? joinRule(this.#policy) : null;
    const member = await this.#access.memberExists(checked.email);
    // Not a member, and not let in: nothing is sent, and the answer is the one a member of that kind gets.
    if (rule !== null && !member) return { ok: true, email: checked.email, sent: true, joinRule: rule };
    const sending = this.#sendLink(checked.email, next, member ? null : invite, now, limited.member.allowed);
    if (rule !== null && this.#mailer.mode === 'smtp') {
      // The answer to a member must come as fast as the one to a stranger (who gets no email): an SMTP round
      // trip would tell them apart by the time it takes. The outbox is a local file write, awaited.
      sending.catch((error: unknown) => this.#logger.error({ err: error, to: checked.email }, 'sign-in link not sent'));
      return { ok: true, email: checked.email, sent: true, joinRule: rule };
    }
    return { ...(await sending), joinRule: rule };
  }

  /** `allowed`: the address is within its share of emails this hour. */
  async #sendLink(
    email: string,
    next: string,
    invite: string | null,
    now: Date,
    allowed: boolean,
  ): Promise<{ ok: true; email: string; sent: boolean }> {
    const expiresAt = new Date(now.getTime() + SIGN_IN_TOKEN_MINUTES * 60_000);
    // Over the limit for this email (perhaps someone else asking for it, to lock its owner out): no more mail,
    // but the newest link already sent keeps working, so the owner can always sign in with it.
    if (
      !allowed &&
      (await this.#store.renewLoginToken(
        email,
        new Date(now.getTime() - RATE_LIMITS['sign-in'].windowSeconds * 1000),
        expiresAt,
      ))
    ) {
      return { ok: true, email, sent: false };
    }
    const token = randomToken();
    await this.#store.createLoginToken(hashToken(token), email, expiresAt);
    const link = new URL('/signin/verify', this.#publicUrl);
    link.searchParams.set('token', token);
    if (next !== '/') link.searchParams.set('next', next);
    if (invite !== null) link.searchParams.set('invite', invite);
    const { name } = await this.#identity.current();
    await this.#mailer.send({
      to: email,
      subject: `Your ${name} sign-in link`,
      text: [
        'Hello,',
        '',
        `Open this link to sign in to ${name}:`,
        '',
        link.href,
        '',
        `The link works once and expires in ${SIGN_IN_TOKEN_MINUTES} minutes.`,
        'If you did not ask for it, ignore this email: nothing happens without the link.',
      ].join('\n'),
    });
    if (this.#mailer.mode === 'outbox') {
      this.#logger.warn(
        { to: email, link: link.href },
        `mail is not delivered (no SMTP_URL): sign-in link for ${email}: ${link.href}`,
      );
    }
    return { ok: true, email, sent: true };
  }

  /**
   * Uses the token (once) and returns the account of its address, created on first sign-in if the policy lets
   * the address in, or by spending the invitation the link carries.
   */
  async complete(token: string, now = new Date(), invite: string | null = null): Promise<SignInCompletion> {
    const invalid = {
      ok: false as const,
      error:
        'This sign-in link is not valid any more: it was used already, it expired, or it was mistyped. Ask for a new one.',
    };
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return invalid;
    const email = await this.#store.consumeLoginToken(hashToken(token), now);
    if (!email) return invalid;
    if (!joinsWithoutInvitation(this.#policy, email) && !(await this.#access.memberExists(email))) {
      if (invite === null || !(await useInvitation(this.#access, invite, email, now)))
        return { ok: false, error: INVITATION_GONE };
      this.#logger.info({ email }, 'invitation used');
    }
    const account = await this.#store.accountForEmail(email, now);
    if (account.bannedAt) return { ok: false, error: 'This account has been banned by the moderators.' };
    return { ok: true, account };
  }
}
