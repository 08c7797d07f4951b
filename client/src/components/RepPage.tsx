import { useEffect, useMemo } from 'preact/hooks';
import { beep, notifyIfHidden, unlockAudioOnGesture } from '../lib/alerts';
import { startClock } from '../lib/clock';
import { leadSummary } from '../lib/format';
import { connect } from '../lib/socket';
import { bindRepSocket, createRepModel } from '../state/repModel';
import { RepView } from './RepView';

const TITLE = 'Leadpool — Rep';
let unseen = 0;

/** Connects /rep with the token and renders the live view. */
export function RepPage({ token }: { token: string }) {
  const { conn, model, unbind } = useMemo(() => {
    const conn = connect('/rep', token);
    const model = createRepModel(conn, conn.state, {
      onOffered(lead, mode) {
        if (document.visibilityState === 'hidden') {
          unseen += 1;
          document.title = `(${unseen}) ${TITLE}`;
        }
        if (mode !== 'shark-tank') return;
        beep();
        notifyIfHidden(
          model.showPoolNames.peek() ? `New lead in ${model.poolName(lead.poolId)}` : 'New lead in the pool',
          leadSummary(lead),
          lead.id,
        );
      },
    });
    const unbind = bindRepSocket(model, conn.socket);
    return { conn, model, unbind };
  }, [token]);
  useEffect(() => {
    startClock();
    unlockAudioOnGesture();
    document.title = TITLE;
    // A hidden tab counts new leads in its title until it is looked at again.
    const seen = () => {
      if (document.visibilityState === 'visible') {
        unseen = 0;
        document.title = TITLE;
      }
    };
    document.addEventListener('visibilitychange', seen);
    return () => {
      document.removeEventListener('visibilitychange', seen);
      unbind();
      conn.close();
    };
  }, [conn]);
  return <RepView model={model} authError={conn.authError.value} />;
}
