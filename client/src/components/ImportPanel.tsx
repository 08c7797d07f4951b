import { useState } from 'preact/hooks';
import type { CsvImportResult, PoolOverview } from '../../../shared/protocol';
import type { Result } from '../state/managerModel';

interface Props {
  pools: PoolOverview[];
  /** The pool preselected (the one the dashboard shows). */
  selected: string;
  onImport(poolId: string, text: string): Promise<Result<{ result: CsvImportResult }>>;
}

/** Upload a CSV file of leads into a pool; shows what became of its rows. */
export function ImportPanel({ pools, selected, onImport }: Props) {
  const [poolId, setPoolId] = useState(selected);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState<CsvImportResult | null>(null);
  return (
    <section class="panel" aria-labelledby="import-title">
      <div class="panel-head">
        <div>
          <h2 id="import-title">Import leads from a CSV file</h2>
          <p class="muted small">
            The first line names the columns (email or phone among them; name, company, country, … and any others, kept as attributes). Each
            row is checked like a lead from the API; duplicates and filtered-out leads are counted.
          </p>
        </div>
      </div>
      <div class="pad">
        <form
          class="rep-form"
          aria-label="Import leads"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!file) return setError('Choose a CSV file.');
            setError('');
            setResult(null);
            setBusy(true);
            const r = await onImport(poolId, await file.text());
            setBusy(false);
            if (!r.ok) return setError(r.message);
            setResult(r.result);
          }}
        >
          <div class="form-grid">
            <div class="field">
              <label for="import-file">CSV file</label>
              <input
                id="import-file"
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => {
                  setFile(e.currentTarget.files?.[0] ?? null);
                  setResult(null);
                }}
              />
            </div>
            <div class="field">
              <label for="import-pool">Into pool</label>
              <select id="import-pool" value={poolId} onChange={(e) => setPoolId(e.currentTarget.value)}>
                {pools.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {error && (
            <p class="field-error" role="alert">
              {error}
            </p>
          )}
          <div class="row">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? 'Importing…' : 'Import'}
            </button>
          </div>
        </form>
        {result && (
          <div class="created" role="status" data-testid="import-result">
            <p>
              <strong>{result.created}</strong> created, <strong>{result.duplicates}</strong> duplicates,{' '}
              <strong>{result.disqualified}</strong> disqualified, <strong>{result.rejected.length}</strong> rejected.
            </p>
            {result.rejected.length > 0 && (
              <ul class="small">
                {result.rejected.slice(0, 50).map((r) => (
                  <li key={r.line}>
                    Line {r.line}: {r.reason}
                  </li>
                ))}
                {result.rejected.length > 50 && <li>… and {result.rejected.length - 50} more</li>}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
