/**
 * Subscribing, confirming, unsubscribing and resubscribing: the rules, apart from HTTP.
 *
 * - Asking never reveals whether an address is subscribed: the answer is the same in every case, and any
 *   email goes out in the background so that the answer's timing does not tell either.
 * - Double opt-in: nothing but the confirmation is sent before the signed confirmation link is used.
 * - One confirmation email per address per CONFIRMATION_INTERVAL at most, so the box cannot be used to flood
 *   someone's inbox.
 * - An active subscriber who asks again with the other frequency gets a link to switch; with the same one,
 *   nothing is sent.
 */
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';
import type { DigestFrequency, Subscription } from '../store/subscription-store.ts';
import { esc } from './compose.ts';
import { confirmToken, verifyToken, type TokenCheck } from './tokens.ts';
import { readInstanceIdentity } from '../instance/identity.ts';

export const CONFIRMATION_INTERVAL_SECONDS = 120;

export interface SubscribeContext {
  store: Store;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  now?: () => Date;
}

/** Handles a (checked) address from the subscribe box. Resolves once the store is updated; mail goes out after. */
export async function requestSubscription(
  ctx: SubscribeContext,
  email: string,
  frequency: DigestFrequency,
): Promise<{ mail: Promise<void> }> {
  const now = (ctx.now ?? (() => new Date()))();
  const { subscription } = await ctx.store.subscriptions.requestSubscription(email, frequency, now);
  const wanted = subscription.status !== 'active' || subscription.frequency !== frequency;
  if (
    !wanted ||
    !(await ctx.store.subscriptions.claimConfirmationSlot(subscription.id, CONFIRMATION_INTERVAL_SECONDS, now))
  ) {
    return { mail: Promise.resolve() };
  }
  const mail = sendConfirmation(ctx, subscription, frequency, now).catch((error: unknown) => {
    ctx.logger.error({ err: error, subscription: subscription.id }, 'confirmation email failed');
  });
  return { mail };
}

async function sendConfirmation(
  ctx: SubscribeContext,
  subscription: Subscription,
  frequency: DigestFrequency,
  now: Date,
): Promise<void> {
  const secret = await ctx.store.subscriptions.signingSecret();
  const link = `${ctx.publicUrl}/digest/confirm/${confirmToken(secret, subscription.id, subscription.email, frequency, now)}`;
  const change = subscription.status === 'active';
  const site = await readInstanceIdentity(ctx.store);
  const what = change
    ? `switch your ${site.name} digest to ${frequency}`
    : `get the ${frequency} ${site.name} digest of trending papers`;
  await ctx.mailer.send({
    to: subscription.email,
    subject: change ? `Confirm: switch to the ${frequency} digest` : `Confirm your ${frequency} ${site.name} digest`,
    text: [
      `Someone (we hope you) asked to ${what} at ${ctx.publicUrl}.`,
      '',
      `Confirm with this link (valid for 7 days):`,
      link,
      '',
      'If it was not you, ignore this email: nothing more will be sent.',
      '',
    ].join('\n'),
    html: `<!doctype html><html><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"></head>
<body style="margin:0;padding:24px;background:#f2f4f7;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e3e6eb;border-radius:12px;">
<tr><td style="padding:24px 28px;color:#111827;font-size:15px;line-height:1.55;">
<p style="margin:0 0 12px 0;font-weight:700;color:#3730a3;">${esc(site.name)}</p>
<p style="margin:0 0 16px 0;color:#111827;">Someone (we hope you) asked to ${esc(what)} at ${esc(ctx.publicUrl)}.</p>
<p style="margin:0 0 20px 0;"><a href="${esc(link)}" style="display:inline-block;padding:10px 18px;background:#3730a3;color:#ffffff;border-radius:8px;font-weight:700;text-decoration:none;">Confirm subscription</a></p>
<p style="margin:0 0 8px 0;color:#5b6472;font-size:13px;">The link is valid for 7 days. If it was not you, ignore this email: nothing more will be sent.</p>
<p style="margin:0;color:#5b6472;font-size:12px;word-break:break-all;">${esc(link)}</p>
</td></tr></table></body></html>`,
  });
}

export type LinkResult =
  | { ok: true; subscription: Subscription; frequency: DigestFrequency }
  | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a signed link of the given purpose against the subscription it names. */
export async function checkLink(
  ctx: SubscribeContext,
  token: string,
  purpose: 'confirm' | 'unsubscribe',
): Promise<LinkResult> {
  const now = (ctx.now ?? (() => new Date()))();
  const id = /^[cu]\.([1-9]\d{0,15})\./.exec(token)?.[1];
  const subscription = id ? await ctx.store.subscriptions.getSubscription(Number(id)) : null;
  if (!subscription) return { ok: false, reason: 'invalid' };
  const check: TokenCheck = verifyToken(await ctx.store.subscriptions.signingSecret(), token, subscription.email, now);
  if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'invalid' };
  if (check.payload.purpose !== purpose) return { ok: false, reason: 'invalid' };
  return {
    ok: true,
    subscription,
    frequency: check.payload.purpose === 'confirm' ? check.payload.frequency : subscription.frequency,
  };
}

export async function confirm(ctx: SubscribeContext, token: string): Promise<LinkResult> {
  const link = await checkLink(ctx, token, 'confirm');
  if (!link.ok) return link;
  const now = (ctx.now ?? (() => new Date()))();
  const subscription = await ctx.store.subscriptions.activate(link.subscription.id, link.frequency, now);
  return { ok: true, subscription: subscription!, frequency: link.frequency };
}

export async function unsubscribe(ctx: SubscribeContext, token: string): Promise<LinkResult> {
  const link = await checkLink(ctx, token, 'unsubscribe');
  if (!link.ok) return link;
  const subscription = await ctx.store.subscriptions.unsubscribe(
    link.subscription.id,
    (ctx.now ?? (() => new Date()))(),
  );
  return { ok: true, subscription: subscription!, frequency: subscription!.frequency };
}

/** The unsubscribe link also resubscribes: whoever holds it received a digest at that address. */
export async function resubscribe(
  ctx: SubscribeContext,
  token: string,
  frequency: DigestFrequency,
): Promise<LinkResult> {
  const link = await checkLink(ctx, token, 'unsubscribe');
  if (!link.ok) return link;
  const subscription = await ctx.store.subscriptions.activate(
    link.subscription.id,
    frequency,
    (ctx.now ?? (() => new Date()))(),
  );
  return { ok: true, subscription: subscription!, frequency };
}
