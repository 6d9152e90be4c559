/** Rows of the authorship facet to records, shared by the SQLite and PostgreSQL stores (dialect-free SQL). */
import type { AuthorClaim, AuthorEntry, ClaimStatus, DomainTie } from './claim-store.ts';
import { flag, nullableString, type Row } from './rows.ts';

/** Claims `k` with their claimants `m` and deciders `d`, as rowToClaim reads them. */
export const CLAIM_SELECT = `SELECT k.id, k.paper_id, k.position, k.author_name, k.status, k.approved_via, k.show_on_profile,
  k.created_at, k.decided_at, k.reason, m.id AS member_id, m.name AS member_name, m.fullname AS member_fullname,
  m.avatar_url AS member_avatar_url, d.name AS decided_by_name
  FROM author_claims k JOIN members m ON m.id = k.member_id LEFT JOIN members d ON d.id = k.decided_by`;

export function rowToClaim(row: Row): AuthorClaim {
  const via = nullableString(row.approved_via);
  return {
    id: Number(row.id),
    paperId: String(row.paper_id),
    position: Number(row.position),
    authorName: String(row.author_name),
    member: {
      id: Number(row.member_id),
      name: String(row.member_name),
      fullname: String(row.member_fullname),
      avatarUrl: nullableString(row.member_avatar_url),
    },
    status: String(row.status) as ClaimStatus,
    approvedVia: via === 'moderator' || via === 'domain' ? via : null,
    decidedBy: nullableString(row.decided_by_name),
    reason: nullableString(row.reason),
    showOnProfile: flag(row.show_on_profile),
    createdAt: String(row.created_at),
    decidedAt: nullableString(row.decided_at),
  };
}

/** Domain ties `t` with their organizations `o` and creators `m`. */
export const DOMAIN_TIE_SELECT = `SELECT t.organization_name, o.fullname AS organization_fullname, t.domain, t.created_at,
  m.name AS created_by_name
  FROM organization_domains t JOIN organizations o ON o.name = t.organization_name LEFT JOIN members m ON m.id = t.created_by`;

export function rowToDomainTie(row: Row): DomainTie {
  return {
    organization: String(row.organization_name),
    organizationFullname: String(row.organization_fullname),
    domain: String(row.domain),
    createdBy: nullableString(row.created_by_name),
    createdAt: String(row.created_at),
  };
}

/** The moderation log's target for a claim: the paper, the entry's position (from 1, as read) and its name. */
export function claimLogTarget(paperId: string, position: number, authorName: string): string {
  return `${paperId} author ${position + 1} (${authorName})`;
}

/** The reason other pending claims on an entry get when one is approved. */
export const OTHER_CLAIM_APPROVED = 'another claim on this author entry was approved';
export const TIE_REASON = 'claims on its papers from addresses at the domain are approved at once';
export const UNTIE_REASON = 'claims from the domain go to the moderators again';

export function tieTarget(organization: string, domain: string): string {
  return `@${domain} → ${organization}`;
}

export function rowToAuthorEntry(row: Row): AuthorEntry {
  const memberName = nullableString(row.member_name);
  return {
    paperId: String(row.paper_id),
    position: Number(row.position),
    publishedAt: String(row.published_at),
    hfUser: nullableString(row.hf_user),
    claimant:
      memberName === null
        ? null
        : {
            id: Number(row.member_id),
            name: memberName,
            fullname: String(row.member_fullname),
            avatarUrl: nullableString(row.member_avatar_url),
          },
  };
}
