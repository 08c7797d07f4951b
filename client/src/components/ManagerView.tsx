import { useState } from 'preact/hooks';
import { DEFAULT_SETTINGS } from '../../../shared/protocol';
import type { ManagerModel } from '../state/managerModel';
import { ConnectionStatus } from './ConnectionStatus';
import { FeedsPanel } from './FeedsPanel';
import { FormsPanel } from './FormsPanel';
import { ImportPanel } from './ImportPanel';
import { LeadAlerts } from './LeadAlerts';
import { LeadList } from './LeadList';
import { LeadsPanel } from './LeadsPanel';
import { LiveFeed } from './LiveFeed';
import { LiveRegion } from './LiveRegion';
import { ModeControl } from './ModeControl';
import { PoolSwitcher } from './PoolSwitcher';
import { PoolsOverview } from './PoolsOverview';
import { PoolsPanel } from './PoolsPanel';
import { PresenceBoard } from './PresenceBoard';
import { ReportsPanel } from './ReportsPanel';
import { SELECT_MAX } from './RepPicker';
import { RepsPanel } from './RepsPanel';
import { RulesEditor } from './RulesEditor';
import { SettingsForm } from './SettingsForm';
import { StatsTiles } from './StatsTiles';
import { Tabs } from './Tabs';
import { TopBar } from './TopBar';
import { WebhooksPanel } from './WebhooksPanel';

/**
 * The manager's dashboard. The pool switcher selects the pool whose mode, settings, rules,
 * leads, team and figures are shown; with one pool (v1) it all looks as before.
 */
export function ManagerView({
  model,
  authError,
  origin,
  onSignOut,
}: {
  model: ManagerModel;
  authError?: string | null;
  origin?: string;
  /** Forgets the token kept in this browser and goes to the sign-in page. */
  onSignOut?(): void;
}) {
  const [tab, setTab] = useState('live');
  const conn = model.connection.value;
  const cap = model.settings.value?.maxActivePerRep ?? DEFAULT_SETTINGS.maxActivePerRep;
  // Reps are read a page at a time by the panels (roster.ts): nothing here walks every rep.
  const roster = model.roster;
  const pools = model.poolRows.value;
  const multi = pools.length > 1;
  const pool = model.pool.value;
  const poolId = model.poolId.value;
  const named = multi && pool ? pool.name : undefined;
  return (
    <div class="app">
      <TopBar who="Manager" notices={model.notices}>
        <PoolSwitcher pools={pools} value={poolId} onChange={model.selectPool} />
        {/* Until the first dashboard:state the mode is unknown: nothing to switch from. */}
        <ModeControl
          mode={model.mode.value}
          disabled={conn !== 'connected' || !model.loaded.value}
          onChange={model.setMode}
          impact={model.modeImpact}
        />
        <ConnectionStatus state={model.connection} />
        {onSignOut && (
          <button type="button" class="btn btn-sm btn-ghost" onClick={onSignOut}>
            Sign out
          </button>
        )}
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
        <StatsTiles
          stats={model.stats.value}
          figures={model.figures.value}
          pool={multi ? pools.find((p) => p.id === poolId) : null}
          poolReps={roster.counts(poolId).members}
        />
        <Tabs
          label="Dashboard sections"
          active={tab}
          onSelect={setTab}
          tabs={[
            { id: 'live', label: 'Live' },
            { id: 'pools', label: 'Pools', badge: multi ? pools.length : undefined },
            { id: 'leads', label: 'Leads' },
            { id: 'reps', label: 'Reps', badge: roster.size.value },
            { id: 'feeds', label: 'Feeds' },
            { id: 'forms', label: 'Forms' },
            { id: 'webhooks', label: 'Webhooks' },
            { id: 'settings', label: 'Settings' },
            { id: 'rules', label: 'Rules', badge: model.rules.value.length || undefined },
            { id: 'reports', label: 'Reports' },
          ]}
        >
          {tab === 'live' && (
            <div class="stack-lg">
              {multi && <PoolsOverview pools={pools} selected={poolId} onSelect={model.selectPool} />}
              <div class="dash-grid">
                <div class="stack-lg">
                  <LeadAlerts alerts={model.leadAlerts.value} onDismiss={model.dismissAlert} />
                  <LeadsPanel
                    open={model.openLeads.value}
                    claimed={model.claimedLeads.value}
                    roster={roster}
                    poolId={poolId}
                    repName={model.repName}
                    poolName={named}
                    onAssign={model.assign}
                    onRelease={model.release}
                    rules={model.rules.value}
                    routing={model.routing.value}
                    onLoadRouting={model.loadRouting}
                  />
                  <LiveFeed items={model.feed.value} repName={model.repName} poolName={multi ? model.poolName : undefined} />
                </div>
                <PresenceBoard roster={roster} poolId={poolId} defaultCap={cap} />
              </div>
            </div>
          )}
          {tab === 'leads' && <LeadList model={model} roster={roster} pools={pools} />}
          {tab === 'pools' && (
            <PoolsPanel
              pools={pools}
              members={(id) => roster.counts(id).members}
              selected={poolId}
              onSelect={model.selectPool}
              onCreate={model.createPool}
              onRename={model.renamePool}
              onDelete={model.deletePool}
            />
          )}
          {tab === 'reps' && (
            <RepsPanel
              roster={roster}
              pools={pools}
              selectedPool={poolId}
              defaultCap={cap}
              origin={origin}
              onCreate={model.createRep}
              onUpdate={model.updateRep}
              onDelete={model.deleteRep}
              links={model.links.value}
              onNewLink={model.newRepLink}
              onDismissLink={model.dismissLink}
            />
          )}
          {tab === 'feeds' && (
            <div class="stack-lg">
              <FeedsPanel
                feeds={model.feeds.value}
                pools={pools}
                selected={poolId}
                origin={origin}
                onLoad={model.loadFeeds}
                onCreate={model.createFeed}
                onRotate={model.rotateFeed}
                onRevoke={model.revokeFeed}
              />
              <ImportPanel pools={pools} selected={poolId} onImport={model.importCsv} />
            </div>
          )}
          {tab === 'forms' && (
            <FormsPanel
              forms={model.forms.value}
              pools={pools}
              selected={poolId}
              onLoad={model.loadForms}
              onSave={model.saveForm}
              onDelete={model.deleteForm}
            />
          )}
          {tab === 'webhooks' && <WebhooksPanel model={model.webhooks} pools={pools} />}
          {tab === 'settings' && (
            <section class="panel" aria-labelledby="settings-title">
              <div class="panel-head">
                <h2 id="settings-title">{named ? `Settings of ${named}` : 'Pool settings'}</h2>
              </div>
              <div class="pad">
                <SettingsForm
                  key={poolId}
                  settings={model.settings.value}
                  onSave={model.patchSettings}
                  fallbackPools={pools.filter((p) => p.id !== poolId)}
                />
              </div>
            </section>
          )}
          {tab === 'rules' && (
            <RulesEditor
              key={poolId}
              rules={model.rules.value}
              reps={roster.counts(poolId).members > SELECT_MAX ? [] : model.poolReps.value}
              roster={roster}
              poolId={poolId}
              poolName={named}
              onSave={model.setRules}
              onPreview={model.previewRules}
            />
          )}
          {tab === 'reports' && (
            <ReportsPanel
              summary={model.summary.value}
              range={model.reportRange.value}
              pools={pools}
              onLoad={model.loadSummary}
              onCsv={model.reportCsv}
            />
          )}
        </Tabs>
      </main>
      <LiveRegion text={model.notices.announcement} />
    </div>
  );
}
