// A stand-in for the `vscode` module, which exists only inside VS Code (and VS Code cannot be
// downloaded here): just the API the extension uses, with state a test sets and calls it records.
// Requiring this file also makes `require('vscode')` anywhere resolve to it.
const Module = require('node:module');
const path = require('node:path');

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? __filename : originalResolve.call(this, request, ...rest);
};

class Uri {
  constructor(fsPath) {
    this.scheme = 'file';
    this.fsPath = fsPath;
    this.path = fsPath;
  }
  static file(fsPath) {
    return new Uri(path.resolve(fsPath));
  }
}

class DebugAdapterExecutable {
  constructor(command, args, options) {
    Object.assign(this, { command, args, options });
  }
}

const fake = {
  Uri,
  DebugAdapterExecutable,
  DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
  /** What the test has set up, and what the extension did; reset() before each test. */
  state: {},
  reset() {
    fake.state = {
      settings: {}, // 'retrace.path' → value
      workspaceFolders: undefined,
      activeTextEditor: undefined,
      activeTabUri: undefined,
      openDialogAnswer: undefined, // the paths the file picker "returns"; undefined = cancelled
      openDialogCalls: [],
      errors: [],
      registered: [], // [kind, ...arguments]
      started: [], // startDebugging(folder, config)
      files: [], // what findFiles returns
    };
  },
  folder(fsPath) {
    return { uri: Uri.file(fsPath), name: path.basename(fsPath), index: 0 };
  },
  workspace: {
    getConfiguration(section) {
      return { get: (key, fallback) => fake.state.settings[`${section}.${key}`] ?? fallback };
    },
    get workspaceFolders() {
      return fake.state.workspaceFolders;
    },
    getWorkspaceFolder: () => (fake.state.workspaceFolders || [])[0],
    findFiles: async () => fake.state.files.map((f) => Uri.file(f)),
  },
  window: {
    get activeTextEditor() {
      return fake.state.activeTextEditor;
    },
    get tabGroups() {
      const uri = fake.state.activeTabUri;
      return { activeTabGroup: { activeTab: uri ? { input: { uri } } : undefined } };
    },
    showOpenDialog: async (options) => {
      fake.state.openDialogCalls.push(options);
      const answer = fake.state.openDialogAnswer;
      return answer && answer.map((p) => Uri.file(p));
    },
    showErrorMessage: async (message) => {
      fake.state.errors.push(message);
    },
  },
  debug: {
    registerDebugAdapterDescriptorFactory: (...args) => record('factory', args),
    registerDebugConfigurationProvider: (...args) => record('provider', args),
    startDebugging: async (folder, config) => {
      fake.state.started.push({ folder, config });
      return true;
    },
  },
  commands: {
    registerCommand: (...args) => record('command', args),
  },
};

function record(kind, args) {
  fake.state.registered.push([kind, ...args]);
  return { dispose() {} };
}

fake.reset();
module.exports = fake;
