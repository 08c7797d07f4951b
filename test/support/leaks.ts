// Walks event payloads for what must not be in them: a leak anywhere (nested, renamed,
// stringified) is found, not just a top-level key.

/** Every path in `value` where a string contains one of `needles`, or a key is one of `badKeys`. */
export function findIn(value: unknown, needles: string[], badKeys: string[], path = '$', out: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const n of needles) if (value.includes(n)) out.push(`${path} contains ${JSON.stringify(n)}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findIn(v, needles, badKeys, `${path}[${i}]`, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (badKeys.includes(k)) out.push(`${path}.${k} (key "${k}")`);
      for (const n of needles) if (k.includes(n)) out.push(`${path} has key containing ${JSON.stringify(n)}`);
      findIn(v, needles, badKeys, `${path}.${k}`, out);
    }
  }
  return out;
}

/** Keys no rep payload may carry: routing internals and rep secrets. */
export const REP_NEVER = ['eligible', 'tokenHash', 'token'];
