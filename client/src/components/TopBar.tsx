import type { ComponentChildren } from 'preact';

/** The header every signed-in view shares: the brand, who is signed in, and the view's tools. */
export function TopBar({ who, children }: { who?: string; children: ComponentChildren }) {
  return (
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true" />
        <span class="brand-name">Leadpool</span>
        {who && <span class="who">{who}</span>}
      </div>
      <div class="topbar-tools">{children}</div>
    </header>
  );
}
