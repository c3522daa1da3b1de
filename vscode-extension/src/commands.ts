// The two ways to start a replay without a launch.json: "Retrace: Open Recording…" in the
// command palette asks for a .retrace file; "Replay in debugger", in the explorer's context menu
// of a .retrace file, is given the file that was right-clicked.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pickRecording } from './configuration';

export const OPEN_RECORDING = 'retrace.openRecording';
export const REPLAY_IN_DEBUGGER = 'retrace.replayInDebugger';

/** Resolves to whether a session started; false also when the picker was cancelled. */
export async function openRecording(): Promise<boolean> {
  const recording = await pickRecording();
  return recording ? replay(recording) : false;
}

export async function replayInDebugger(clicked: vscode.Uri | undefined): Promise<boolean> {
  // Run without a file (from a keybinding, say), it asks for one rather than doing nothing.
  return clicked?.fsPath ? replay(clicked.fsPath) : openRecording();
}

async function replay(recording: string): Promise<boolean> {
  // The folder the recording is in decides ${workspaceFolder} and the default sourcePaths.
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(recording));
  // sourcePaths and the checks are added by the configuration provider, as for launch.json.
  return vscode.debug.startDebugging(folder, {
    type: 'retrace',
    request: 'launch',
    name: `Replay ${path.basename(recording)}`,
    recording,
  });
}
