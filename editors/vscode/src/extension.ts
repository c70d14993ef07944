// Nudge for VS Code: starts `nudge lsp`, forwards settings, shows a quiet
// status bar count, and runs the quick security check.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem;
let output: vscode.OutputChannel;

const INSTALL_HINT = "Install it with `cargo install --path server` from a Nudge checkout, or set `nudge.path`.";

/** The server binary: the setting, then the bundled binary, then PATH. */
function findServer(context: vscode.ExtensionContext): string | undefined {
  const configured = vscode.workspace.getConfiguration("nudge").get<string>("path");
  if (configured) {
    return fs.existsSync(configured) ? configured : undefined;
  }
  const bundled = context.asAbsolutePath(path.join("server", os.platform() === "win32" ? "nudge.exe" : "nudge"));
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  const exe = os.platform() === "win32" ? "nudge.exe" : "nudge";
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, exe);
    if (dir && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** Client settings the server reads (initializationOptions and didChangeConfiguration). */
function serverSettings() {
  const config = vscode.workspace.getConfiguration("nudge");
  return {
    severity: config.get<Record<string, string>>("severity") ?? {},
    debounceMs: config.get<number>("debounceMs") ?? 200,
    logLevel: config.get<string>("logLevel") ?? "info",
  };
}

const SELECTOR: LanguageClientOptions["documentSelector"] = [
  ...["javascript", "javascriptreact", "typescript", "typescriptreact", "sql", "svelte", "vue", "astro"].map((language) => ({
    scheme: "file",
    language,
  })),
  // `.env` files have no single language id across VS Code setups: match by path.
  { scheme: "file", pattern: "**/.env" },
  { scheme: "file", pattern: "**/.env.*" },
];

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = findServer(context);
  if (!command) {
    void vscode.window.showErrorMessage(`Nudge: the nudge binary was not found. ${INSTALL_HINT}`);
    return;
  }
  const serverOptions: ServerOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: "nudge" },
    outputChannel: output,
  };
  client = new LanguageClient("nudge", "Nudge", serverOptions, clientOptions);
  await client.start();
}

/** Counts open nudges of every severity, hints included, which VS Code's own counts leave out. */
function updateStatus(): void {
  let count = 0;
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
    count += diagnostics.filter((d) => d.source === "nudge").length;
  }
  status.text = count === 0 ? "$(shield) Nudge" : `$(shield) ${count}`;
  status.tooltip = count === 0 ? "Nudge: nothing to look at" : `Nudge: ${count} open nudge${count === 1 ? "" : "s"} (hints included)`;
}

/** Runs one of the server's report commands and shows its Markdown. */
async function showReport(command: string, title: string): Promise<void> {
  if (!client) {
    void vscode.window.showErrorMessage(`Nudge is not running. ${INSTALL_HINT}`);
    return;
  }
  const result = (await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title },
    () => client!.sendRequest("workspace/executeCommand", { command, arguments: [{ open: false }] }),
  )) as { markdown?: string } | null;
  const document = await vscode.workspace.openTextDocument({ content: result?.markdown ?? "", language: "markdown" });
  await vscode.commands.executeCommand("markdown.showPreview", document.uri);
}

function runSecurityCheck(): Promise<void> {
  return showReport("nudge.securityCheck", "Nudge: checking");
}

/** `nudge prove` from the editor: only ever when asked, never on a keystroke. */
function tryForReal(): Promise<void> {
  return showReport("nudge.prove", "Nudge: trying the unhappy paths in a throwaway PostgreSQL");
}

/** Test hook: writes what VS Code itself received for the first nudged document. */
function installTestHook(context: vscode.ExtensionContext): void {
  const out = vscode.workspace.getConfiguration("nudge").get<string>("test.dumpPath");
  if (!out) {
    return;
  }
  let written = false;
  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(async (event) => {
      if (written) {
        return;
      }
      for (const uri of event.uris) {
        const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === "nudge");
        if (ours.length === 0) {
          continue;
        }
        written = true;
        const first = ours[0];
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, first.range.start);
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
          "vscode.executeCodeActionProvider",
          uri,
          first.range,
        );
        const dump = {
          vscode: vscode.version,
          uri: uri.toString(),
          status: status.text,
          diagnostics: ours.map((d) => ({
            code: typeof d.code === "object" ? d.code.value : d.code,
            severity: vscode.DiagnosticSeverity[d.severity],
            message: d.message,
            line: d.range.start.line,
            character: d.range.start.character,
          })),
          hover: (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))),
          code_actions: (actions ?? []).map((a) => a.title),
        };
        fs.writeFileSync(out, JSON.stringify(dump, null, 1));
        return;
      }
    }),
  );
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Nudge");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 50);
  status.command = "nudge.runSecurityCheck";
  status.show();
  updateStatus();
  context.subscriptions.push(
    output,
    status,
    vscode.languages.onDidChangeDiagnostics(updateStatus),
    vscode.commands.registerCommand("nudge.restart", async () => {
      await client?.stop();
      client = undefined;
      await start(context);
    }),
    vscode.commands.registerCommand("nudge.runSecurityCheck", runSecurityCheck),
    vscode.commands.registerCommand("nudge.tryForReal", tryForReal),
  );
  installTestHook(context);
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
