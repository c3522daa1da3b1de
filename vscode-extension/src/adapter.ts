// Starts the debug adapter: `retrace dap` speaks DAP on its stdin and stdout, which is exactly
// what VS Code expects of an executable adapter, so no protocol code lives in the extension.
import * as vscode from 'vscode';

/** The retrace command from the `retrace.path` setting; `retrace` (found on PATH) by default. */
export function retraceCommand(): string {
  const configured = vscode.workspace.getConfiguration('retrace').get<unknown>('path');
  return typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : 'retrace';
}

export class RetraceAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    // Read the setting per session, so a changed retrace.path applies without a reload.
    return new vscode.DebugAdapterExecutable(retraceCommand(), ['dap']);
  }
}
