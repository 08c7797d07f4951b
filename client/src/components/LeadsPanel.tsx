import { useEffect, useState } from 'preact/hooks';
import type { Lead, Rep, RulesPreview } from '../../../shared/protocol';
import type { Roster } from '../state/roster';
import { Age } from './Age';
import { OverdueBadge } from './OverdueBadge';
import { RepPicker } from './RepPicker';

interface Props {
  open: Lead[];
  claimed: Lead[];
  /** Every rep (roster.ts): looked up by id, and searched when assigning. */
  roster: Roster;
  /** The pool whose leads these are: its reps are the ones offered. */
  poolId?: string;
  repName(id: string | undefined): string;
  onAssign(leadId: string, repId: string): Promise<boolean>;
  onRelease(leadId: string): Promise<boolean>;
  /** The selected pool's name, with several pools. */
  poolName?: string;
  /** The pool's routing rules: with some, each waiting lead shows its rule and eligible reps. */
  rules?: unknown[];
  /** How the saved rules route the pool's recent leads (the rule each matched). */
  routing?: RulesPreview | null;
  onLoadRouting?(): Promise<void>;
}

/** "Rule “Spanish” · eligible: Esa (offline)": why a waiting lead waits, from the rule it matched and who that rule reaches. */
function RoutingNote({ lead, roster, routing }: { lead: Lead; roster: Roster; routing?: RulesPreview | null }) {
  const item = routing?.items.find((i) => i.leadId === lead.id);
  const rule = item ? (item.rule ? `Rule “${item.rule}”` : 'No rule matched') : null;
  // The rules as saved now route it to item.eligible (the store rerouted it so); an escalated lead is everyone's.
  const eligible = lead.escalatedAt ? '*' : (item?.eligible ?? lead.eligible);
  const who =
    eligible === undefined || eligible === '*'
      ? 'every rep of the pool'
      : eligible
          .map((id) => {
            const rep = roster.get(id);
            return rep ? `${rep.name} (${rep.presence})` : id;
          })
          .join(', ');
  return (
    <span class="routing-note muted" data-testid="routing-note">
      {rule ? `${rule} · ` : ''}eligible: {who}
      {lead.escalatedAt ? ' (escalated)' : ''}
    </span>
  );
}

/** Why assigning to this rep may leave the lead unworked: it is away or offline. */
function presenceWarning(rep: Rep | undefined): string | null {
  if (!rep || rep.presence === 'available') return null;
  return rep.presence === 'away'
    ? `${rep.name} is away: the lead becomes theirs at once, but they are not taking leads right now.`
    : `${rep.name} is offline: nobody works the lead until they open Leadpool again.`;
}

function AssignControl({ lead, roster, poolId, onAssign }: { lead: Lead; roster: Roster; poolId?: string; onAssign: Props['onAssign'] }) {
  const [repId, setRepId] = useState('');
  const [busy, setBusy] = useState(false);
  const id = `assign-${lead.id}`;
  const warning = presenceWarning(roster.get(repId));
  return (
    <form
      class={`assign${warning ? ' assign-warned' : ''}`}
      onSubmit={async (e) => {
        e.preventDefault();
        if (!repId) return;
        setBusy(true);
        await onAssign(lead.id, repId);
        setBusy(false);
      }}
    >
      <label class="sr-only" for={id}>
        Assign {lead.company ?? lead.name ?? 'lead'} to
      </label>
      <RepPicker id={id} roster={roster} poolId={poolId} value={repId} onChange={setRepId} exclude={lead.claimedBy} />
      <button
        type="submit"
        class={`btn btn-sm${warning ? ' btn-warn' : ''}`}
        disabled={!repId || busy}
        aria-describedby={warning ? `${id}-warn` : undefined}
      >
        {warning ? `${lead.claimedBy ? 'Reassign' : 'Assign'} anyway` : lead.claimedBy ? 'Reassign' : 'Assign'}
      </button>
      {warning && (
        <p class="assign-warning small" id={`${id}-warn`} role="status">
          {warning}
        </p>
      )}
    </form>
  );
}

