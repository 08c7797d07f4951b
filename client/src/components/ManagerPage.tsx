import { effect } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { startClock } from '../lib/clock';
import { http } from '../lib/http';
import { connect } from '../lib/socket';
import { forgetToken } from '../lib/token';
import { bindManagerSocket, createManagerModel } from '../state/managerModel';
import { ManagerView } from './ManagerView';

/** Connects /manager with the token and renders the dashboard. */
export function ManagerPage({ token }: { token: string }) {
  const { conn, model } = useMemo(() => {
    const conn = connect('/manager', token);
    const model = createManagerModel(http(token), conn.state);
    bindManagerSocket(model, conn.socket);
    return { conn, model };
  }, [token]);
  useEffect(() => {
    startClock();
    document.title = 'Leadpool — Manager';
    // A refused token is not kept for the next tab.
    const stopAuth = effect(() => {
      if (conn.authError.value) forgetToken('manager');
    });
    return () => {
      stopAuth();
      conn.close();
    };
  }, [conn]);
  const signOut = () => {
    forgetToken('manager');
    conn.close();
    location.assign('/');
  };
  return <ManagerView model={model} authError={conn.authError.value} onSignOut={signOut} />;
}
