/**
 * Masking of personal data and secrets for logs and the notification log. The log must say
 * *who* got a message without becoming a phone book: 138****1234, z***@example.com.
 */

export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  const national = digits.replace(/^\+?86/, '');
  if (national.length >= 7) return `${national.slice(0, 3)}****${national.slice(-4)}`;
  return digits.length > 2 ? `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}` : '**';
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** smtp://user:pass@host:25 → smtp://user:***@host:25 (a URL may carry the SMTP password). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/secret|token|pass|key/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

const MOBILE_RE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Free text (a rendered message) with mainland mobile numbers and e-mail addresses masked. */
export function maskText(text: string): string {
  return text.replace(EMAIL_RE, (m) => maskEmail(m)).replace(MOBILE_RE, (m) => maskPhone(m));
}
