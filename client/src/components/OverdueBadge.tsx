/** "Overdue" on a waiting lead past its pool's SLA (slaMs): the server's flag, `overdueAt`. */
export function OverdueBadge({ lead }: { lead: { overdueAt?: string; status?: string } }) {
  if (!lead.overdueAt || (lead.status && lead.status !== 'open')) return null;
  return (
    <span class="pill pill-warn" title={`Past the pool's target wait since ${new Date(lead.overdueAt).toLocaleTimeString()}`}>
      Overdue
    </span>
  );
}
