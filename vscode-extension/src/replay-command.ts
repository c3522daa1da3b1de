// "Retrace: Replay a recording...": from the command palette it asks for a .retrace file; from
// the explorer's context menu VS Code passes the file that was right-clicked.
import * as vscode from 'vscode';
import { pickRecording } from './configuration';

export async function replayRecording(clicked: vscode.Uri | undefined): Promise<boolean> {
  const recording = clicked && clicked.fsPath ? clicked.fsPath : await pickRecording();
  if (!recording) return false; // the picker was cancelled
  // The folder the recording is in decides ${workspaceFolder} and the default sourcePaths.
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(recording));
  // sourcePaths and the checks are added by the configuration provider, as for launch.json.
  return vscode.debug.startDebugging(folder, {
    type: 'retrace',
    request: 'launch',
    name: `Replay ${recording.split(/[\\/]/).pop()}`,
    recording,
  });
}
