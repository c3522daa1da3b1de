// The extension against a fake `vscode`: which adapter it starts, and how it completes and
// checks launch configurations.
const fake = require('./support/fake-vscode');
const { test, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const extension = require('../out/extension');
const { RetraceAdapterFactory } = require('../out/adapter');
const { RetraceConfigurationProvider } = require('../out/configuration');

/** The function activate registered for a command id, called as VS Code calls it. */
function command(id) {
  extension.activate({ subscriptions: [] });
  const registered = fake.state.registered.find(([kind, name]) => kind === 'command' && name === id);
  assert.ok(registered, `activate registers no command ${id}`);
  return registered[2];
}

/** Both hooks, in the order VS Code calls them (variables are substituted in between). */
async function resolve(folder, config) {
  const provider = new RetraceConfigurationProvider();
  const filled = await provider.resolveDebugConfiguration(folder, config);
  return filled && provider.resolveDebugConfigurationWithSubstitutedVariables(folder, filled);
}

const workspaces = [];
after(() => workspaces.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** A temporary workspace folder with these subfolders and a failed.retrace. */
function workspace(...dirs) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'retrace-ws-'));
  workspaces.push(root);
  for (const dir of dirs) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, 'failed.retrace'), '#!/usr/bin/env retrace-replay\n');
  fake.state.workspaceFolders = [fake.folder(root)];
  return root;
}

beforeEach(() => fake.reset());

test('activate registers the adapter factory, both configuration providers and both commands', () => {
  const context = { subscriptions: [] };
  extension.activate(context);
  const kinds = fake.state.registered.map(([kind, name]) => `${kind} ${name}`);
  assert.deepEqual(kinds, [
    'factory retrace', 'provider retrace', 'provider retrace',
    'command retrace.openRecording', 'command retrace.replayInDebugger',
  ]);
  assert.equal(fake.state.registered[2][3], fake.DebugConfigurationProviderTriggerKind.Dynamic);
  assert.equal(context.subscriptions.length, 5);
});

test('the adapter is `retrace dap`, from PATH by default', () => {
  const adapter = new RetraceAdapterFactory().createDebugAdapterDescriptor();
  assert.ok(adapter instanceof fake.DebugAdapterExecutable);
  assert.equal(adapter.command, 'retrace');
  assert.deepEqual(adapter.args, ['dap']);
});

test('the adapter is the retrace.path setting when set', () => {
  fake.state.settings['retrace.path'] = '/opt/retrace/bin/retrace';
  const adapter = new RetraceAdapterFactory().createDebugAdapterDescriptor();
  assert.equal(adapter.command, '/opt/retrace/bin/retrace');
  assert.deepEqual(adapter.args, ['dap']);
});

test('sourcePaths default to the src/main/java and src/test/java that exist', async () => {
  const root = workspace('src/main/java', 'src/test/java');
  const recording = path.join(root, 'failed.retrace');
  const config = await resolve(undefined, { type: 'retrace', request: 'launch', name: 'r', recording });
  assert.deepEqual(config.sourcePaths, [path.join(root, 'src/main/java'), path.join(root, 'src/test/java')]);

  fs.rmSync(path.join(root, 'src/test'), { recursive: true });
  const mainOnly = await resolve(undefined, { type: 'retrace', request: 'launch', name: 'r', recording });
  assert.deepEqual(mainOnly.sourcePaths, [path.join(root, 'src/main/java')]);
});

test('sourcePaths default to the workspace folder when it has no conventional source folders', async () => {
  const root = workspace();
  const config = await resolve(fake.state.workspaceFolders[0], {
    type: 'retrace', request: 'launch', name: 'r', recording: path.join(root, 'failed.retrace'),
  });
  assert.deepEqual(config.sourcePaths, [root]);
});

test('sourcePaths that were given are kept', async () => {
  const root = workspace('src/main/java');
  const config = await resolve(undefined, {
    type: 'retrace', request: 'launch', name: 'r', recording: path.join(root, 'failed.retrace'), sourcePaths: ['/x'],
  });
  assert.deepEqual(config.sourcePaths, ['/x']);
});

test('F5 without launch.json replays the .retrace file in the active editor', async () => {
  const root = workspace();
  const recording = path.join(root, 'failed.retrace');
  fake.state.activeTextEditor = { document: { uri: fake.Uri.file(recording) } };
  const config = await resolve(undefined, {});
  assert.equal(config.type, 'retrace');
  assert.equal(config.request, 'launch');
  assert.equal(config.recording, recording);
  assert.equal(config.name, 'Replay failed.retrace');
  assert.deepEqual(fake.state.openDialogCalls, []);
});

