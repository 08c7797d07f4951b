import { useEffect, useMemo } from 'preact/hooks';
import { startClock } from '../lib/clock';
import { http } from '../lib/http';
import { connect } from '../lib/socket';
import { bindManagerSocket, createManagerStore } from '../state/managerStore';
import { ManagerView } from './ManagerView';

/** Connects /manager with the token and renders the dashboard. */
export function ManagerPage({ token }: { token: string }) {
  const { conn, store } = useMemo(() => {
    const conn = connect('/manager', token);
    const store = createManagerStore(http(token), conn.state);
    bindManagerSocket(store, conn.socket);
    return { conn, store };
  }, [token]);
  useEffect(() => {
    startClock();
    document.title = 'Leadpool — Manager';
    return () => conn.close();
  }, [conn]);
  return <ManagerView store={store} authError={conn.authError.value} />;
}
