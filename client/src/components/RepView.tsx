import type { RepModel } from '../state/repModel';
import { AlertsToggle } from './AlertsToggle';
import { ConnectionStatus } from './ConnectionStatus';
import { LiveRegion } from './LiveRegion';
import { MODE_INFO } from './ModeControl';
import { MyLeads } from './MyLeads';
import { NoticeList } from './NoticeList';
import { PresenceSwitch } from './PresenceSwitch';
import { NoPool, PoolLoading, PoolNav, RepPool } from './RepPool';
import { TopBar } from './TopBar';

/** The rep's live view: header (connection, presence), each of its pools, my leads. */
export function RepView({ model, authError }: { model: RepModel; authError?: string | null }) {
  const you = model.you.value;
  const conn = model.connection.value;
  const mode = model.mode.value;
  return (
    <div class="app">
      <TopBar who={you?.name}>
        {mode && (
          <span class="pill pill-mode" title="Pool mode">
            {MODE_INFO[mode].label}
          </span>
        )}
        <ConnectionStatus state={model.connection} />
        <PresenceSwitch presence={you?.presence} disabled={conn !== 'connected' || !you} onChange={model.setPresence} />
        <AlertsToggle />
      </TopBar>
      <main class="content" id="main">
        <h1 class="sr-only">Rep view{you ? ` for ${you.name}` : ''}</h1>
        {authError && (
          <div class="banner banner-error" role="alert">
            This link is no longer valid ({authError}). Ask your manager for a new one, or <a href="/">sign in with another token</a>.
          </div>
        )}
        {!authError && (conn === 'reconnecting' || conn === 'offline') && model.loaded.value && (
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
        <NoticeList notices={model.notices} />
        <div class="rep-grid">
          <div class="stack-lg">
            {!model.loaded.value ? (
              <PoolLoading />
            ) : model.noPools.value ? (
              <NoPool />
            ) : (
              <>
                {model.pools.value.length > 1 && <PoolNav pools={model.pools.value} />}
                {model.pools.value.map((p) => (
                  <RepPool key={p.id} model={model} pool={p} />
                ))}
              </>
            )}
          </div>
          <MyLeads
            leads={model.held.value}
            caps={model.caps.value}
            poolName={model.showPoolNames.value ? model.poolName : undefined}
            busy={model.busy.value}
            disabled={!model.live.value}
            onOutcome={(id, o) => void model.outcome(id, o)}
            onRelease={(id) => void model.release(id)}
          />
        </div>
      </main>
      <LiveRegion text={model.notices.announcement} />
    </div>
  );
}
