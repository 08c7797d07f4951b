// Socket.IO events, declared once: every event name (EV) and, per namespace and
// direction, what each event carries and what its acknowledgement answers. The server
// types its namespaces with these maps, the web app and the tests their sockets, so a
// renamed event or payload field fails type-checking everywhere. Names and shapes are
// the wire contract: docs/API.md, "Socket.IO /rep" and "Socket.IO /manager". Types and
// one constant table only (the schemas import is erased), so the browser bundle stays small.
import type {
  Ack,
  DashboardState,
  Feed,
  GoneReason,
  Lead,
  LeadInput,
  LeadStatus,
  LeadView,
  LiveStats,
  Mode,
  Outcome,
  PoolOverview,
  PoolState,
  Presence,
  PresenceStatus,
  Rep,
  ReportSummary,
  RevokedReason,
  Rule,
  Settings,
  StrandAction,
} from './protocol.js';
import type { FeedCreate, PoolCreate, RepCreate, RepPatch, SettingsPatch } from './schemas.js';

/** Socket.IO event names, one table for server, client and tests. */
export const EV = {
  // server -> rep
  poolState: 'pool:state',
  leadOffered: 'lead:offered',
  leadGone: 'lead:gone',
  poolWaiting: 'pool:waiting',
  leadAssigned: 'lead:assigned',
  leadRevoked: 'lead:revoked',
  /** Also server -> manager. */
  modeChanged: 'mode:changed',
  /** Extra: the rep's own lead changed through another of its tabs (see MineChanged). */
  mineChanged: 'mine:changed',
  /** The rep left a pool, or it was deleted: its offered leads vanish from the tab. */
  poolLeft: 'pool:left',
  // rep -> server
  claim: 'lead:claim',
  pull: 'lead:pull',
  /** Also manager -> server (any claimed lead). */
  release: 'lead:release',
  outcome: 'lead:outcome',
  presenceSet: 'presence:set',
  // server -> manager
  dashboardState: 'dashboard:state',
  leadCreated: 'lead:created',
  leadClaimed: 'lead:claimed',
  leadReleased: 'lead:released',
  leadClosed: 'lead:closed',
  repPresence: 'rep:presence',
  /** Extra: a lead changed without changing hands (outcome contacted, escalation). */
  leadUpdated: 'lead:updated',
  repsChanged: 'reps:changed',
  /** One rep created, updated or deleted: the change alone (reps:changed still carries the whole list, coalesced). */
  repChanged: 'rep:changed',
  settingsChanged: 'settings:changed',
  rulesChanged: 'rules:changed',
  stats: 'stats',
  /** A pool was created, renamed, deleted or switched mode: every pool's overview. */
  poolsChanged: 'pools:changed',
  /** A feed key was created, rotated or revoked: every feed (never a key). */
  feedsChanged: 'feeds:changed',
  /** Nobody available was eligible for a lead: its pool's whenNobodyEligible applied (once per lead). */
  leadStranded: 'lead:stranded',
  /** A lead waited longer than its pool's slaMs (once per lead). */
  leadOverdue: 'lead:overdue',
  // manager -> server: what the HTTP manager routes do, as events with acks
  modeSet: 'mode:set',
  settingsPatch: 'settings:patch',
  rulesSet: 'rules:set',
  repCreate: 'rep:create',
  repUpdate: 'rep:update',
  repDelete: 'rep:delete',
  /** A new token (link) for a rep: the old one is refused at once and its tabs close. */
  repToken: 'rep:token',
  leadCreate: 'lead:create',
  leadAssign: 'lead:assign',
  reportsSummary: 'reports:summary',
  leadsList: 'leads:list',
  leadGet: 'lead:get',
  repsList: 'reps:list',
  poolGet: 'pool:get',
  dashboardGet: 'dashboard:get',
  poolsList: 'pools:list',
  poolCreate: 'pool:create',
  poolUpdate: 'pool:update',
  poolDelete: 'pool:delete',
  feedsList: 'feeds:list',
  feedCreate: 'feed:create',
  feedKey: 'feed:key',
  feedDelete: 'feed:delete',
} as const;

// ---- payloads ----------------------------------------------------------------------------

export interface LeadGone {
  leadId: string;
  poolId: string;
  reason: GoneReason;
}

export interface LeadRevoked {
  leadId: string;
  poolId: string;
  reason: RevokedReason;
}

/** Why a claimed lead went back to its pool (lead:released). */
export type ReleaseReason = 'rep' | 'manager' | 'expired' | 'removed' | 'offline';

