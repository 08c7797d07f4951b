import type { LeadAlert } from '../state/managerModel';
import { Age } from './Age';

/** Stranded and overdue leads heard live (lead:stranded, lead:overdue), each dismissable. */
export function LeadAlerts({ alerts, onDismiss }: { alerts: LeadAlert[]; onDismiss(key: string): void }) {
  if (alerts.length === 0) return null;
  return (
    <section class="panel lead-alerts" aria-labelledby="lead-alerts-title">
      <div class="panel-head">
        <h2 id="lead-alerts-title">
          Lead alerts <span class="count">{alerts.length}</span>
        </h2>
      </div>
      <ul class="pad stack-sm" aria-label="Stranded and overdue leads">
        {alerts.map((a) => (
          <li key={a.key} class="row-tight lead-alert" data-alert={a.kind} data-lead-id={a.leadId}>
            <span class={`pill ${a.kind === 'overdue' ? 'pill-warn' : 'pill-mode'}`}>{a.kind === 'overdue' ? 'Overdue' : 'Stranded'}</span>
            <span>{a.text}</span>
            <span class="muted small">
              <Age since={a.at} /> ago
            </span>
            <button type="button" class="btn btn-sm btn-ghost" aria-label={`Dismiss: ${a.text}`} onClick={() => onDismiss(a.key)}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
