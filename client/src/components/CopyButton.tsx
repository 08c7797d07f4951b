import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says so. */
export function CopyButton({
  text,
  label = 'Copy link',
  copiedText = 'Link copied to the clipboard',
}: {
  text: string;
  label?: string;
  copiedText?: string;
}) {
  const [done, setDone] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone('idle'), 2500);
  };
  return (
    <button type="button" class="btn btn-sm" onClick={copy}>
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Select and copy manually' : label}
      <span class="sr-only" aria-live="polite">
        {done === 'copied' ? ` ${copiedText}` : ''}
      </span>
    </button>
  );
}
