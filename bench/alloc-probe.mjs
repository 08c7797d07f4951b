// Preloaded into both servers by `bench/connect-cpu.ts --alloc`: what the server allocates
// between the bench's 'start' and 'stop' messages (IPC), garbage included, by call site,
// with V8's sampling heap profiler run in this process (node:inspector). Allocation is what
// the garbage collector pays for later, and it moves less between runs than CPU time on a
// busy machine.
import { Session } from 'node:inspector/promises';

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');

/** Bytes allocated by each function (self), keyed "name file:line". */
function bySite(profile) {
  const sites = {};
  let total = 0;
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    sites[site] = (sites[site] ?? 0) + node.selfSize;
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return { total, sites };
}

process.on('message', async (message) => {
  if (message?.alloc === 'start') {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    process.send({ alloc: 'started' });
  } else if (message?.alloc === 'stop') {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    process.send({ alloc: bySite(profile) });
  }
});
