// End-to-end test of fis-mcp with the official MCP Inspector CLI
// (@modelcontextprotocol/inspector-cli, the version that runs on Node 20): one
// `serve --simulate` process per call, sharing a state directory, with the
// arguments given as `--tool-arg key=value` strings, as a user types them.
// Array arguments (apps, clusters) must reach the tools, and a wrong type must be
// answered with the argument's name and expected shape, not Go internals.
//
//   FIS_MCP_BIN=/path/to/fis-mcp node inspector.mjs      (make test-inspector)
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TEMPLATE_ID = "EXT1a2b3c4d5e6f7";
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "node_modules", "@modelcontextprotocol", "inspector-cli", "build", "cli.js");

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed++;
    console.log(`PASS  ${what}`);
  } else {
    failed++;
    console.log(`FAIL  ${what}${detail === undefined ? "" : `: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`}`);
  }
  return ok;
}

const bin = process.env.FIS_MCP_BIN;
if (!bin || !existsSync(bin)) {
  console.log(`FAIL  FIS_MCP_BIN must name the built fis-mcp binary (got ${JSON.stringify(bin)})`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const stateDir = mkdtempSync(join(tmpdir(), "fis-mcp-inspector-"));

// call runs one Inspector CLI process (which starts one server process) for one tool call.
function call(tool, toolArgs) {
  const args = [cli, "--cli", bin, "serve", "--simulate", "--state-dir", stateDir, "--log-file", join(stateDir, "fis-mcp.log"),
    "--method", "tools/call", "--tool-name", tool];
  for (const [k, v] of Object.entries(toolArgs)) {
    args.push("--tool-arg", `${k}=${v}`);
  }
  return new Promise((resolve) => {
    // The CLI looks for its package.json at ../package.json relative to the working
    // directory (then falls back to the monorepo layout): run it from node_modules.
    execFile(process.execPath, args, {
      cwd: join(here, "node_modules"),
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true" },
      timeout: 120_000,
      maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => {
      const start = stdout.indexOf("{");
      let result;
      try {
        result = JSON.parse(stdout.slice(start));
      } catch {
        result = undefined;
      }
      resolve({ err, stdout, stderr, result });
    });
  });
}

function text(result) {
  return (result?.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

function noInvalidArguments(r, what) {
  const t = text(r.result);
  check(r.result !== undefined, `${what}: the CLI printed a tool result`, r.stdout + r.stderr);
  check(!t.includes("invalid arguments"), `${what}: the arguments are accepted`, t);
  check(!/json: cannot unmarshal|Go struct field/.test(t), `${what}: no Go internals`, t);
}

async function main() {
  const resolved = await call("resolve_experiment", { template_id: TEMPLATE_ID });
  noInvalidArguments(resolved, "resolve_experiment");
  const id = resolved.result?.structuredContent?.session_id;
  if (!check(typeof id === "string" && id.startsWith("fis-"), "resolve_experiment opens a session", text(resolved.result))) {
    return;
  }
  const health = await call("health_check", { session_id: id });
  noInvalidArguments(health, "health_check");

  // A JSON string holding the array: the CLI converts it only when the schema's type
  // is plain "array" (not ["null","array"]); otherwise the server gets the string.
  const disc = await call("discover_apps", { session_id: id, clusters: JSON.stringify(JSON.stringify(["demo-eks"])) });
  noInvalidArguments(disc, "discover_apps clusters as a JSON-encoded string");
  check(!disc.result?.isError, "discover_apps with a clusters array succeeds", text(disc.result));

  const logs = await call("start_logs", { session_id: id, apps: '["demo-eks/shop/orders-api"]' });
  noInvalidArguments(logs, "start_logs apps='[\"demo-eks/shop/orders-api\"]'");
  check(!logs.result?.isError, "start_logs with an apps array succeeds", text(logs.result));

  const wrong = await call("start_logs", { session_id: id, apps: "42" });
  const wt = text(wrong.result);
  check(wrong.result?.isError === true, "start_logs apps=42 is refused", wt);
  check(wt.includes('"apps" must be an array of strings like ["cluster/namespace/workload"], got a number'),
    "the refusal names the argument and the expected shape", wt);
  check(!/json: cannot unmarshal|Go struct field/.test(wt), "the refusal shows no Go internals", wt);

  // Leave nothing running: stop_experiment aborts the session and its log collection.
  const stop = await call("stop_experiment", { session_id: id, reason: "inspector test done" });
  noInvalidArguments(stop, "stop_experiment");
}

main()
  .catch((e) => check(false, "the test ran to the end", String(e?.stack ?? e)))
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed${failed === 0 ? "" : ` (state directory ${stateDir})`}`);
    if (failed === 0) {
      rmSync(stateDir, { recursive: true, force: true });
    }
    process.exit(failed === 0 ? 0 : 1);
  });
