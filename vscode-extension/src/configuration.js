// @ts-check
// Fills in a `retrace` launch configuration so that F5 works with little or no launch.json, and
// refuses a recording that is not there before the adapter (and a JVM) is started for nothing.
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const RECORDING_EXTENSION = '.retrace';
// Where a Maven or Gradle project keeps its sources; the adapter finds a frame's file under them.
const CONVENTIONAL_SOURCE_FOLDERS = ['src/main/java', 'src/test/java'];

/** Asks for a .retrace file; resolves to its path, or undefined when cancelled. */
async function pickRecording() {
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
function activeRecording() {
  const editor = vscode.window.activeTextEditor;
  const candidates = [editor && editor.document && editor.document.uri];
  const tab = vscode.window.tabGroups && vscode.window.tabGroups.activeTabGroup.activeTab;
  const input = tab && /** @type {{uri?: vscode.Uri}} */ (tab.input);
  candidates.push(input && input.uri);
  const uri = candidates.find((u) => u && u.scheme === 'file' && u.fsPath.endsWith(RECORDING_EXTENSION));
  return uri ? uri.fsPath : undefined;
}

/** @param {vscode.WorkspaceFolder | undefined} folder */
function workspaceFolderOf(folder) {
  if (folder) return folder;
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length > 0 ? folders[0] : undefined;
}

/**
 * The workspace's conventional source folders that exist, else the workspace folder itself
 * (the adapter also finds a file by its `package` line, so a flat layout works too).
 * @param {vscode.WorkspaceFolder | undefined} folder
 * @param {string | undefined} recording used when there is no workspace: its own folder
 */
function defaultSourcePaths(folder, recording) {
  if (!folder) return recording && path.isAbsolute(recording) ? [path.dirname(recording)] : [];
  const root = folder.uri.fsPath;
  const existing = CONVENTIONAL_SOURCE_FOLDERS.map((relative) => path.join(root, relative)).filter((dir) =>
    fs.existsSync(dir)
  );
  return existing.length > 0 ? existing : [root];
}

/** @implements {vscode.DebugConfigurationProvider} */
class RetraceConfigurationProvider {
  /** What "create a launch.json file" writes, as package.json's initialConfigurations. */
  provideDebugConfigurations() {
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

  /**
   * One configuration per recording in the workspace, for the Run and Debug view's dropdown.
   * @param {vscode.WorkspaceFolder | undefined} folder
   */
  async provideDynamicConfigurations(folder) {
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
   * @param {vscode.WorkspaceFolder | undefined} folder
   * @param {vscode.DebugConfiguration} config
   * @returns {Promise<vscode.DebugConfiguration | undefined>} undefined aborts the launch
   */
  async resolveDebugConfiguration(folder, config) {
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
   * @param {vscode.WorkspaceFolder | undefined} folder
   * @param {vscode.DebugConfiguration} config
   */
  async resolveDebugConfigurationWithSubstitutedVariables(folder, config) {
    const base = workspaceFolderOf(folder);
    const written = config.recording;
    const recording =
      typeof written === 'string' && base && !path.isAbsolute(written) ? path.join(base.uri.fsPath, written) : written;
    if (typeof recording !== 'string' || !fs.existsSync(recording) || !fs.statSync(recording).isFile()) {
      // Not awaited: the promise settles only when the user dismisses the message.
      vscode.window.showErrorMessage(`Retrace: the recording ${recording} does not exist.`);
      return undefined;
    }
    return { ...config, recording };
  }
}

module.exports = { RetraceConfigurationProvider, pickRecording, activeRecording, defaultSourcePaths };
