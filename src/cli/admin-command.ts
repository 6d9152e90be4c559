/**
 * `paperboy admin add EMAIL [--role moderator]`: give an address a role (its account is made if new).
 * `paperboy admin claim-code`: a new one-time code for claiming an instance that has no administrator yet.
 */
import type { Command } from 'commander';
import type { ConfigFrom } from '../config.ts';
import { checkEmail } from '../domain/email.ts';
import { openStore } from '../store/open-store.ts';
import { replaceAdminClaim } from '../community/admin-claim.ts';
import type { Role } from '../store/community-store.ts';

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
}

export class AdminCommandError extends Error {}
