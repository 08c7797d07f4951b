import type { Lead, LeadView } from '../../../shared/protocol';
import { FIELD_LABELS, fieldText } from '../lib/format';

/** A lead's fields as a label/value list (teasers, my-lead details): one rendering for both. */
export function FieldList({ lead, fields, class: className }: { lead: Lead | LeadView; fields: readonly string[]; class: string }) {
  return (
    <dl class={className}>
      {fields.map((f) => (
        <div key={f}>
          <dt>{FIELD_LABELS[f] ?? f}</dt>
          <dd>{fieldText(lead, f)}</dd>
        </div>
      ))}
    </dl>
  );
}
