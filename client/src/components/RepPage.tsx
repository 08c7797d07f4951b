import { useEffect, useMemo } from 'preact/hooks';
import { beep, notifyIfHidden, unlockAudioOnGesture } from '../lib/alerts';
import { startClock } from '../lib/clock';
import { leadSummary } from '../lib/format';
import { connect } from '../lib/socket';
import { bindRepSocket, createRepStore } from '../state/repStore';
import { RepView } from './RepView';

/** Connects /rep with the token and renders the live view. */
export function RepPage({ token }: { token: string }) {
  const { conn, store } = useMemo(() => {
    const conn = connect('/rep', token);
    const store = createRepStore(conn, conn.state, {
      onOffered(lead) {
        if (store.mode.peek() !== 'shark-tank') return;
        beep();
        notifyIfHidden('New lead in the pool', leadSummary(lead), lead.id);
      },
    });
    bindRepSocket(store, conn.socket);
    return { conn, store };
  }, [token]);
  useEffect(() => {
    startClock();
    unlockAudioOnGesture();
    document.title = 'Leadpool — Rep';
    return () => conn.close();
  }, [conn]);
  return <RepView store={store} authError={conn.authError.value} />;
}
