import { useState } from 'preact/hooks';

/** Landing and login: paste a token, open the rep view or the manager dashboard. */
export function Landing() {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const go = (role: 'rep' | 'manager') => {
    // Accept a whole link too: take what follows "token=".
    const raw = token.trim();
    const m = /token=([^&\s]+)/.exec(raw);
    const value = m ? decodeURIComponent(m[1]) : raw;
    if (!value) {
      setError('Paste your token first.');
      return;
    }
    location.assign(`/${role}#token=${encodeURIComponent(value)}`);
  };
  return (
    <div class="landing">
      <main class="landing-card" id="main">
        <div class="brand brand-lg">
          <span class="logo" aria-hidden="true" />
          <span class="brand-name">Leadpool</span>
        </div>
        <h1>Real-time lead distribution</h1>
        <p class="muted">
          New leads reach your reps the second they arrive — as a shark tank, a cherry-pick table, a blind pull, hybrid rules or
          round-robin. Sign in with the token your manager gave you.
        </p>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            go('rep');
          }}
        >
          <label class="field">
            <span>Access token</span>
            <input
              type="password"
              autoComplete="off"
              spellcheck={false}
              value={token}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'token-error' : 'token-hint'}
              onInput={(e) => {
                setToken(e.currentTarget.value);
                setError('');
              }}
              placeholder="Paste a token or a full link"
            />
          </label>
          {error ? (
            <p id="token-error" class="field-error" role="alert">
              {error}
            </p>
          ) : (
            <p id="token-hint" class="muted small">
              Never sent in a URL to the server. A rep’s token stays in this tab; the manager’s is kept in this browser until Sign out.
            </p>
          )}
          <div class="row">
            <button type="submit" class="btn btn-primary">
              Open rep view
            </button>
            <button type="button" class="btn" onClick={() => go('manager')}>
              Open manager dashboard
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}
