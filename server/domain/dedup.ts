// Duplicate detection keys: the same email or phone written differently is the same contact.

/** Digits and `+` only, so "+44 20 7946-0000" and "+442079460000" match. */
export function normalizePhone(phone: string): string {
  return phone.replace(/[^0-9+]/g, '');
}
