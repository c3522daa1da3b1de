// The Retrace extension: VS Code starts `retrace dap` for debug sessions of type `retrace`, and
// everything the debugger does (breakpoints, steps, Step Back, Reverse Continue) is the adapter's.
// This file only wires the adapter, the configuration provider and the commands into VS Code.
import * as vscode from 'vscode';
import { RetraceAdapterFactory } from './adapter';
import { RetraceConfigurationProvider } from './configuration';
import { OPEN_RECORDING, REPLAY_IN_DEBUGGER, openRecording, replayInDebugger } from './commands';

export const DEBUG_TYPE = 'retrace';

export function activate(context: vscode.ExtensionContext): void {
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
    vscode.commands.registerCommand(OPEN_RECORDING, openRecording),
    vscode.commands.registerCommand(REPLAY_IN_DEBUGGER, replayInDebugger)
  );
}

export function deactivate(): void {}
