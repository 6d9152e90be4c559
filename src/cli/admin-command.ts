/**
 * `paperboy admin add EMAIL [--role moderator]`: give an address a role (its account is made if new).
 * `paperboy admin claim-code`: a new one-time code for claiming an instance that has no administrator yet.
 * `paperboy admin invite [EMAIL] [--days N]`: an invitation link (single-use) for an instance whose sign-up is not open.
 */
import type { Command } from 'commander';
import type { ConfigFrom } from '../config.ts';
import { checkEmail } from '../domain/email.ts';
import { openStore } from '../store/open-store.ts';
import { replaceAdminClaim } from '../community/admin-claim.ts';
import type { Role } from '../store/community-store.ts';
import { createInvitation, DEFAULT_INVITATION_DAYS } from '../community/invitations.ts';

export function registerAdminCommands(program: Command, configFrom: ConfigFrom): void {
  const admin = program.command('admin').description('accounts and roles');
  admin
    .command('add')
    .description(
      'make the account of EMAIL an administrator (or --role moderator / member); the account is created if new',
    )
    .argument('<email>', "the member's email address")
    .option('--role <role>', 'admin, moderator or member', 'admin')
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (emailInput: string, options: { role: string; databaseUrl?: string }) => {
      const email = checkEmail(emailInput);
      if (!email.ok) throw new AdminCommandError(email.error);
      if (!['admin', 'moderator', 'member'].includes(options.role))
        throw new AdminCommandError(`unknown role “${options.role}”: use admin, moderator or member`);
      const config = configFrom(options);
      const store = await openStore(config.databaseUrl);
      try {
        const account = await store.community.accountForEmail(email.email, new Date());
        await store.community.setRole(account.id, options.role as Role);
        process.stdout.write(`${email.email} (@${account.name}) is now ${options.role}\n`);
      } finally {
        await store.close();
      }
    });
  admin
    .command('claim-code')
    .description(
      'print a new one-time code that makes the member who enters it at /admin/claim the first administrator (replaces the pending one)',
    )
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (options: { databaseUrl?: string }) => {
      const config = configFrom(options);
      const store = await openStore(config.databaseUrl);
      try {
        const code = await replaceAdminClaim(store);
        if (code === null)
          throw new AdminCommandError(
            'this instance has an administrator already: use `paperboy admin add EMAIL` to give roles',
          );
        process.stdout.write(
          `${code}\nSign in, open ${config.publicUrl}/admin/claim and enter this code (it works once; any earlier code no longer works).\n`,
        );
      } finally {
        await store.close();
      }
    });
  admin
    .command('invite')
    .description(
      'print an invitation link: it works once, for EMAIL only when given, and makes the account when its holder signs in',
    )
    .argument('[email]', 'the only address that may use it')
    .option('--days <days>', 'days before it expires', String(DEFAULT_INVITATION_DAYS))
    .option('--database-url <url>', 'SQLite path or file: URL (env DATABASE_URL)')
    .action(async (emailInput: string | undefined, options: { days: string; databaseUrl?: string }) => {
      const email = emailInput === undefined ? null : checkEmail(emailInput);
      if (email && !email.ok) throw new AdminCommandError(email.error);
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 365)
        throw new AdminCommandError('--days must be a whole number of days from 1 to 365');
      const config = configFrom(options);
      const store = await openStore(config.databaseUrl);
      try {
        const { invitation, link } = await createInvitation(store.access, config.publicUrl, {
          email: email?.email ?? null,
          days,
          createdById: null,
        });
        process.stdout.write(
          `${link}\nFor ${invitation.email ?? 'anyone holding the link'}; it works once and expires ${invitation.expiresAt}.\n`,
        );
      } finally {
        await store.close();
      }
    });
}

export class AdminCommandError extends Error {}
