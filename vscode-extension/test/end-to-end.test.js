// The extension's launch, end to end: the adapter command its factory names, started as VS Code
// starts it, given the configuration its provider resolved, against a real recording. Forwards
// to a breakpoint, Step Back, Reverse Continue, and on to the recorded exit status.
// Needs a built retrace: $RETRACE, else the repository's build/dist/bin/retrace (bin/setup).
const fake = require('./support/fake-vscode');
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { RetraceAdapterFactory } = require('../out/adapter');
const { RetraceConfigurationProvider } = require('../out/configuration');
const { DapClient } = require('./support/dap-client');

const REPOSITORY_BUILD = path.join(__dirname, '..', '..', 'build', 'dist', 'bin', 'retrace');
const RETRACE = process.env.RETRACE || REPOSITORY_BUILD;
const JDK17 = process.env.RETRACE_JDK17 || '/usr/lib/jvm/java-17-openjdk-amd64';

// Each value comes from the clock, so only the recording knows it; lines 4 and 5 are stepped on.
const PROGRAM = `public class Main {
    public static void main(String[] args) {
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            System.out.println("i=" + i + " t=" + t);
        }
        System.exit(3);
    }
}
`;
const CLOCK_LINE = 4;
const PRINT_LINE = 5;

function missingPrerequisite() {
  if (!fs.existsSync(RETRACE)) return `no built retrace at ${RETRACE} (run bin/setup, or set RETRACE)`;
  if (!fs.existsSync(path.join(JDK17, 'bin', 'javac'))) return `no JDK 17 at ${JDK17} (set RETRACE_JDK17)`;
  return undefined;
}

