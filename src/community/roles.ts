/**
 * Who may moderate whom: moderation reaches only members of a lower role. A moderator cannot ban an
 * administrator or another moderator, nor hide their comments; administrators cannot ban each other either
 * (an instance's administrators are changed with `paperboy admin add`, by whoever runs it).
 */
import type { Role } from '../store/community-store.ts';

const RANK: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };

export function outranks(actor: { role: Role } | null, target: { role: Role }): boolean {
  return actor !== null && RANK[actor.role] > RANK[target.role];
}
