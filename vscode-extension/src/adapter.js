// @ts-check
// Starts the debug adapter: `retrace dap` speaks DAP on its stdin and stdout, which is exactly
// what VS Code expects of an executable adapter, so no protocol code lives in the extension.
const vscode = require('vscode');

/** The retrace command from the `retrace.path` setting; `retrace` (found on PATH) by default. */
function retraceCommand() {
  const configured = vscode.workspace.getConfiguration('retrace').get('path');
  return typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : 'retrace';
}

/** @implements {vscode.DebugAdapterDescriptorFactory} */
class RetraceAdapterFactory {
  /** @returns {vscode.DebugAdapterDescriptor} */
  createDebugAdapterDescriptor() {
    // Read the setting per session, so a changed retrace.path applies without a reload.
    return new vscode.DebugAdapterExecutable(retraceCommand(), ['dap']);
  }
}

module.exports = { RetraceAdapterFactory, retraceCommand };
