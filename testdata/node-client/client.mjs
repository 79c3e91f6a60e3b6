// End-to-end test of fis-mcp with the official TypeScript MCP SDK client.
//
// Spawns `$FIS_MCP_BIN serve --simulate` over stdio, declares the elicitation capability
// and answers the start confirmation as a SIMULATED human, then runs the whole workflow.
// The SDK validates every structuredContent against the tool's outputSchema itself (it
// throws on a mismatch) once listTools has been called.
//
//   FIS_MCP_BIN=/path/to/fis-mcp node client.mjs      (make test-node)
//
// Exits non-zero on any failure; prints "N passed, M failed" at the end.

import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const TEMPLATE_ID = "EXT1a2b3c4d5e6f7";
const TOOLS = [
  "resolve_experiment", "health_check", "discover_apps", "start_logs", "start_experiment",
  "poll", "stop_experiment", "finalize_report", "list_sessions", "get_session", "check_setup",
];
const LONG = { timeout: 180_000, resetTimeoutOnProgress: true, maxTotalTimeout: 300_000 };

let passed = 0;
let failed = 0;

function check(cond, what, detail) {
  if (cond) {
    passed++;
    console.log(`ok    ${what}`);
  } else {
    failed++;
    console.log(`FAIL  ${what}${detail === undefined ? "" : ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)).slice(0, 1500)}`);
  }
  return cond;
}