test('F5 without launch.json takes a recording shown in the binary editor (the active tab)', async () => {
  const root = workspace();
  fake.state.activeTabUri = fake.Uri.file(path.join(root, 'failed.retrace'));
  const config = await resolve(undefined, {});
  assert.equal(config.recording, path.join(root, 'failed.retrace'));
});

test('a missing recording attribute is asked for with a file picker of .retrace files', async () => {
  const root = workspace();
  fake.state.activeTextEditor = { document: { uri: fake.Uri.file(path.join(root, 'Main.java')) } };
  fake.state.openDialogAnswer = [path.join(root, 'failed.retrace')];
  const config = await resolve(undefined, {});
  assert.equal(config.recording, path.join(root, 'failed.retrace'));
  assert.deepEqual(fake.state.openDialogCalls[0].filters['Retrace recordings'], ['retrace']);
});

test('a cancelled file picker cancels the launch quietly', async () => {
  workspace();
  const config = await resolve(undefined, { type: 'retrace', request: 'launch', name: 'r' });
  assert.equal(config, undefined);
  assert.deepEqual(fake.state.errors, []);
});

test('a recording that does not exist is refused with a message naming it', async () => {
  const root = workspace();
  const missing = path.join(root, 'nope.retrace');
  const config = await resolve(undefined, { type: 'retrace', request: 'launch', name: 'r', recording: missing });
  assert.equal(config, undefined);
  assert.deepEqual(fake.state.errors, [`Retrace: the recording ${missing} does not exist.`]);
});

test('a relative recording is taken from the workspace folder', async () => {
  const root = workspace();
  const config = await resolve(undefined, { type: 'retrace', request: 'launch', name: 'r', recording: 'failed.retrace' });
  assert.equal(config.recording, path.join(root, 'failed.retrace'));
});

test('Open Recording asks for a .retrace file and starts a session on it', async () => {
  const root = workspace();
  fake.state.openDialogAnswer = [path.join(root, 'failed.retrace')];
  assert.equal(await command('retrace.openRecording')(), true);
  assert.deepEqual(fake.state.openDialogCalls[0].filters['Retrace recordings'], ['retrace']);
  assert.equal(fake.state.started.length, 1);
  assert.equal(fake.state.started[0].folder, fake.state.workspaceFolders[0]);
  assert.deepEqual(fake.state.started[0].config, {
    type: 'retrace', request: 'launch', name: 'Replay failed.retrace', recording: path.join(root, 'failed.retrace'),
  });
});

test('Open Recording with the picker cancelled starts nothing', async () => {
  workspace();
  assert.equal(await command('retrace.openRecording')(), false);
  assert.equal(fake.state.openDialogCalls.length, 1);
  assert.deepEqual(fake.state.started, []);
  assert.deepEqual(fake.state.errors, []);
});

test('Replay in debugger starts a session on the right-clicked file without asking', async () => {
  workspace();
  assert.equal(await command('retrace.replayInDebugger')(fake.Uri.file('/elsewhere/other.retrace')), true);
  assert.deepEqual(fake.state.started.map((s) => s.config), [{
    type: 'retrace', request: 'launch', name: 'Replay other.retrace', recording: '/elsewhere/other.retrace',
  }]);
  assert.deepEqual(fake.state.openDialogCalls, []);
});

test('Replay in debugger run without a file asks for one, as Open Recording does', async () => {
  const root = workspace();
  fake.state.openDialogAnswer = [path.join(root, 'failed.retrace')];
  assert.equal(await command('retrace.replayInDebugger')(undefined), true);
  assert.equal(fake.state.openDialogCalls.length, 1);
  assert.equal(fake.state.started[0].config.recording, path.join(root, 'failed.retrace'));
});

test('the dynamic configurations are the workspace recordings', async () => {
  const root = workspace('src/main/java');
  fake.state.files = [path.join(root, 'failed.retrace')];
  const configs = await new RetraceConfigurationProvider().provideDynamicConfigurations(undefined);
  assert.deepEqual(configs, [{
    type: 'retrace', request: 'launch', name: 'Replay failed.retrace', recording: path.join(root, 'failed.retrace'),
    sourcePaths: [path.join(root, 'src/main/java')],
  }]);
});
