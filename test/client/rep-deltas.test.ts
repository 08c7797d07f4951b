// The manager's model applies rep:changed (one rep, issue #14) as reps:changed would have:
// a changed rep replaced in place, a new one appended, a deleted one dropped.
import { describe, expect, it } from 'vitest';
import { createManagerModel } from '../../client/src/state/managerModel';
import { connected, dashboard, fakeHttp, rep } from './fixtures';

describe('rep:changed in the manager model', () => {
  it('replaces, appends and drops one rep, keeping the order of the others', () => {
    const model = createManagerModel(fakeHttp().http, connected());
    model.applyDashboard(dashboard());
    model.repsChanged({ reps: [rep({ id: 'rep_1', name: 'A' }), rep({ id: 'rep_2', name: 'B' })] });
    model.repChanged({ repId: 'rep_1', rep: rep({ id: 'rep_1', name: 'A2' }) });
    model.repChanged({ repId: 'rep_3', rep: rep({ id: 'rep_3', name: 'C' }) });
    expect(model.reps.value.map((r) => r.name)).toEqual(['A2', 'B', 'C']);
    model.repChanged({ repId: 'rep_2', rep: null });
    model.repChanged({ repId: 'rep_gone', rep: null });
    expect(model.reps.value.map((r) => r.id)).toEqual(['rep_1', 'rep_3']);
  });
});
