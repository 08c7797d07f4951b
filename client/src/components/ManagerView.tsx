import { useState } from 'preact/hooks';
import type { ManagerStore } from '../state/managerStore';
import { ConnectionStatus } from './ConnectionStatus';
import { LeadsPanel } from './LeadsPanel';
import { LiveFeed } from './LiveFeed';
import { LiveRegion } from './LiveRegion';
import { ModeControl } from './ModeControl';
import { NoticeList } from './NoticeList';
import { PresenceBoard } from './PresenceBoard';
import { ReportsPanel } from './ReportsPanel';
import { RepsPanel } from './RepsPanel';
import { RulesEditor } from './RulesEditor';
import { SettingsForm } from './SettingsForm';
import { StatsTiles } from './StatsTiles';
import { Tabs } from './Tabs';
import { TopBar } from './TopBar';

/** The manager's dashboard. */
export function ManagerView({ store, authError, origin }: { store: ManagerStore; authError?: string | null; origin?: string }) {
  const [tab, setTab] = useState('live');
  const conn = store.connection.value;
  const cap = store.settings.value?.maxActivePerRep ?? 10;
  const reps = store.reps.value;
  return (
    <div class="app">
      <TopBar who="Manager">
        <ModeControl mode={store.mode.value} disabled={conn !== 'connected'} onChange={store.setMode} />
        <ConnectionStatus state={store.connection} />
      </TopBar>
      <main class="content" id="main">
        <h1 class="sr-only">Manager dashboard</h1>
        {authError && (
          <div class="banner banner-error" role="alert">
            This manager token was refused ({authError}). <a href="/">Sign in again</a>.
          </div>
        )}
        {!authError && (conn === 'reconnecting' || conn === 'offline') && store.loaded.value && (
          <div class="banner" role="status">
            {conn === 'offline' ? 'Offline.' : 'Connection lost — reconnecting.'} Figures below may be out of date.
          </div>
        )}
        <NoticeList notices={store.notices} />
        <StatsTiles stats={store.stats.value} />
        <Tabs
          label="Dashboard sections"
          active={tab}
          onSelect={setTab}
          tabs={[
            { id: 'live', label: 'Live' },
            { id: 'reps', label: 'Reps', badge: reps.length },
            { id: 'settings', label: 'Settings' },
            { id: 'rules', label: 'Rules', badge: store.rules.value.length || undefined },
            { id: 'reports', label: 'Reports' },
          ]}
        >
          {tab === 'live' && (
            <div class="dash-grid">
              <div class="stack-lg">
                <LeadsPanel
                  open={store.openLeads.value}
                  claimed={store.claimedLeads.value}
                  reps={reps}
                  repName={store.repName}
                  onAssign={store.assign}
                  onRelease={store.release}
                />
                <LiveFeed items={store.feed.value} repName={store.repName} />
              </div>
              <PresenceBoard reps={reps} defaultCap={cap} />
            </div>
          )}
          {tab === 'reps' && (
            <RepsPanel
              reps={reps}
              defaultCap={cap}
              origin={origin}
              onCreate={store.createRep}
              onUpdate={store.updateRep}
              onDelete={store.deleteRep}
            />
          )}
          {tab === 'settings' && (
            <section class="panel" aria-labelledby="settings-title">
              <div class="panel-head">
                <h2 id="settings-title">Pool settings</h2>
              </div>
              <div class="pad">
                <SettingsForm settings={store.settings.value} onSave={store.patchSettings} />
              </div>
            </section>
          )}
          {tab === 'rules' && <RulesEditor rules={store.rules.value} reps={reps} onSave={store.setRules} />}
          {tab === 'reports' && <ReportsPanel summary={store.summary.value} onLoad={store.loadSummary} />}
        </Tabs>
      </main>
      <LiveRegion text={store.notices.announcement} />
    </div>
  );
}