/**
 * Extra fields of lead:released: who gave the lead back and why. `rep`: its rep released
 * it; `manager`: a manager did; `expired`: the claim timed out (the server did);
 * `removed`: a manager removed the rep that held it; `offline`: reclaimAfterOfflineMs took it
 * from an unavailable rep (the server did).
 */
export interface ReleaseInfo {
  releasedBy: { role: 'rep' | 'manager' | 'system'; repId?: string };
  reason: ReleaseReason;
  /** The rep that held the lead. */
  previousOwner: string;
}

/** lead:released: the lead (open again) and who released it, why. */
export type LeadReleased = Lead & ReleaseInfo;

/** lead:stranded: `poolId` the pool it was stranded in; `toPoolId` where it was moved (action `moved`); `lead` as it is now. */
export interface LeadStranded {
  leadId: string;
  poolId: string;
  action: StrandAction;
  toPoolId?: string;
  lead: Lead;
}

/** lead:overdue: the lead (with `overdueAt`) in its pool. */
export interface LeadOverdue {
  leadId: string;
  poolId: string;
  overdueAt: string;
  lead: Lead;
}

export interface ModeChanged {
  mode: Mode;
  poolId: string;
}

export interface PoolLeft {
  poolId: string;
}

export interface PoolsChanged {
  pools: PoolOverview[];
}

export interface FeedsChanged {
  feeds: Feed[];
}

export interface PoolWaiting {
  poolId: string;
  waiting: number;
  oldestAgeMs: number | null;
}

/**
 * To a rep's other tabs after it claimed, pulled, released or recorded an outcome in one
 * tab: `lead` (the owner's view) present = upsert into My leads if still claimed, else
 * drop it; absent = released, drop it.
 */
export interface MineChanged {
  leadId: string;
  poolId: string;
  lead?: Lead;
}

export interface RepPresenceChanged {
  repId: string;
  presence: Presence;
}

export interface RepsChanged {
  reps: Rep[];
}

/** rep:changed: the rep as it is now, or null when it was deleted. */
export interface RepChange {
  repId: string;
  rep: Rep | null;
}

export interface SettingsChanged {
  poolId: string;
  settings: Settings;
}

export interface RulesChanged {
  poolId: string;
  rules: Rule[];
}

interface LeadIdRequest {
  leadId: string;
}

/** A pull carries `{}`, `{ poolId }` or nothing: without a pool, the oldest lead in any of the rep's pools. */
type PullRequest = { poolId?: string } | null | undefined;

/** Pool-scoped manager requests name their pool; without one they mean `default` (v1). */
interface InPool {
  poolId?: string;
}

interface OutcomeRequest {
  leadId: string;
  outcome: Outcome;
  note?: string;
}

interface PresenceRequest {
  status: PresenceStatus;
}

interface AssignRequest {
  leadId: string;
  repId: string;
}

/** As the query of GET /api/leads; nothing = the defaults. */
type LeadsListRequest = { status?: LeadStatus; repId?: string; poolId?: string; limit?: number } | null | undefined;

export interface PoolConfig {
  poolId: string;
  mode: Mode;
  settings: Settings;
  rules: Rule[];
}

// ---- the maps ------------------------------------------------------------------------------

/** A client -> server event: a payload, answered through the ack callback. */
type Acked<Payload, Answer extends object = object> = (payload: Payload, ack: (answer: Ack<Answer>) => void) => void;

export type RepServerToClient = {
  [EV.poolState]: (state: PoolState) => void;
  [EV.leadOffered]: (lead: LeadView) => void;
  [EV.leadGone]: (gone: LeadGone) => void;
  [EV.poolWaiting]: (summary: PoolWaiting) => void;
  [EV.leadAssigned]: (lead: Lead) => void;
  [EV.leadRevoked]: (revoked: LeadRevoked) => void;
  [EV.modeChanged]: (change: ModeChanged) => void;
  [EV.mineChanged]: (change: MineChanged) => void;
  [EV.poolLeft]: (left: PoolLeft) => void;
};

export type RepClientToServer = {
  [EV.claim]: Acked<LeadIdRequest, { lead: Lead }>;
  [EV.pull]: Acked<PullRequest, { lead: Lead }>;
  [EV.release]: Acked<LeadIdRequest>;
  [EV.outcome]: Acked<OutcomeRequest, { lead: Lead }>;
  [EV.presenceSet]: Acked<PresenceRequest>;
};

