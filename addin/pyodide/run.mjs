// Runs addin/pyodide/probe.py under Pyodide (the runtime of xlwings Lite) in Node, offline.
//
//   node addin/pyodide/run.mjs REPO_ROOT WHEEL... < tables.json > answers.json
//
// Loads the npm package `pyodide` from addin/pyodide/node_modules, installs the given
// wheels from local files (Pyodide fetches nothing), copies only addin/*.py and rules/
// into Pyodide's file system (no sync/, no ledger), and prints probe.run()'s JSON.
// Pyodide's own output goes to stderr, so stdout holds the answer alone.
import fs from "node:fs";
import path from "node:path";
import { loadPyodide, version } from "pyodide";

const [root, ...wheels] = process.argv.slice(2);
if (!root) {
  console.error("usage: node run.mjs REPO_ROOT WHEEL... < tables.json");
  process.exit(2);
}
const log = (msg) => process.stderr.write(`${msg}\n`);
const SITE = "/home/pyodide/sheetclerk";

/** The .py files under dir (recursive or not), relative to root. */
function pythonFiles(dir, recursive) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return recursive && entry.name !== "__pycache__" ? pythonFiles(rel, true) : [];
    return entry.name.endsWith(".py") ? [rel] : [];
  });
}

const started = Date.now();
const pyodide = await loadPyodide({ stdout: log, stderr: log });
await pyodide.loadPackage(wheels.map((w) => path.resolve(w)), { messageCallback: log, errorCallback: log });

const sources = [...pythonFiles("addin", false), ...pythonFiles("rules", true)];
for (const rel of sources) {
  pyodide.FS.mkdirTree(path.posix.join(SITE, path.dirname(rel)));
  pyodide.FS.writeFile(path.posix.join(SITE, rel), fs.readFileSync(path.join(root, rel)));
}
pyodide.FS.writeFile(`${SITE}/sheetclerk_probe.py`, fs.readFileSync(path.join(root, "addin/pyodide/probe.py")));

const payload = fs.readFileSync(0, "utf8");
pyodide.globals.set("payload", payload);
const answer = pyodide.runPython(`
import sys
sys.path.insert(0, ${JSON.stringify(SITE)})
import sheetclerk_probe
sheetclerk_probe.run(payload)
`);
const result = JSON.parse(answer);
result.pyodide = version;
result.seconds = (Date.now() - started) / 1000;
process.stdout.write(JSON.stringify(result));
