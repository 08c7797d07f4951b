// Ids minted by the stores.

let lastIdTime = 0;
let idCounter = 0;
/** Time-ordered, unguessable lead id: `ld_` + base36 ms + counter + random. */
export function newLeadId(): string {
  const now = Date.now();
  idCounter = now === lastIdTime ? idCounter + 1 : 0;
  lastIdTime = now;
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return `ld_${now.toString(36)}${idCounter.toString(36).padStart(3, '0')}${rand[0].toString(36)}${rand[1].toString(36)}`;
}
