// A minimal Debug Adapter Protocol client over a child's stdio, as VS Code talks to an
// executable adapter: Content-Length framed JSON, requests matched to responses by seq, and
// events queued so a test can wait for the next one of a kind, in order.
const { spawn } = require('node:child_process');

class DapClient {
  constructor(command, args) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.seq = 1;
    this.pending = new Map(); // request seq → { resolve, reject }
    this.events = []; // every event, in arrival order
    this.eventWaiters = []; // { event, from, resolve }
    this.stderr = '';
    this.buffer = Buffer.alloc(0);
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.onMessage(JSON.parse(body));
    }
  }

  onMessage(message) {
    if (message.type === 'response') {
      const waiter = this.pending.get(message.request_seq);
      this.pending.delete(message.request_seq);
      if (!waiter) return;
      if (message.success) waiter.resolve(message.body || {});
      else waiter.reject(new Error(`${message.command} failed: ${message.message}`));
    } else if (message.type === 'event') {
      this.events.push(message);
      this.eventWaiters = this.eventWaiters.filter((w) => !this.settle(w));
    }
  }

  /** Sends a request; resolves to the response's body, rejects with the adapter's message. */
  request(command, args) {
    const seq = this.seq++;
    const json = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }), 'utf8');
    this.child.stdin.write(`Content-Length: ${json.length}\r\n\r\n`);
    this.child.stdin.write(json);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }

  /** The next event named `event` that a previous call has not taken yet. */
  nextEvent(event) {
    const from = (this.taken && this.taken[event]) || 0;
    return new Promise((resolve) => {
      const waiter = { event, from, resolve };
      if (!this.settle(waiter)) this.eventWaiters.push(waiter);
    });
  }

  settle(waiter) {
    const index = this.events.findIndex((e, i) => i >= waiter.from && e.event === waiter.event);
    if (index < 0) return false;
    this.taken = { ...this.taken, [waiter.event]: index + 1 };
    waiter.resolve(this.events[index].body || {});
    return true;
  }

  output(category) {
    return this.events
      .filter((e) => e.event === 'output' && e.body.category === category)
      .map((e) => e.body.output)
      .join('');
  }

  kill() {
    this.child.kill('SIGKILL');
  }
}

module.exports = { DapClient };
