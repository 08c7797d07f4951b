/** Shown when /rep or /manager is opened without a token. */
export function MissingToken({ role }: { role: 'rep' | 'manager' }) {
  return (
    <div class="landing">
      <main class="landing-card" id="main">
        <h1>Sign in needed</h1>
        <p class="muted">
          This {role === 'rep' ? 'rep view' : 'dashboard'} needs an access token. Open the link you were given, or paste the token on the
          sign-in page.
        </p>
        <a class="btn btn-primary" href="/">
          Go to sign in
        </a>
      </main>
    </div>
  );
}
