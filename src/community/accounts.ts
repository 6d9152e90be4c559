/**
 * What members decide about their own account: the handle and display name they go by (chosen at their first
 * sign-in), whether their upvotes are public, and deleting the account.
 */
import type { Account, CommunityStore } from '../store/community-store.ts';
import { checkDisplayName, checkHandle } from '../domain/handles.ts';
import { rateLimitKeysOf } from './rate-limits.ts';
import type { ImageCache } from '../images/image-cache.ts';

export type HandleChoice = { ok: true; handle: string } | { ok: false; field: 'handle' | 'fullname'; error: string };

/** Checks and stores the member's handle and display name; errors name the field they are about. */
export async function chooseHandle(
  store: CommunityStore,
  account: Account,
  handleInput: string,
  nameInput: string,
): Promise<HandleChoice> {
  const handle = checkHandle(handleInput);
  if (!handle.ok) return { ok: false, field: 'handle', error: handle.error };
  const name = checkDisplayName(nameInput);
  if (!name.ok) return { ok: false, field: 'fullname', error: name.error };
  if ((await store.chooseHandle(account.id, handle.handle, name.name)) === 'taken') {
    return { ok: false, field: 'handle', error: `@${handle.handle} is taken. Choose another handle.` };
  }
  return { ok: true, handle: handle.handle };
}

export type CommentsChoice = 'keep' | 'remove';

/** Deletes the member's account and everything kept about them but the comments they chose to keep (see
 *  CommunityStore.deleteAccount and docs/community.md), their avatar's copy in the image cache included. */
export async function deleteAccount(
  store: CommunityStore,
  images: Pick<ImageCache, 'forget'>,
  account: Account,
  comments: CommentsChoice,
  now = new Date(),
): Promise<boolean> {
  const deleted = await store.deleteAccount(account.id, { comments, rateLimitKeys: rateLimitKeysOf(account) }, now);
  if (deleted && account.avatarUrl) await images.forget([account.avatarUrl]);
  return deleted;
}