/** lead:created, lead:claimed (also manual and round-robin assignment), lead:released, lead:closed and lead:updated carry the full Lead (lead:released also who released it and why). */
export type ManagerServerToClient = {
  [EV.dashboardState]: (state: DashboardState) => void;
  [EV.leadCreated]: (lead: Lead) => void;
  [EV.leadClaimed]: (lead: Lead) => void;
  [EV.leadReleased]: (lead: LeadReleased) => void;
  [EV.leadClosed]: (lead: Lead) => void;
  [EV.leadUpdated]: (lead: Lead) => void;
  [EV.repPresence]: (change: RepPresenceChanged) => void;
  [EV.repsChanged]: (change: RepsChanged) => void;
  [EV.repChanged]: (change: RepChange) => void;
  [EV.settingsChanged]: (change: SettingsChanged) => void;
  [EV.rulesChanged]: (change: RulesChanged) => void;
  [EV.modeChanged]: (change: ModeChanged) => void;
  [EV.stats]: (stats: LiveStats) => void;
  [EV.poolsChanged]: (change: PoolsChanged) => void;
  [EV.feedsChanged]: (change: FeedsChanged) => void;
  [EV.leadStranded]: (stranded: LeadStranded) => void;
  [EV.leadOverdue]: (overdue: LeadOverdue) => void;
};

/** Events documented as taking "anything" carry `unknown`. */
export type ManagerClientToServer = {
  [EV.modeSet]: Acked<{ mode: Mode } & InPool, { mode: Mode }>;
  [EV.settingsPatch]: Acked<SettingsPatch & InPool, { settings: Settings }>;
  [EV.rulesSet]: Acked<{ rules: Rule[] } & InPool, { rules: Rule[] }>;
  [EV.repCreate]: Acked<RepCreate, { rep: Rep; token: string }>;
  [EV.repUpdate]: Acked<{ id: string; patch: RepPatch }, { rep: Rep }>;
  [EV.repDelete]: Acked<{ id: string }>;
  [EV.repToken]: Acked<{ id: string }, { rep: Rep; token: string }>;
  [EV.leadCreate]: Acked<LeadInput & InPool, { lead: Lead; duplicate: boolean }>;
  [EV.leadAssign]: Acked<AssignRequest, { lead: Lead }>;
  [EV.release]: Acked<LeadIdRequest, { lead: Lead }>;
  [EV.reportsSummary]: Acked<unknown, { summary: ReportSummary }>;
  [EV.leadsList]: Acked<LeadsListRequest, { leads: Lead[] }>;
  [EV.leadGet]: Acked<LeadIdRequest, { lead: Lead }>;
  [EV.repsList]: Acked<unknown, { reps: Rep[] }>;
  [EV.poolGet]: Acked<InPool | null | undefined, PoolConfig>;
  [EV.dashboardGet]: Acked<unknown, { state: DashboardState }>;
  [EV.poolsList]: Acked<unknown, { pools: PoolOverview[] }>;
  [EV.poolCreate]: Acked<PoolCreate, { pool: PoolOverview }>;
  [EV.poolUpdate]: Acked<{ poolId: string; name: string }, { pool: PoolOverview }>;
  [EV.poolDelete]: Acked<{ poolId: string }>;
  [EV.feedsList]: Acked<unknown, { feeds: Feed[] }>;
  [EV.feedCreate]: Acked<FeedCreate, { feed: Feed; key: string }>;
  [EV.feedKey]: Acked<{ id: string }, { feed: Feed; key: string }>;
  [EV.feedDelete]: Acked<{ id: string }>;
};

/** Nothing is sent between server processes but room broadcasts (the Redis adapter's own). */
export type InterServerEvents = Record<string, never>;

/** socket.data of a /rep socket, set by authentication. */
export interface RepSocketData {
  repId: string;
}

/** socket.data of a /manager socket: nothing (one manager role). */
export type ManagerSocketData = Record<string, never>;

// ---- reading the maps ------------------------------------------------------------------------

/** The shape every map above has (what Socket.IO's generics accept). */
export type EventMap = Record<string, (...args: never[]) => void>;

/** What a server -> client event carries. */
export type EventPayload<M extends EventMap, K extends keyof M> = Parameters<M[K]>[0];

/** What a client -> server event carries. */
export type RequestPayload<M extends EventMap, K extends keyof M> = M[K] extends (payload: infer P, ack: never) => void ? P : never;

/** The fields of an ok answer to a client -> server event (beside `ok: true`). */
export type AnswerFields<M extends EventMap, K extends keyof M> = M[K] extends (
  payload: never,
  ack: (answer: Ack<infer A extends object>) => void,
) => void
  ? A
  : never;

/** The acknowledgement of a client -> server event: ok with its fields, or an error. */
export type Answer<M extends EventMap, K extends keyof M> = Ack<AnswerFields<M, K>>;
