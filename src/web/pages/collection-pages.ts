/** A member's collections (reading lists): their list, one collection's page, its forms. All work without JavaScript. */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { COLLECTION_DESCRIPTION_MAX, COLLECTION_NAME_MAX, type Collection } from '../../store/collection-store.ts';
import { formatDay, plural } from '../../domain/format.ts';
import type { Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { csrfField } from '../csrf.ts';
import { emptyState } from '../components/empty-state.ts';
import { paperCard } from '../components/paper-card.ts';
import { feedAlternates } from '../../feeds/links.ts';
import { memberUrl } from '../../domain/urls.ts';
import { withFeedKey, type Viewer } from '../../http/viewer.ts';

export function collectionUrl(id: number): string {
  return `/collections/${id}`;
}

export function collectionFeed(id: number): string {
  return `/feeds/collections/${id}`;
}

function notices(message: { error?: string | undefined; ok?: string | undefined }): Html {
  return html`${message.ok ? html`<p class="notice notice-ok" role="status">${message.ok}</p>` : ''}${message.error ? html`<p class="notice notice-error" role="alert">${message.error}</p>` : ''}`;
}

function visibilityBadge(collection: Collection): Html {
  return collection.isPublic
    ? html`<span class="badge collection-badge">Public</span>`
    : html`<span class="badge collection-badge collection-private">Private</span>`;
}

/** Name, description and visibility: the same fields to create and to edit. */
function collectionFields(values: { name: string; description: string; isPublic: boolean }, prefix: string): Html {
  return html`<label for="${prefix}-name">Name</label>
<input id="${prefix}-name" name="name" required maxlength="${COLLECTION_NAME_MAX}" value="${values.name}">
<label for="${prefix}-description">Description <span class="muted">(optional)</span></label>
<textarea id="${prefix}-description" name="description" rows="3" maxlength="${COLLECTION_DESCRIPTION_MAX}">${values.description}</textarea>
<fieldset class="collection-visibility">
<legend>Who can see it</legend>
<label><input type="radio" name="visibility" value="private"${values.isPublic ? '' : ' checked'}> Only me (private)</label>
<label><input type="radio" name="visibility" value="public"${values.isPublic ? ' checked' : ''}> Anyone with the link (public: its page, feed and BibTeX)</label>
</fieldset>`;
}

export function collectionsPage(
  viewer: Viewer,
  collections: Collection[],
  message: { error?: string; ok?: string } = {},
  draft?: { name: string; description: string; isPublic: boolean },
): PageOptions {
  const body = html`<section class="collections">
<h1>Your collections</h1>
<p class="lead">Reading lists of papers: save papers with the “Save” button on any paper, put them in the order you like, share the public ones.</p>
${notices(message)}
${
  collections.length > 0
    ? html`<ul class="collection-list">${collections.map(
        (c) => html`<li class="collection-row">
<a class="collection-row-name" href="${collectionUrl(c.id)}">${c.name}</a> ${visibilityBadge(c)}
<span class="muted">${plural(c.papers, 'paper')} · changed ${formatDay(c.updatedAt)}</span>
${c.description ? html`<p class="collection-row-description">${c.description}</p>` : ''}
</li>`,
      )}</ul>`
    : emptyState('No collections yet', 'Make one below, or press “Save” on a paper.')
}
<h2 class="section-heading">New collection</h2>
<form method="post" action="/collections" class="stack-form collection-form">
${csrfField(viewer.csrfToken)}
${collectionFields(draft ?? { name: '', description: '', isPublic: false }, 'new')}
<button type="submit" class="button button-primary">Create collection</button>
</form>
<p class="muted"><a href="/settings/export">Download all your data</a> (JSON) · <a href="/following">What you follow</a> · <a href="/for-you">For you</a></p>
</section>`;
  return { title: 'Your collections', viewer, body };
}

export interface CollectionView {
  collection: Collection;
  papers: Paper[];
  isOwner: boolean;
  viewer: Viewer;
  publicUrl: string;
  message?: { error?: string | undefined; ok?: string | undefined } | undefined;
}

export function collectionPage(view: CollectionView): PageOptions {
  const { collection, papers, isOwner, viewer, publicUrl } = view;
  const url = collectionUrl(collection.id);
  const csrf = csrfField(viewer.csrfToken);
  const itemControls = (paper: Paper, index: number) => html`<div class="collection-item-controls">
<form method="post" action="${url}/move">${csrf}<input type="hidden" name="paper" value="${paper.id}"><input type="hidden" name="direction" value="up"><button type="submit" class="button button-small"${index === 0 ? ' disabled' : ''} aria-label="Move “${paper.title}” up">↑ Up</button></form>
<form method="post" action="${url}/move">${csrf}<input type="hidden" name="paper" value="${paper.id}"><input type="hidden" name="direction" value="down"><button type="submit" class="button button-small"${index === papers.length - 1 ? ' disabled' : ''} aria-label="Move “${paper.title}” down">↓ Down</button></form>
<form method="post" action="${url}/remove">${csrf}<input type="hidden" name="paper" value="${paper.id}"><button type="submit" class="button button-small button-danger" aria-label="Remove “${paper.title}” from this collection">Remove</button></form>
</div>`;
  const body = html`<article class="collection">
<header class="collection-head">
<p class="eyebrow"><span>Collection by <a href="${memberUrl(collection.ownerName)}">@${collection.ownerName}</a></span>${visibilityBadge(collection)}</p>
<h1 class="collection-name">${collection.name}</h1>
${collection.description ? html`<p class="collection-description">${collection.description}</p>` : ''}
<p class="collection-meta">${plural(papers.length, 'paper')} · changed ${formatDay(collection.updatedAt)}</p>
<p class="collection-links">${collection.isPublic ? html`<a href="${withFeedKey(`${collectionFeed(collection.id)}.rss`)}">RSS</a> · <a href="${withFeedKey(`${collectionFeed(collection.id)}.atom`)}">Atom</a> · <a href="${withFeedKey(`${collectionFeed(collection.id)}.json`)}">JSON Feed</a> · ` : ''}<a href="${url}.bib">BibTeX</a></p>
${isOwner && collection.isPublic ? html`<p class="collection-share"><label for="share-link">Share link</label> <input id="share-link" class="share-input" readonly value="${publicUrl}${url}"></p>` : ''}
${isOwner && !collection.isPublic ? html`<p class="hint">Private: only you see this page, its BibTeX and its papers here. Make it public below to share it.</p>` : ''}
</header>
${notices(view.message ?? {})}
${
  papers.length > 0
    ? html`<ol class="collection-items" id="items">${papers.map((paper, i) => html`<li class="collection-item">${paperCard(paper, { viewer })}${isOwner ? itemControls(paper, i) : ''}</li>`)}</ol>`
    : emptyState(
        'No papers yet',
        isOwner ? 'Press “Save” on any paper to add it here.' : 'The owner has not added papers yet.',
      )
}
${
  isOwner
    ? html`<section class="collection-settings" aria-labelledby="edit-heading">
<h2 id="edit-heading" class="section-heading">Edit this collection</h2>
<form method="post" action="${url}/edit" class="stack-form collection-form">
${csrf}
${collectionFields(collection, 'edit')}
<button type="submit" class="button button-primary">Save changes</button>
</form>
<h2 class="section-heading">Delete</h2>
<form method="post" action="${url}/delete" class="stack-form">
${csrf}
<label class="checkbox-label"><input type="checkbox" name="confirm" value="yes" required> Delete “${collection.name}” and its list of papers (the papers stay on Paperboy)</label>
<button type="submit" class="button button-danger">Delete collection</button>
</form>
</section>`
    : ''
}
</article>`;
  return {
    title: collection.name,
    description: collection.description || `A reading list by @${collection.ownerName} on Paperboy.`,
    ...(collection.isPublic
      ? { canonical: `${publicUrl}${url}`, alternates: feedAlternates(collectionFeed(collection.id), collection.name) }
      : {}),
    viewer,
    body,
  };
}
