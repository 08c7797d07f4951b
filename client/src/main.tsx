// The web app: one page, a tiny router on location.pathname.
import { render } from 'preact';
import { Landing } from './components/Landing';
import { ManagerPage } from './components/ManagerPage';
import { MissingToken } from './components/MissingToken';
import { RepPage } from './components/RepPage';
import { takeToken } from './lib/token';
import './styles.css';

function App() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/rep' || path === '/manager') {
    const role = path === '/rep' ? 'rep' : 'manager';
    const token = takeToken(role);
    if (!token) return <MissingToken role={role} />;
    return role === 'rep' ? <RepPage token={token} /> : <ManagerPage token={token} />;
  }
  return <Landing />;
}

render(<App />, document.getElementById('app')!);
