import { effect } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { Lead } from '../../../shared/protocol';
import { loadAlertPrefs, raiseAlert, trackTitle, unlockAudioOnGesture } from '../lib/alerts';
import { startClock } from '../lib/clock';
import { http } from '../lib/http';
import { connect } from '../lib/socket';
import { forgetToken } from '../lib/token';
import { bindRepSocket, createRepModel, RECENT_DAYS } from '../state/repModel';
import { RepView } from './RepView';

const TITLE = 'Leadpool — Rep';

/** Connects /rep with the token and renders the live view. */
export function RepPage({ token }: { token: string }) {
  const { conn, model, unbind } = useMemo(() => {
    const conn = connect('/rep', token);
    const api = http(token);
    const model = createRepModel(conn, conn.state, {
      onArrival: (a) => raiseAlert(a.kind, a.title, a.body, a.tag),
      loadRecent: () => api.get<{ leads: Lead[] }>(`/api/me/leads?status=closed&days=${RECENT_DAYS}`).then((r) => r.leads),
    });
    const unbind = bindRepSocket(model, conn.socket);
    return { conn, model, unbind };
  }, [token]);
  useEffect(() => {
    startClock();
    const stopUnlock = unlockAudioOnGesture();
    const stopTitle = trackTitle(TITLE);
    // Each rep keeps its own alert choices (a shared computer, several reps).
    const stopPrefs = effect(() => {
      const id = model.you.value?.id;
      if (id) loadAlertPrefs(id);
    });
    // A refused link stays refused: forget it, so a reload does not try it again.
    const stopAuth = effect(() => {
      if (conn.authError.value) forgetToken('rep');
    });
    // Closing the tab during an outcome's Undo period sends it (the rep chose it).
    const flush = () => model.flushOutcomes();
    window.addEventListener('pagehide', flush);
    void model.loadRecent();
    return () => {
      window.removeEventListener('pagehide', flush);
      stopUnlock();
      stopTitle();
      stopPrefs();
      stopAuth();
      unbind();
      conn.close();
    };
  }, [conn]);
  return <RepView model={model} authError={conn.authError.value} />;
}