/** A workspace with src/main/java/Main.java, compiled with -g and recorded; what it printed. */
function recordWorkspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'retrace-vscode-e2e-'));
  const sources = path.join(root, 'src', 'main', 'java');
  fs.mkdirSync(sources, { recursive: true });
  fs.writeFileSync(path.join(sources, 'Main.java'), PROGRAM);
  const classes = path.join(root, 'classes');
  execFileSync(path.join(JDK17, 'bin', 'javac'), ['-g', '-d', classes, path.join(sources, 'Main.java')]);
  const recording = path.join(root, 'failed.retrace');
  let stdout;
  try {
    execFileSync(RETRACE, ['record', '-o', recording, '--java', path.join(JDK17, 'bin', 'java'), '--', '-cp', classes, 'Main'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.fail('the program exits 3, so record should too');
  } catch (error) {
    assert.equal(error.status, 3, `retrace record: ${error.stderr}`);
    stdout = error.stdout.toString();
  }
  const clock = [...stdout.matchAll(/^i=(\d+) t=(\d+)$/gm)].map((m) => m[2]);
  assert.equal(clock.length, 3, `recorded output: ${stdout}`);
  return { root, sources, recording, stdout, clock };
}

/** The top frame of the stopped thread, and its locals by name. */
async function topFrame(dap, threadId) {
  const { stackFrames } = await dap.request('stackTrace', { threadId, startFrame: 0, levels: 20 });
  const frame = stackFrames[0];
  const { scopes } = await dap.request('scopes', { frameId: frame.id });
  const localsScope = scopes.find((s) => s.name === 'Locals');
  const { variables } = await dap.request('variables', { variablesReference: localsScope.variablesReference });
  return { frame, locals: Object.fromEntries(variables.map((v) => [v.name, v.value])) };
}

test('a replay driven as VS Code drives it: breakpoint, stepBack, reverseContinue, exit 3', { timeout: 120_000 }, async (t) => {
  const missing = missingPrerequisite();
  if (missing) {
    t.skip(`SKIPPED, not passed: ${missing}`);
    return;
  }
  const workspace = recordWorkspace();
  t.after(() => fs.rmSync(workspace.root, { recursive: true, force: true }));
  fake.reset();
  fake.state.workspaceFolders = [fake.folder(workspace.root)];
  fake.state.settings['retrace.path'] = RETRACE;

  // F5 on the recording in the active editor, no launch.json: what VS Code would send.
  fake.state.activeTextEditor = { document: { uri: fake.Uri.file(workspace.recording) } };
  const provider = new RetraceConfigurationProvider();
  const folder = fake.state.workspaceFolders[0];
  const launch = await provider.resolveDebugConfigurationWithSubstitutedVariables(
    folder, await provider.resolveDebugConfiguration(folder, {}));
  assert.deepEqual(launch.sourcePaths, [workspace.sources]);

  const adapter = new RetraceAdapterFactory().createDebugAdapterDescriptor();
  const dap = new DapClient(adapter.command, adapter.args);
  t.after(() => dap.kill());
  const mainJava = path.join(workspace.sources, 'Main.java');
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    const capabilities = await dap.request('initialize', {
      clientID: 'vscode', adapterID: 'retrace', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path',
    });
    assert.equal(capabilities.supportsStepBack, true, 'the Step Back and Reverse Continue buttons need it');
    await dap.request('launch', launch);
    await dap.nextEvent('initialized');
    const { breakpoints } = await dap.request('setBreakpoints', {
      source: { path: mainJava }, breakpoints: [{ line: PRINT_LINE }],
    });
    assert.equal(breakpoints.length, 1);
    await dap.request('configurationDone', {});

    let stopped = await dap.nextEvent('stopped');
    assert.equal(stopped.reason, 'breakpoint');
    let top = await topFrame(dap, stopped.threadId);
    assert.equal(top.frame.line, PRINT_LINE);
    assert.equal(top.frame.source.path, mainJava);
    assert.deepEqual([top.locals.i, top.locals.t], ['0', workspace.clock[0]]);
    t.diagnostic(`first breakpoint hit after ${elapsed()}`);

    await dap.request('continue', { threadId: stopped.threadId });
    stopped = await dap.nextEvent('stopped');
    top = await topFrame(dap, stopped.threadId);
    assert.deepEqual([top.locals.i, top.locals.t], ['1', workspace.clock[1]]);

    // Back one line, into the same iteration before the clock was read: t is not assigned yet.
    let mark = Date.now();
    await dap.request('stepBack', { threadId: stopped.threadId });
    stopped = await dap.nextEvent('stopped');
    top = await topFrame(dap, stopped.threadId);
    assert.equal(stopped.reason, 'step');
    assert.equal(top.frame.line, CLOCK_LINE);
    assert.equal(top.locals.i, '1');
    assert.equal(top.locals.t, undefined);
    t.diagnostic(`stepBack took ${Date.now() - mark} ms`);

    // Back to the previous hit of the breakpoint: iteration 0, with the clock reading it had.
    mark = Date.now();
    await dap.request('reverseContinue', { threadId: stopped.threadId });
    stopped = await dap.nextEvent('stopped');
    top = await topFrame(dap, stopped.threadId);
    assert.equal(stopped.reason, 'breakpoint');
    assert.equal(top.frame.line, PRINT_LINE);
    assert.deepEqual([top.locals.i, top.locals.t], ['0', workspace.clock[0]]);
    t.diagnostic(`reverseContinue took ${Date.now() - mark} ms`);

    await dap.request('setBreakpoints', { source: { path: mainJava }, breakpoints: [] });
    await dap.request('continue', { threadId: stopped.threadId });
    const exited = await dap.nextEvent('exited');
    assert.equal(exited.exitCode, 3);
    await dap.nextEvent('terminated');
    // Every byte of the program's output once, though the replay ran three times.
    assert.equal(dap.output('stdout'), workspace.stdout);
    t.diagnostic(`session ended after ${elapsed()}`);

    await dap.request('disconnect', {});
    assert.equal(await dap.exited, 0);
  } catch (error) {
    error.message += `\nretrace dap's stderr:\n${dap.stderr}`;
    throw error;
  }
});
