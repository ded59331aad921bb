// The feed parser's worker thread (started by parse-off-thread.ts): decodes and parses one
// feed at a time, so the CPU-heavy part of a poll — up to 8 MB of XML — never runs on the
// thread that answers residents. It answers each task with parseFeed's result, which never
// throws; a worker that dies or hangs is replaced by its owner.
//
// A thread of its own is not enough on a small machine: on two busy cores the parse would
// still take CPU time from the web thread. So the worker first lowers its own priority to the
// lowest there is (nice 19; on Linux a thread has its own, found through /proc/thread-self),
// and the scheduler gives the web thread the CPU whenever both want it. Elsewhere it runs at
// normal priority.
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { parseFeed, type ParseFeedOptions, type ParseFeedResult } from './parse.ts';

export interface ParseTask {
  id: number;
  body: Uint8Array | string;
  options: ParseFeedOptions;
}

export type ParseWorkerMessage = { ready: true } | { id: number; result: ParseFeedResult };

/** Lowers this thread's CPU priority to the lowest (Linux); elsewhere does nothing. */
function yieldTheCpu(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, constants.priority.PRIORITY_LOW);
  } catch {
    // Not Linux, or not allowed: the worker still runs beside the web thread, at normal priority.
  }
}

if (parentPort) {
  yieldTheCpu();
  const port = parentPort;
  port.on('message', (task: ParseTask) => {
    port.postMessage({ id: task.id, result: parseFeed(task.body, task.options) } satisfies ParseWorkerMessage);
  });
  port.postMessage({ ready: true } satisfies ParseWorkerMessage);
}
