/**
 * "Cite": the paper as BibTeX and as a plain-text reference, inside a <details> that opens without JavaScript.
 * The copy buttons are hidden until the client script (static/client.js) shows them: without it, the text is
 * selectable as it is, and the BibTeX is also a file to download.
 */
import { html } from 'hono/html';
import type { Paper } from '../../domain/types.ts';
import { bibtexEntry, plainCitation } from '../../domain/citation.ts';
import { paperBibtexUrl } from '../../domain/urls.ts';
import type { Html } from '../html.ts';

export function citeBox(paper: Paper): Html {
  return html`<details class="side-card cite-box" id="cite">
<summary><span class="icon icon-doc" aria-hidden="true"></span>Cite this paper</summary>
<div class="cite-body">
<div class="cite-head"><h3>BibTeX</h3><button type="button" class="button button-small copy-button" data-copy="cite-bibtex" hidden>Copy</button></div>
<pre class="cite-text" id="cite-bibtex" tabindex="0"><code>${bibtexEntry(paper)}</code></pre>
<div class="cite-head"><h3>Plain text</h3><button type="button" class="button button-small copy-button" data-copy="cite-plain" hidden>Copy</button></div>
<p class="cite-text cite-plain" id="cite-plain">${plainCitation(paper)}</p>
<p class="cite-download"><a href="${paperBibtexUrl(paper.id)}" download>Download .bib</a></p>
</div>
</details>`;
}
