// @ts-check
// The Retrace extension: VS Code starts `retrace dap` for debug sessions of type `retrace`, and
// everything the debugger does (breakpoints, steps, Step Back, Reverse Continue) is the adapter's.
// This file only wires the three pieces into VS Code.
const vscode = require('vscode');
const { RetraceAdapterFactory } = require('./src/adapter');
const { RetraceConfigurationProvider } = require('./src/configuration');
const { replayRecording } = require('./src/replay-command');

const DEBUG_TYPE = 'retrace';

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const configurations = new RetraceConfigurationProvider();
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new RetraceAdapterFactory()),
    // Registered twice: Initial fills launch.json on "create a launch.json file", Dynamic offers
    // the workspace's recordings in the Run and Debug view's dropdown without any launch.json.
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configurations),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      { provideDebugConfigurations: (folder) => configurations.provideDynamicConfigurations(folder) },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic
    ),
    vscode.commands.registerCommand('retrace.replayRecording', replayRecording)
  );
}

function deactivate() {}

module.exports = { activate, deactivate, DEBUG_TYPE };
