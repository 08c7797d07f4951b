/** Round-robin: nothing to claim; leads arrive by themselves. */
export function RoundRobinNote({ available }: { available: boolean }) {
  return (
    <div class="empty">
      <p class="empty-title">Leads are assigned automatically</p>
      <p>
        The pool is in round-robin mode: new leads are handed out in turn to available reps and appear under My leads.
        {available ? '' : ' You are away, so none will be assigned to you until you switch to available.'}
      </p>
    </div>
  );
}
