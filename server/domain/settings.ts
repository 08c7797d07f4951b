// Settings: defaults merged with a validated patch (filters replace as a whole).
import type { Settings } from '../../shared/protocol.js';
import type { SettingsPatch } from '../../shared/schemas.js';

export function mergeSettings(base: Settings, patch: SettingsPatch | Partial<Settings>): Settings {
  const merged: Settings = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  return merged;
}
