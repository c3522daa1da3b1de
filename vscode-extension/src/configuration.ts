// Fills in a `retrace` launch configuration so that F5 works with little or no launch.json, and
// refuses a recording that is not there before the adapter (and a JVM) is started for nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const RECORDING_EXTENSION = '.retrace';
// Where a Maven or Gradle project keeps its sources; the adapter finds a frame's file under them.
const CONVENTIONAL_SOURCE_FOLDERS = ['src/main/java', 'src/test/java'];

/** Asks for a .retrace file; resolves to its path, or undefined when cancelled. */
export async function pickRecording(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Replay',
    title: 'Replay a Retrace recording',
    filters: { 'Retrace recordings': ['retrace'], 'All files': ['*'] },
  });
  return picked && picked.length > 0 ? picked[0].fsPath : undefined;
}

/**
 * The .retrace file in the active editor tab, if any. A recording is binary, so VS Code may show
 * it in its binary editor, which is not a text editor: the active tab is asked as well.
 */
export function activeRecording(): string | undefined {
  // Each kind of tab input has its own class; the ones that show a file all have a uri.
  const tabInput = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
  const candidates = [vscode.window.activeTextEditor?.document.uri, tabInput?.uri];
  const uri = candidates.find((u) => u && u.scheme === 'file' && u.fsPath.endsWith(RECORDING_EXTENSION));
  return uri ? uri.fsPath : undefined;
}

function workspaceFolderOf(folder: vscode.WorkspaceFolder | undefined): vscode.WorkspaceFolder | undefined {
  if (folder) return folder;
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length > 0 ? folders[0] : undefined;
}

/**
 * The workspace's conventional source folders that exist, else the workspace folder itself
 * (the adapter also finds a file by its `package` line, so a flat layout works too).
 * @param recording used when there is no workspace: its own folder
 */
export function defaultSourcePaths(folder: vscode.WorkspaceFolder | undefined, recording: unknown): string[] {
  if (!folder) return typeof recording === 'string' && path.isAbsolute(recording) ? [path.dirname(recording)] : [];
  const root = folder.uri.fsPath;
  const existing = CONVENTIONAL_SOURCE_FOLDERS.map((relative) => path.join(root, relative)).filter((dir) =>
    fs.existsSync(dir)
  );
  return existing.length > 0 ? existing : [root];
}

export class RetraceConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** What "create a launch.json file" writes, as package.json's initialConfigurations. */
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      {
        type: 'retrace',
        request: 'launch',
        name: 'Replay a recording',
        recording: '${workspaceFolder}/failed.retrace',
        sourcePaths: CONVENTIONAL_SOURCE_FOLDERS.map((relative) => '${workspaceFolder}/' + relative),
      },
    ];
  }

  /** One configuration per recording in the workspace, for the Run and Debug view's dropdown. */
  async provideDynamicConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const found = await vscode.workspace.findFiles('**/*' + RECORDING_EXTENSION, '**/node_modules/**', 50);
    return found.map((uri) => ({
      type: 'retrace',
      request: 'launch',
      name: `Replay ${path.basename(uri.fsPath)}`,
      recording: uri.fsPath,
      sourcePaths: defaultSourcePaths(workspaceFolderOf(folder), uri.fsPath),
    }));
  }

  /**
   * Runs before ${...} variables are substituted: fills what is missing.
   * @returns undefined aborts the launch
   */
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration
  ): Promise<vscode.DebugConfiguration | undefined> {
    // F5 with no launch.json gives an empty configuration: replay the recording being looked
    // at, or (below) ask for one.
    if (!config.type && !config.request && !config.name) {
      const recording = activeRecording();
      const name = recording ? `Replay ${path.basename(recording)}` : 'Replay a recording';
      config = { type: 'retrace', request: 'launch', name, recording };
    }
    if (!config.recording) {
      const recording = await pickRecording();
      if (!recording) return undefined;
      config = { ...config, recording };
    }
    if (!config.sourcePaths) {
      config = { ...config, sourcePaths: defaultSourcePaths(workspaceFolderOf(folder), config.recording) };
    }
    return config;
  }

  /**
   * Runs after substitution, so "${workspaceFolder}/failed.retrace" is a real path here. The
   * adapter would refuse a missing file too, but only after VS Code has started it; saying so
   * here is quicker and names the path the user wrote.
   */
  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration
  ): Promise<vscode.DebugConfiguration | undefined> {
    const base = workspaceFolderOf(folder);
    const written: unknown = config.recording;
    const recording =
      typeof written === 'string' && base && !path.isAbsolute(written) ? path.join(base.uri.fsPath, written) : written;
    if (typeof recording !== 'string' || !fs.existsSync(recording) || !fs.statSync(recording).isFile()) {
      // Not awaited: the promise settles only when the user dismisses the message.
      void vscode.window.showErrorMessage(`Retrace: the recording ${String(recording)} does not exist.`);
      return undefined;
    }
    return { ...config, recording };
  }
}
