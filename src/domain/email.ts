/**
 * Which email addresses Paperboy accepts (sign-in and the digest's subscribe box). Deliberately narrower than
 * RFC 5321: plain ASCII dot-atom local parts and DNS host names, which is what real people type. Everything
 * refused gets a sentence a person can act on; the hostile cases (line breaks that would inject headers,
 * 5,000 characters, letters from other scripts that look like Latin ones) are refused before anything
 * reaches the store or a mail header.
 */
export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export type AddressCheck = { ok: true; email: string } | { ok: false; error: string };

export function checkAddress(input: string): AddressCheck {
  // Control characters first: a CR or LF is header injection whatever else the text holds.
  if (/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(input)) {
    return { ok: false, error: 'An email address cannot contain line breaks or other control characters.' };
  }
  const email = input.trim();
  if (email === '') return { ok: false, error: 'Enter your email address.' };
  if (email.length > MAX_ADDRESS_LENGTH) {
    return { ok: false, error: `That is too long for an email address (at most ${MAX_ADDRESS_LENGTH} characters).` };
  }
  // Non-ASCII: "pаypal.com" with a Cyrillic а reads like the Latin one. Internationalized addresses are rare
  // and need SMTPUTF8 all the way; refusing them is the safe choice for a newsletter.
  const foreign = Array.from(email).find((ch) => ch.codePointAt(0)! > 0x7e);
  if (foreign !== undefined) {
    const code = `U+${foreign.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      ok: false,
      error: `Email addresses here must use plain ASCII letters, digits and punctuation; this one contains “${foreign}” (${code}), which may only look like a Latin letter.`,
    };
  }
  if (/\s/.test(email)) return { ok: false, error: 'An email address cannot contain spaces.' };
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || email.indexOf('@') !== at) {
    return {
      ok: false,
      error: 'An email address looks like name@example.org: one @ with a name before it and a domain after it.',
    };
  }
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH)
    return { ok: false, error: `The part before the @ is too long (at most ${MAX_LOCAL_LENGTH} characters).` };
  if (!LOCAL_PART.test(local)) {
    return {
      ok: false,
      error:
        "The part before the @ may hold letters, digits, dots (not two in a row, not first or last) and !#$%&'*+/=?^_`{|}~- only.",
    };
  }
  const labels = domain.split('.');
  if (
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    !/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]+)$/.test(labels.at(-1)!)
  ) {
    return {
      ok: false,
      error: `“${domain.slice(0, 80)}” is not a valid domain name; it should look like example.org.`,
    };
  }
  return { ok: true, email };
}

/** An address as the key of an account: checked, then lower-cased (no real mail system tells case apart). */
export function checkEmail(input: string): AddressCheck {
  const checked = checkAddress(input);
  return checked.ok ? { ok: true, email: checked.email.toLowerCase() } : checked;
}
