// The environment the bench's servers run with: the guards off (no event, byte, connection
// or auth-failure budgets, no ingest rate), so a bench measures the server, not its budgets.
export const GUARDS_OFF: Record<string, string> = {
  LEADPOOL_INGEST_RATE: '0',
  LEADPOOL_SOCKET_EVENTS_PER_SECOND: '0',
  LEADPOOL_REP_EVENTS_PER_SECOND: '0',
  LEADPOOL_SOCKET_BYTES_PER_SECOND: '0',
  LEADPOOL_CONNECTIONS_PER_ADDRESS: '0',
  LEADPOOL_PENDING_CONNECTIONS_PER_ADDRESS: '0',
  LEADPOOL_AUTH_FAILURES_PER_MINUTE: '0',
};
