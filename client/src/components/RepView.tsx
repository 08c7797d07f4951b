import type { RepModel } from '../state/repModel';
import { AlertsMenu } from './AlertsMenu';
import { ConnectionStatus } from './ConnectionStatus';
import { LiveRegion } from './LiveRegion';
import { MODE_INFO } from './ModeControl';
import { MyLeads } from './MyLeads';
import { PresenceSwitch } from './PresenceSwitch';
import { RecentLeads } from './RecentLeads';
import { NoPool, PoolLoading, PoolNav, RepPool } from './RepPool';
import { shiftText } from './ScheduleEditor';
import { TopBar } from './TopBar';

const REFUSED: Record<string, string> = {
  unauthorized:
    'This link does not work (any more): it was replaced by a newer one, the rep was removed, or it was not copied whole. Ask your manager for a new link.',
  forbidden: 'This is not a rep’s link (it belongs to a manager or a lead source). Open the link your manager sent you.',
};

/** The rep's live view: header (connection, presence, alerts), each of its pools, my leads, recent. */
export function RepView({ model, authError }: { model: RepModel; authError?: string | null }) {
  const you = model.you.value;
  const conn = model.connection.value;
  const mode = model.mode.value;
  const held = model.held.value.length;
  if (authError) {
    // A removed or wrong link: say so and stop there (no pool is coming).
    return (
      <div class="app">
        <TopBar who={you?.name}>
          <ConnectionStatus state={model.connection} />
        </TopBar>
        <main class="content" id="main">
          <h1 class="sr-only">Rep view</h1>
          <div class="banner banner-error" role="alert">
            <p>
              <strong>This link is no longer valid.</strong> {REFUSED[authError] ?? `The server refused it (${authError}).`}
            </p>
            <p>
              <a href="/">Sign in with another token</a>
            </p>
          </div>
        </main>
      </div>
    );
  }
  return (
    <div class="app">
      <TopBar who={you?.name} notices={model.notices}>
        {mode && (
          <span class="pill pill-mode" title="Pool mode">
            <span class="sr-only">Mode: </span>
            {MODE_INFO[mode].label}
          </span>
        )}
        <ConnectionStatus state={model.connection} />
        <PresenceSwitch presence={you?.presence} disabled={conn !== 'connected' || !you} onChange={model.setPresence} />
        <AlertsMenu />
      </TopBar>
      <main class="content" id="main">
        <h1 class="sr-only">Rep view{you ? ` for ${you.name}` : ''}</h1>
        {(conn === 'reconnecting' || conn === 'offline') && model.loaded.value && (
          <div class="banner" role="status">
            {conn === 'offline' ? 'You are offline.' : 'Connection lost — reconnecting.'} The list below may be out of date; claiming
            resumes once connected.
          </div>
        )}
        {you?.presence === 'off-shift' && (
          <div class="banner banner-info" role="status" data-testid="off-shift-banner">
            You are {shiftText(you.shift) || 'off shift'}: you still see new leads, but cannot claim or pull, and none are assigned to you.
          </div>
        )}
        {you?.presence === 'away' && (
          <div class="banner banner-info" role="status">
            You are away: you still see new leads, but cannot claim or pull until you switch to available.
          </div>
        )}
        {model.loaded.value && (
          <div class="jump-bar">
            {model.pools.value.length > 1 && <PoolNav pools={model.pools.value} />}
            <a class="jump-mine" href="#mine">
              My leads <span class="count">{held}</span>
            </a>
          </div>
        )}
        <div class="rep-grid">
          <div class="stack-lg">
            {!model.loaded.value ? (
              <PoolLoading />
            ) : model.noPools.value ? (
              <NoPool />
            ) : (
              model.pools.value.map((p) => <RepPool key={p.id} model={model} pool={p} />)
            )}
          </div>
          <div class="stack-lg">
            <MyLeads model={model} />
            <RecentLeads model={model} />
          </div>
        </div>
      </main>
      <LiveRegion text={model.notices.announcement} />
    </div>
  );
}
