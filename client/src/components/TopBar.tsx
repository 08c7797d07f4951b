import type { ComponentChildren } from 'preact';
import type { Notices } from '../state/notices';
import { NoticeList } from './NoticeList';

/**
 * The header every signed-in view shares: the brand, who is signed in, the view's tools,
 * and a line for transient messages. That line's height is always kept, so a message
 * neither covers a button nor moves the page under the pointer.
 */
export function TopBar({ who, notices, children }: { who?: string; notices?: Notices; children: ComponentChildren }) {
  return (
    <header class="topbar">
      <div class="topbar-row">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <span class="brand-name">Leadpool</span>
          {who && (
            <span class="who" title={who}>
              {who}
            </span>
          )}
        </div>
        <div class="topbar-tools">{children}</div>
      </div>
      {notices && <NoticeList notices={notices} />}
    </header>
  );
}
