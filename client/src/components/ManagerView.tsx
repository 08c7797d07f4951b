import { useState } from 'preact/hooks';
import { DEFAULT_SETTINGS } from '../../../shared/protocol';
import type { ManagerModel } from '../state/managerModel';
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
export function ManagerView({ model, authError, origin }: { model: ManagerModel; authError?: string | null; origin?: string }) {
  const [tab, setTab] = useState('live');
  const conn = model.connection.value;
  const cap = model.settings.value?.maxActivePerRep ?? DEFAULT_SETTINGS.maxActivePerRep;
  const reps = model.reps.value;
  return (
    <div class="app">
      <TopBar who="Manager">
        <ModeControl mode={model.mode.value} disabled={conn !== 'connected'} onChange={model.setMode} />
        <ConnectionStatus state={model.connection} />
      </TopBar>
      <main class="content" id="main">
        <h1 class="sr-only">Manager dashboard</h1>
        {authError && (
          <div class="banner banner-error" role="alert">
            This manager token was refused ({authError}). <a href="/">Sign in again</a>.
          </div>
        )}
        {!authError && (conn === 'reconnecting' || conn === 'offline') && model.loaded.value && (
          <div class="banner" role="status">
            {conn === 'offline' ? 'Offline.' : 'Connection lost — reconnecting.'} Figures below may be out of date.
          </div>
        )}
        <NoticeList notices={model.notices} />
        <StatsTiles stats={model.stats.value} />
        <Tabs
          label="Dashboard sections"
          active={tab}
          onSelect={setTab}
          tabs={[
            { id: 'live', label: 'Live' },
            { id: 'reps', label: 'Reps', badge: reps.length },
            { id: 'settings', label: 'Settings' },
            { id: 'rules', label: 'Rules', badge: model.rules.value.length || undefined },
            { id: 'reports', label: 'Reports' },
          ]}
        >
          {tab === 'live' && (
            <div class="dash-grid">
              <div class="stack-lg">
                <LeadsPanel
                  open={model.openLeads.value}
                  claimed={model.claimedLeads.value}
                  reps={reps}
                  repName={model.repName}
                  onAssign={model.assign}
                  onRelease={model.release}
                />
                <LiveFeed items={model.feed.value} repName={model.repName} />
              </div>
              <PresenceBoard reps={reps} defaultCap={cap} />
            </div>
          )}
          {tab === 'reps' && (
            <RepsPanel
              reps={reps}
              defaultCap={cap}
              origin={origin}
              onCreate={model.createRep}
              onUpdate={model.updateRep}
              onDelete={model.deleteRep}
            />
          )}
          {tab === 'settings' && (
            <section class="panel" aria-labelledby="settings-title">
              <div class="panel-head">
                <h2 id="settings-title">Pool settings</h2>
              </div>
              <div class="pad">
                <SettingsForm settings={model.settings.value} onSave={model.patchSettings} />
              </div>
            </section>
          )}
          {tab === 'rules' && <RulesEditor rules={model.rules.value} reps={reps} onSave={model.setRules} />}
          {tab === 'reports' && <ReportsPanel summary={model.summary.value} onLoad={model.loadSummary} />}
        </Tabs>
      </main>
      <LiveRegion text={model.notices.announcement} />
    </div>
  );
}
