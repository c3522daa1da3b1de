// package.json's launch attributes must be exactly the launch arguments the adapter documents,
// so that VS Code's launch.json completion and validation cannot drift from retrace dap.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const fake = require('./support/fake-vscode'); // before the extension's modules, which require('vscode')
const manifest = require('../package.json');
const extension = require('../out/extension');
const { RetraceConfigurationProvider } = require('../out/configuration');
const DEBUGGING_MD = path.join(__dirname, '..', '..', 'docs', 'debugging.md');

/** The first column of the table headed `| launch argument | meaning |` in docs/debugging.md. */
function documentedLaunchArguments() {
  const lines = fs.readFileSync(DEBUGGING_MD, 'utf8').split('\n');
  const header = lines.findIndex((line) => /^\|\s*launch argument\s*\|/.test(line));
  assert.ok(header >= 0, `no "| launch argument |" table in ${DEBUGGING_MD}`);
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(/^\|\s*`([^`]+)`/.exec(line)[1]);
  }
  return rows;
}

const retraceDebugger = manifest.contributes.debuggers.find((d) => d.type === 'retrace');

test('the launch attributes are the documented launch arguments', () => {
  const declared = Object.keys(retraceDebugger.configurationAttributes.launch.properties);
  assert.deepEqual([...declared].sort(), [...documentedLaunchArguments()].sort());
});

test('recording is the one required attribute, as documented', () => {
  assert.deepEqual(retraceDebugger.configurationAttributes.launch.required, ['recording']);
  const table = fs.readFileSync(DEBUGGING_MD, 'utf8');
  assert.match(table, /^\| `recording` \|[^\n]*\(required\)/m);
});

test('the attribute types are what the adapter reads', () => {
  const types = Object.fromEntries(
    Object.entries(retraceDebugger.configurationAttributes.launch.properties).map(([k, v]) => [k, v.type])
  );
  assert.deepEqual(types, { recording: 'string', pid: 'number', sourcePaths: 'array', stopOnEntry: 'boolean', parkedReplays: 'number', progressPoints: 'boolean' });
});

test('the initial configuration in package.json is the one the provider writes', () => {
  const provided = new RetraceConfigurationProvider().provideDebugConfigurations();
  assert.deepEqual(retraceDebugger.initialConfigurations, provided);
  for (const config of provided) {
    for (const key of Object.keys(config).filter((k) => !['type', 'request', 'name'].includes(k))) {
      assert.ok(key in retraceDebugger.configurationAttributes.launch.properties, key);
    }
  }
});

test('activation covers the debug type and both commands', () => {
  assert.deepEqual([...manifest.activationEvents].sort(), [
    'onCommand:retrace.openRecording',
    'onCommand:retrace.replayInDebugger',
    'onDebugDynamicConfigurations:retrace',
    'onDebugResolve:retrace',
  ]);
  assert.equal(manifest.contributes.configuration.properties['retrace.path'].default, 'retrace');
});

test('the commands are Open Recording… and Replay in debugger, the ones activate registers', () => {
  const titles = Object.fromEntries(manifest.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
  assert.deepEqual(titles, {
    'retrace.openRecording': 'Retrace: Open Recording…',
    'retrace.replayInDebugger': 'Retrace: Replay in debugger',
  });
  fake.reset();
  extension.activate({ subscriptions: [] });
  const registered = fake.state.registered.filter(([kind]) => kind === 'command').map(([, id]) => id);
  assert.deepEqual(registered.sort(), Object.keys(titles).sort());
});

test('Replay in debugger is in the explorer context menu of .retrace files only, not the palette', () => {
  assert.deepEqual(manifest.contributes.menus['explorer/context'], [
    { command: 'retrace.replayInDebugger', when: 'resourceExtname == .retrace', group: 'navigation' },
  ]);
  // It needs a file; in the palette Open Recording… asks for one.
  assert.deepEqual(manifest.contributes.menus.commandPalette, [{ command: 'retrace.replayInDebugger', when: 'false' }]);
});

test('breakpoints can be set in .java files without another Java debugger installed', () => {
  // VS Code lets the gutter and F9 set breakpoints only in languages some extension contributes
  // `breakpoints` for (or with debug.allowBreakpointsEverywhere); `debuggers[].languages` is not enough.
  assert.deepEqual(manifest.contributes.breakpoints, [{ language: 'java' }]);
});
