// scrypt on a thread of its own. Node's async scrypt runs on libuv's threadpool (4 threads),
// which reading files, compressing and DNS share: a few parallel password checks (~0.3 s and
// 128 MiB each) used to hold every thread and stall pages for seconds. Here one worker thread
// hashes, one password after another; the threadpool never sees scrypt.
import { Worker } from 'node:worker_threads';
import type { ScryptOptions } from 'node:crypto';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ id, password, salt, length, options }) => {
  try {
    parentPort.postMessage({ id, key: scryptSync(password, salt, length, options) });
  } catch (error) {
    parentPort.postMessage({ id, error: error.message });
  }
});`;

type Pending = { resolve: (key: Buffer) => void; reject: (error: Error) => void };

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

function thread(): Worker {
  if (worker) return worker;
  const made = new Worker(SOURCE, { eval: true });
  made.on('message', ({ id, key, error }: { id: number; key?: Uint8Array; error?: string }) => {
    const job = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) made.unref(); // an idle thread keeps no process alive (`labs classroom init`)
    if (key) job?.resolve(Buffer.from(key.buffer, key.byteOffset, key.byteLength));
    else job?.reject(new Error(`scrypt: ${error}`));
  });
  const fail = (error: Error) => {
    if (worker === made) worker = undefined;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };
  made.on('error', fail);
  made.on('exit', (code) => fail(new Error(`scrypt thread exited (${code})`)));
  return (worker = made);
}

export function scryptOnThread(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const target = thread();
    target.ref();
    target.postMessage({ id, password, salt, length, options });
  });
}