/** Open and claimed leads, with manual assign and release. */
export function LeadsPanel({
  open,
  claimed,
  roster,
  poolId,
  repName,
  onAssign,
  onRelease,
  poolName,
  rules,
  routing,
  onLoadRouting,
}: Props) {
  const [tab, setTab] = useState<'open' | 'claimed'>('open');
  const routed = (rules?.length ?? 0) > 0;
  // The rule each waiting lead matched: asked again when a waiting lead is not in the last answer, or the rules changed.
  const missing = routed && open.slice(0, 200).some((l) => !routing?.items.some((i) => i.leadId === l.id));
  useEffect(() => {
    if (missing && onLoadRouting) void onLoadRouting();
  }, [missing, rules]);
  const list = tab === 'open' ? open : claimed;
  return (
    <section class="panel" aria-labelledby="leads-title">
      <div class="panel-head">
        <div class="row-tight">
          <h2 id="leads-title">Leads</h2>
          {poolName && <span class="pill pill-pool">{poolName}</span>}
        </div>
        <div class="seg" role="group" aria-label="Show leads">
          <button type="button" class={tab === 'open' ? 'active' : ''} aria-pressed={tab === 'open'} onClick={() => setTab('open')}>
            Waiting <span class="count">{open.length}</span>
          </button>
          <button
            type="button"
            class={tab === 'claimed' ? 'active' : ''}
            aria-pressed={tab === 'claimed'}
            onClick={() => setTab('claimed')}
          >
            Being worked <span class="count">{claimed.length}</span>
          </button>
        </div>
      </div>
      {list.length === 0 ? (
        <p class="muted pad">{tab === 'open' ? 'No lead is waiting.' : 'No lead is being worked right now.'}</p>
      ) : (
        <div class="table-scroll">
          <table class="table table-stack">
            <caption class="sr-only">{tab === 'open' ? 'Waiting leads' : 'Leads being worked'}</caption>
            <thead>
              <tr>
                <th scope="col">Lead</th>
                <th scope="col">Contact</th>
                <th scope="col">{tab === 'open' ? 'Waiting' : 'Rep'}</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {list.slice(0, 200).map((l) => (
                <tr key={l.id} data-lead-id={l.id}>
                  <td>
                    <span class="cell-main">{l.company ?? l.name ?? l.id}</span>
                    <span class="cell-sub muted">{[l.industry, l.country, l.source].filter(Boolean).join(' · ')}</span>
                    {tab === 'open' && routed && <RoutingNote lead={l} roster={roster} routing={routing} />}
                  </td>
                  <td class="cell-contact">
                    <span class="cell-main">{l.name ?? ''}</span>
                    <span class="cell-sub muted ellipsis">{l.email ?? l.phone ?? ''}</span>
                    {l.consent && (
                      <span class="cell-sub small" title={`“${l.consent.text}” — agreed ${new Date(l.consent.at).toLocaleString()}`}>
                        Consent given {new Date(l.consent.at).toLocaleDateString()}
                        <span class="sr-only">: {l.consent.text}</span>
                      </span>
                    )}
                  </td>
                  <td class="cell-when">
                    {tab === 'open' ? (
                      <span class="row-tight">
                        <Age since={l.createdAt} />
                        <OverdueBadge lead={l} />
                      </span>
                    ) : (
                      <span>
                        {repName(l.claimedBy)}
                        <div class="muted small">
                          <Age since={l.claimedAt} /> ago
                        </div>
                      </span>
                    )}
                  </td>
                  <td class="cell-action">
                    <div class="row-tight">
                      <AssignControl lead={l} roster={roster} poolId={poolId} onAssign={onAssign} />
                      {tab === 'claimed' && (
                        <button type="button" class="btn btn-sm btn-ghost" onClick={() => void onRelease(l.id)}>
                          Release
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
