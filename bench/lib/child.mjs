// Orchestrator side of the client-process protocol. A client process prints JSON lines on stdout:
//   {"event":"ready"}                 set up (connected, metadata known), waiting for "go\n" on stdin
//   {"event":"result", ...figures}    done
//   {"event":"error","message":"..."} failed
// so that the orchestrator can sample the broker's CPU exactly around the timed section.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT } from './broker.mjs';

const PYTHON = '/usr/bin/python3';

/** The command line of a client: ours | kafkajs | rdkafka | kcat (Node scripts, rdkafka in Python). */
export function clientCommand(client, args, nodeArgs = []) {
  const flat = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  if (client === 'rdkafka') return [PYTHON, [join(ROOT, 'bench', 'clients', 'rdkafka_bench.py'), ...flat]];
  return [process.execPath, [...nodeArgs, join(ROOT, 'bench', 'clients', `${client}.mjs`), ...flat]];
}

export class ClientProcess {
  constructor(client, args, { nodeArgs = [] } = {}) {
    const [cmd, argv] = clientCommand(client, args, nodeArgs);
    this.name = `${client} ${args.mode}`;
    this.child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.waiters = [];
    this.events = [];
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.exit.then((code) => this.deliver({ event: 'exit', code }));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return; // Library chatter on stdout is not part of the protocol.
      }
      msg.at = performance.now();
      this.deliver(msg);
    });
  }

  deliver(msg) {
    this.events.push(msg);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first event named `event`; rejects on an error event or an early exit. */
  async waitFor(event, timeoutMs = 600_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => e.event === event);
      if (hit) return hit;
      const bad = this.events.find((e) => e.event === 'error' || e.event === 'exit');
      if (bad) throw new Error(`${this.name}: ${bad.message ?? `exited with ${bad.code}`}\n${this.stderr.trim()}`);
      if (Date.now() > deadline) {
        this.kill();
        throw new Error(`${this.name}: no "${event}" after ${timeoutMs} ms\n${this.stderr.trim()}`);
      }
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  go() {
    this.child.stdin.write('go\n');
  }

  /** Lets a client that printed its result exit by itself (writing profiles), else kills it. */
  async close(graceMs = 3000) {
    let timer;
    await Promise.race([this.exit, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.kill();
  }

  kill() {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
