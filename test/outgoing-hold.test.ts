// holdOutgoing on a real Socket.IO server and client: what a held connection is sent
// (its own emits and room broadcasts) arrives after what the release sends first, in
// order; overlapping holds keep what a newer one releases behind the older one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { type Socket as ClientSocket, io as connect } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { holdOutgoing } from '../server/realtime/outgoing-hold.js';

let io: Server;
let url: string;
const clients: ClientSocket[] = [];

beforeAll(async () => {
  const http = createServer();
  io = new Server(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await io.close();
});

/** A client connected to the room "r", with the server's socket and what the client received, in order. */
async function connected(): Promise<{ socket: Socket; got: string[] }> {
  const arrived = new Promise<Socket>((resolve) => io.once('connection', resolve));
  const client = connect(url, { transports: ['websocket'], forceNew: true });
  clients.push(client);
  const got: string[] = [];
  client.onAny((event: string, n: number) => got.push(`${event}${n}`));
  const socket = await arrived;
  socket.join('r');
  return { socket, got };
}

/** Resolves once the client has received `n` events. */
const received = (got: string[], n: number) => expect.poll(() => got.length).toBe(n);

it('holds emits and broadcasts until the release, which sends its own first', async () => {
  const { socket, got } = await connected();
  const hold = holdOutgoing(socket);
  socket.emit('own', 1);
  io.to('r').emit('room', 1);
  await new Promise((r) => setTimeout(r, 50));
  expect(got).toEqual([]);
  hold.release(() => socket.emit('snapshot', 1));
  io.to('r').emit('room', 2);
  await received(got, 4);
  expect(got).toEqual(['snapshot1', 'own1', 'room1', 'room2']);
});

it('overlapping holds: each snapshot precedes what came after its hold began, whichever is released first', async () => {
  for (const newerFirst of [true, false]) {
    const { socket, got } = await connected();
    const older = holdOutgoing(socket);
    io.to('r').emit('a', 1);
    const newer = holdOutgoing(socket);
    io.to('r').emit('b', 1);
    const [first, second] = newerFirst ? [newer, older] : [older, newer];
    first.release(() => socket.emit(newerFirst ? 'newer' : 'older', 1));
    io.to('r').emit('c', 1);
    second.release(() => socket.emit(newerFirst ? 'older' : 'newer', 1));
    io.to('r').emit('d', 1);
    await received(got, 6);
    // older's snapshot before a (and all after); newer's before b (and all after).
    expect(got.indexOf('older1')).toBe(0);
    expect(got.indexOf('newer1')).toBeLessThan(got.indexOf('b1'));
    expect(got.filter((e) => !e.startsWith('older') && !e.startsWith('newer'))).toEqual(['a1', 'b1', 'c1', 'd1']);
  }
});

it('a released connection writes straight out again', async () => {
  const { socket, got } = await connected();
  holdOutgoing(socket).release();
  expect(Object.hasOwn(socket.client, 'writeToEngine')).toBe(false);
  socket.emit('after', 1);
  await received(got, 1);
});
