/** arXiv identifiers: new style "2608.19880" (4 or 5 digits after the dot) and old style "hep-th/9901001". */

const NEW_STYLE = /^(\d{4}\.\d{4,5})(v\d+)?$/;
const OLD_STYLE = /^([a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

/** The id without version, or null when the text is not an arXiv id. */
export function normalizeArxivId(text: string): string | null {
  const trimmed = text.trim();
  const match = NEW_STYLE.exec(trimmed) ?? OLD_STYLE.exec(trimmed);
  return match ? match[1]! : null;
}

/** Finds an arXiv id in free text or a URL (arxiv.org/abs/…, /pdf/…, arXiv:…). */
export function findArxivId(text: string): string | null {
  const match =
    /(?:arxiv\.org\/(?:abs|pdf|html)\/|arxiv:\s*|^|\s)((?:\d{4}\.\d{4,5})|(?:[a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7}))(?:v\d+)?(?:\.pdf)?(?=$|[\s?#/])/i.exec(
      text.trim(),
    );
  return match ? normalizeArxivId(match[1]!) : null;
}
