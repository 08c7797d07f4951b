// One ticking clock for every age on screen (one timer, not one per row).
import { signal } from '@preact/signals';

export const now = signal(Date.now());
let timer: ReturnType<typeof setInterval> | null = null;

export function startClock(): void {
  if (timer) return;
  timer = setInterval(() => (now.value = Date.now()), 1000);
}
