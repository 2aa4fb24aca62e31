/**
 * Removal of secrets from anything we show: argv in errors, stderr, URLs. Git itself redacts
 * most credentials, but remote helpers, proxies and hooks print what they like, so every string
 * leaving this module passes through here.
 */

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;
const MASK = '***';

/** `https://user:pw@host/x` → `https://***@host/x`, anywhere in `text`. */
export function redactUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}@`);
}

/** Redacts URL userinfo and every occurrence of each secret (raw, URL-encoded and base64 forms). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = redactUrlUserinfo(text);
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of secretForms(secret)) out = out.split(form).join(MASK);
  }
  return out;
}

function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
  // Longest first so that a form containing another is masked whole.
  return [...forms].sort((a, b) => b.length - a.length);
}
