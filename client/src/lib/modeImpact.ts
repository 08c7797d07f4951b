// What switching a pool's mode will do, in words, when it matters: the manager reads it
// in the confirmation before the switch ("switching to round-robin assigns the 4 waiting
// leads now"). null when nothing the manager would want to weigh happens.
import type { Mode } from '../../../shared/protocol';

const LABEL: Record<Mode, string> = {
  'shark-tank': 'shark-tank',
  'cherry-pick': 'cherry-pick',
  'blind-pull': 'blind-pull',
  hybrid: 'hybrid',
  'round-robin': 'round-robin',
};

interface Context {
  /** Named with several pools ("Switching Sales to …"), else "the pool". */
  poolName?: string;
  /** Open leads of the pool now. */
  waiting: number;
  /** Reps of the pool that are online and available. */
  availableReps: number;
  /** The pool's hybrid rules. */
  rules: number;
}

const leadsText = (n: number) => `${n === 1 ? 'the waiting lead' : `the ${n} waiting leads`}`;
const repsText = (n: number) => `${n} available rep${n === 1 ? '' : 's'}`;

export function modeSwitchImpact(from: Mode, to: Mode, ctx: Context): string | null {
  if (from === to) return null;
  const pool = ctx.poolName ?? 'the pool';
  const switching = `Switching ${pool} to ${LABEL[to]}`;
  const n = ctx.waiting;
  if (to === 'round-robin') {
    if (n === 0) return `${switching} assigns new leads in turn to available reps. Reps can no longer claim or pull.`;
    if (ctx.availableReps === 0)
      return `${switching} assigns ${leadsText(n)} in turn as soon as a rep is available (none is now). Reps can no longer claim or pull.`;
    return `${switching} assigns ${leadsText(n)} now, in turn, to the ${repsText(ctx.availableReps)} (up to their caps). Reps can no longer claim or pull.`;
  }
  if (to === 'hybrid') {
    if (ctx.rules === 0)
      return `${switching}: ${pool} has no routing rules yet, so every lead is offered to every rep of the pool. Add rules under Rules.`;
    if (n > 0)
      return `${switching} offers ${leadsText(n)} only to the reps the ${ctx.rules} rule${ctx.rules === 1 ? '' : 's'} route them to.`;
    return null;
  }
  if (to === 'blind-pull') {
    if (n === 0) return null;
    return `${switching} hides ${leadsText(n)} from reps: they see a count and pull the oldest one.`;
  }
  // shark-tank and cherry-pick: every rep of the pool sees every lead.
  if (n > 0 && (from === 'blind-pull' || from === 'hybrid' || from === 'round-robin'))
    return `${switching} offers ${leadsText(n)} to every rep of the pool at once.`;
  return null;
}
