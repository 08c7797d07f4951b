import type { RepStore } from '../state/repStore';
import { AlertsToggle } from './AlertsToggle';
import { ConnectionStatus } from './ConnectionStatus';
import { LiveRegion } from './LiveRegion';
import { MODE_INFO } from './ModeControl';
import { MyLeads } from './MyLeads';
import { NoticeList } from './NoticeList';
import { PresenceSwitch } from './PresenceSwitch';
import { RepPool } from './RepPool';
import { TopBar } from './TopBar';

/** The rep's live view: header (connection, presence), the pool, my leads. */
export function RepView({ store, authError }: { store: RepStore; authError?: string | null }) {
  const you = store.you.value;
  const conn = store.connection.value;
  const mode = store.mode.value;
  return (
    <div class="app">
      <TopBar who={you?.name}>
        {mode && (
          <span class="pill pill-mode" title="Pool mode">
            {MODE_INFO[mode].label}
          </span>
        )}
        <ConnectionStatus state={store.connection} />
        <PresenceSwitch presence={you?.presence} disabled={conn !== 'connected' || !you} onChange={store.setPresence} />
        <AlertsToggle />
      </TopBar>
      <main class="content" id="main">
        <h1 class="sr-only">Rep view{you ? ` for ${you.name}` : ''}</h1>
        {authError && (
          <div class="banner banner-error" role="alert">
            This link is no longer valid ({authError}). Ask your manager for a new one, or <a href="/">sign in with another token</a>.
          </div>
        )}
        {!authError && (conn === 'reconnecting' || conn === 'offline') && store.loaded.value && (
          <div class="banner" role="status">
            {conn === 'offline' ? 'You are offline.' : 'Connection lost — reconnecting.'} The list below may be out of date; claiming
            resumes once connected.
          </div>
        )}
        {you?.presence === 'away' && (
          <div class="banner banner-info" role="status">
            You are away: you still see new leads, but cannot claim or pull until you switch to available.
          </div>
        )}
        <NoticeList notices={store.notices} />
        <div class="rep-grid">
          <RepPool store={store} />
          <MyLeads
            leads={store.mine.value}
            maxActive={store.maxActive.value}
            busy={store.busy.value}
            disabled={!store.live.value}
            onOutcome={(id, o) => void store.outcome(id, o)}
            onRelease={(id) => void store.release(id)}
          />
        </div>
      </main>
      <LiveRegion text={store.notices.announcement} />
    </div>
  );
}