function text(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

const bin = process.env.FIS_MCP_BIN;
if (!bin || !existsSync(bin)) {
  console.log(`FAIL  FIS_MCP_BIN must name the built fis-mcp binary (got ${JSON.stringify(bin)})`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const stateDir = mkdtempSync(join(tmpdir(), "fis-mcp-node-"));
const logFile = join(stateDir, "fis-mcp.log");
const transport = new StdioClientTransport({
  command: bin,
  args: ["serve", "--simulate", "--state-dir", stateDir, "--log-file", logFile],
  env: { ...getDefaultEnvironment(), AWS_EC2_METADATA_DISABLED: "true" },
  stderr: "pipe",
});
let stderr = "";
transport.stderr?.on("data", (chunk) => { stderr += chunk.toString(); });

const client = new Client(
  { name: "fis-mcp-node-e2e", version: "1.0.0" },
  { capabilities: { elicitation: {} } },
);

// The human in the loop. Only acceptable because the account is simulated.
let elicitations = [];
let elicitAnswer = "accept";
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  elicitations.push(request.params);
  console.log(`      [SIMULATED HUMAN] the server asks: ${request.params.message.split("\n")[0]} …`);
  if (elicitAnswer === "accept") {
    console.log("      [SIMULATED HUMAN] answering {action: accept, confirm: true} — only because this is the simulated account");
    return { action: "accept", content: { confirm: true } };
  }
  console.log("      [SIMULATED HUMAN] answering {action: decline}");
  return { action: "decline" };
});

async function call(name, args, opts) {
  const result = await client.callTool({ name, arguments: args }, undefined, opts);
  if (!check(!result.isError, `${name} succeeds`, text(result))) {
    throw new Error(`${name} returned isError`);
  }
  check(result.structuredContent && typeof result.structuredContent === "object", `${name} returns structuredContent`);
  return result.structuredContent;
}

async function main() {
  await client.connect(transport);
  const info = client.getServerVersion();
  check(info?.name === "fis-mcp", "server name is fis-mcp", info);
  check((client.getInstructions() ?? "").includes("SIMULATED"), "instructions say SIMULATED", client.getInstructions());
  check(client.getServerCapabilities()?.tools !== undefined, "server has the tools capability");

  const { tools } = await client.listTools();
  check(tools.length === TOOLS.length, `${TOOLS.length} tools listed`, tools.map((t) => t.name));
  check(TOOLS.every((n) => tools.some((t) => t.name === n)), "every tool of TOOLS.md is listed", tools.map((t) => t.name));
  for (const t of tools) {
    check(t.outputSchema?.type === "object" && Object.keys(t.outputSchema.properties ?? {}).length > 0, `${t.name} has an outputSchema`);
  }
  const start = tools.find((t) => t.name === "start_experiment");
  check(start?.annotations?.destructiveHint === true, "start_experiment is destructiveHint", start?.annotations);

  const setup = await call("check_setup", { template_id: TEMPLATE_ID });
  check(Array.isArray(setup.checks) && setup.checks.length > 0 && setup.checks.every((c) => typeof c.name === "string" && typeof c.ok === "boolean")
    && setup.blocking === false, "check_setup: checks[{name, ok, …}] and blocking=false on the simulated account", setup);

  const resolved = await call("resolve_experiment", { template_id: TEMPLATE_ID });
  const id = resolved.session_id;
  check(typeof id === "string" && id.startsWith("fis-"), "resolve_experiment opens a session", resolved.session_id);
  check(resolved.template_id === TEMPLATE_ID && resolved.stack_status === "CREATE_COMPLETE" && resolved.actions.length === 3,
    "resolve_experiment reads the stack and template", resolved);

  const health = await call("health_check", { session_id: id });
  check(health.verdict === "healthy" && health.all_healthy === true, "health_check verdict healthy", health.verdict);

  const disc = await call("discover_apps", { session_id: id });
  const apps = disc.apps.map((a) => a.workload).sort();
  check(apps.join(",") === "cart-service,orders-api,payments-worker,storefront-web", "discover_apps finds the 3 apps and the indirect storefront", apps);

  const logs = await call("start_logs", { session_id: id });
  check(logs.streams.length === 8, "start_logs follows 8 pod streams", logs.streams.length);

  // With elicitation the server asks the human itself and starts on their yes: no token round trip.
  const started = await call("start_experiment", { session_id: id }, LONG);
  check(elicitations.length === 1, "the server asked the human through elicitation exactly once", elicitations.length);
  check((elicitations[0]?.message ?? "").includes("REAL impact"), "the elicitation shows the impact warning", elicitations[0]?.message);
  check(elicitations[0]?.requestedSchema?.properties?.confirm?.type === "boolean", "the elicitation asks for a boolean confirm", elicitations[0]?.requestedSchema);
  check(started.status === "started" && typeof started.experiment_id === "string" && started.experiment_id !== "",
    "start_experiment with an accepted elicitation starts the experiment", started);
  check((started.confirmed_by ?? "").includes("elicitation"), "the start records it was confirmed by elicitation", started.confirmed_by);

  const again = await client.callTool({ name: "start_experiment", arguments: { session_id: id } });
  check(again.isError === true, "a second start is refused", text(again));

  const states = [];
  const deadline = Date.now() + 90_000;
  let poll;
  let pollProgress = 0;
  for (;;) {
    poll = await call("poll", { session_id: id, wait_seconds: 4 }, { ...LONG, onprogress: () => { pollProgress++; } });
    if (states[states.length - 1] !== poll.state) states.push(poll.state);
    if (poll.terminal) break;
    if (Date.now() > deadline) throw new Error(`the experiment did not end in 90 s: ${states}`);
  }
  check(poll.state === "completed" && states.includes("running"), "poll follows the experiment to completed", states);
  check(pollProgress > 0, "poll wait_seconds sends progress notifications", pollProgress);

  const stop = await call("stop_experiment", { session_id: id });
  check(stop.state === "completed" && stop.session_state === "ended", "stop_experiment after the end is an idempotent no-op", stop);

  let finalizeProgress = 0;
  const t0 = Date.now();
  const fin = await call("finalize_report", { session_id: id, wait: true }, { ...LONG, onprogress: () => { finalizeProgress++; } });
  console.log(`      finalize_report wait=true took ${Math.round((Date.now() - t0) / 1000)} s`);
  check(fin.status === "written" && existsSync(fin.report_path) && existsSync(fin.json_path), "finalize_report writes the report", fin);
  check(finalizeProgress > 0, "finalize_report wait=true sends progress notifications", finalizeProgress);
  check(dirname(fin.report_path) === resolved.directory, "the report is in the experiment directory", fin.report_path);

  const report = JSON.parse(readFileSync(fin.json_path, "utf8"));
  check(report.status === "completed" && report.experiment_id === started.experiment_id, "the JSON twin says completed", report.status);
  check(report.apps.length === 4 && report.apps.every((a) => a.errors > 0), "the JSON twin has the 4 apps' errors", report.apps?.map((a) => [a.workload, a.errors]));

  const res = await client.readResource({ uri: `fis-mcp://reports/${id}` });
  check(res.contents.length === 1 && res.contents[0].text === readFileSync(fin.report_path, "utf8"), "the report resource is the Markdown report");
  check(res.contents[0]?.mimeType === "text/markdown", "the report resource is text/markdown", res.contents[0]?.mimeType);

  // A human who declines: nothing starts.
  elicitAnswer = "decline";
  const second = await call("resolve_experiment", { template_id: TEMPLATE_ID });
  await call("health_check", { session_id: second.session_id });
  const declined = await client.callTool({ name: "start_experiment", arguments: { session_id: second.session_id } }, undefined, LONG);
  check(declined.isError === true && text(declined).includes("declined"), "a declined elicitation starts nothing", text(declined));
  const session = await call("get_session", { session_id: second.session_id });
  check(!session.session.run, "the declined session has no run", session.session.run);
  const abort = await call("stop_experiment", { session_id: second.session_id });
  check(abort.state === "aborted", "stop_experiment aborts the declined session", abort.state);

  const list = await call("list_sessions", {});
  check(list.sessions.length === 2, "list_sessions shows both sessions", list.sessions.map((s) => [s.session_id, s.state]));
}

try {
  await main();
} catch (err) {
  failed++;
  console.log(`FAIL  ${err?.stack ?? err}`);
} finally {
  await client.close().catch(() => {});
  check(stderr === "", "nothing on stderr (logs go to --log-file)", stderr);
  if (failed === 0) {
    rmSync(stateDir, { recursive: true, force: true });
  } else {
    console.log(`      state dir kept for inspection: ${stateDir}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
