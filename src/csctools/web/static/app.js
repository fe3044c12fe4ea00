"use strict";
// The page of `csc serve`: talks only to the local server that served it.

const $ = (selector) => document.querySelector(selector);
// This start's secret, put in the page by the server: sent with every request (docs/security.md).
const token = document.querySelector('meta[name="csc-token"]').content;
let results = null;
let maxBytes = 0; // the largest upload the server takes (from /api/files)

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function row(cells) {
  const tr = element("tr");
  for (const cell of cells) {
    const td = element("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

async function api(method, path, body, json = false) {
  const headers = { "X-CSC-Token": token };
  if (json) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, body, headers, credentials: "same-origin" });
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new Error(`the server answered ${response.status} ${response.statusText}`);
  }
  if (!response.ok) throw new Error(payload.error || response.statusText);
  return payload;
}

function say(text, isError = false) {
  const status = $("#status");
  status.textContent = text;
  status.className = isError ? "error-text" : "";
}

async function upload(role, files) {
  // A file the page cannot take is reported; the other files of the same drop are still added.
  const refused = [];
  for (const file of files) {
    if (maxBytes && file.size > maxBytes) {
      refused.push(`${file.name}: the file is larger than ${Math.round(maxBytes / 2 ** 20)} MiB`);
      continue;
    }
    say(`Adding ${file.name}…`);
    try {
      await api("POST", `/api/files?role=${role}&name=${encodeURIComponent(file.name)}`, file);
    } catch (error) {
      refused.push(error.message);
    }
  }
  say(refused.join("; "), refused.length > 0);
  await showFiles();
}

async function showFiles() {
  const { files, max_bytes: largest } = await api("GET", "/api/files");
  maxBytes = largest;
  const named = files.find((file) => file.role === "current" && file.authority);
  if (named && !$("#la").value) $("#la").value = named.authority.code;
  const body = $("#files tbody");
  body.replaceChildren();
  for (const file of files) {
    const rows = file.tables.map((t) => `${t.name}: ${t.rows}` + (t.rejected ? ` (${t.rejected} rejected)` : "")).join("; ");
    const problems = element("ul");
    for (const problem of file.problems) problems.appendChild(element("li", `${problem.severity}: ${problem.text}`));
    const remove = element("button", "Remove", { type: "button", class: "secondary", "aria-label": `Remove ${file.name}` });
    remove.addEventListener("click", async () => {
      await api("DELETE", `/api/files?role=${file.role}&name=${encodeURIComponent(file.name)}`);
      await showFiles();
    });
    body.appendChild(row([file.role === "current" ? "this year" : "last year", file.name, file.kind, file.year, rows, problems, remove]));
  }
}

async function validate() {
  say("Validating…");
  const progress = $("#progress");
  progress.hidden = false;
  progress.removeAttribute("value");
  try {
    await api("POST", "/api/validate", JSON.stringify({ year: $("#year").value, la: $("#la").value }), true);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const job = await api("GET", "/api/status");
      if (job.total) { progress.max = job.total; progress.value = job.done; }
      if (job.state === "running") { say(`Validating: ${job.done} of ${job.total || "?"} rules`); continue; }
      if (job.state === "failed") throw new Error(job.message);
      break;
    }
    results = await api("GET", "/api/results");
    say("Validation finished.");
    showResults();
  } catch (error) {
    say(error.message, true);
  } finally {
    progress.hidden = true;
  }
}

function fillSelect(select, values) {
  const current = select.value;
  select.replaceChildren(element("option", "all", { value: "" }));
  for (const value of values) select.appendChild(element("option", value));
  select.value = values.includes(current) ? current : "";
}

function showResults() {
  $("#results").hidden = false;
  $("#child").hidden = true;
  const r = results;
  $("#headline").textContent = `${r.dataset.toUpperCase()} ${r.year}${r.authority ? " for " + r.authority : ""}: ` +
    `${r.headline}. ` + (r.absent_tables.length ? `No ${r.absent_tables.join(", ")} table: rules needing it not run. ` : "") +
    Object.entries(r.rule_counts).map(([status, n]) => `${n} rules ${status}`).join(", ") + ".";
  const failing = r.rules.filter((rule) => rule.failures > 0);
  fillSelect($("#filter-rule"), failing.map((rule) => rule.code));
  fillSelect($("#filter-table"), [...new Set(r.children.flatMap((c) => c.tables))].sort());
  render();
}

function render() {
  const rule = $("#filter-rule").value;
  const table = $("#filter-table").value;
  const severity = $("#filter-severity").value;
  const search = $("#search").value.trim().toLowerCase();
  const rulesBody = $("#rules tbody");
  rulesBody.replaceChildren();
  for (const item of results.rules) {
    if (!item.failures || (rule && item.code !== rule) || (severity && item.severity !== severity)) continue;
    rulesBody.appendChild(row([item.code, item.severity, item.failures, item.children, item.message]));
  }
  const childrenBody = $("#children tbody");
  childrenBody.replaceChildren();
  for (const child of results.children) {
    if (rule && !child.rules.includes(rule)) continue;
    if (table && !child.tables.includes(table)) continue;
    if (severity === "error" && !child.errors) continue;
    if (severity === "query" && !child.queries) continue;
    if (search && !child.child_id.toLowerCase().includes(search)) continue;
    const open = element("button", child.child_id, { type: "button", class: "link", "aria-label": `Show child ${child.child_id}` });
    open.addEventListener("click", () => showChild(child.child_id));
    childrenBody.appendChild(row([open, child.errors, child.queries, child.rules.join(", ")]));
  }
}

async function showChild(id) {
  const detail = await api("GET", `/api/child?id=${encodeURIComponent(id)}`);
  const holder = $("#child-rows");
  holder.replaceChildren();
  const list = element("ul");
  for (const error of detail.errors) {
    list.appendChild(element("li", `${error.rule_code} (${error.severity}) ${error.table} row ${error.row_number}` +
      `${error.field ? ", " + error.field : ""}: ${error.message}`));
  }
  holder.appendChild(list);
  for (const item of detail.rows) {
    holder.appendChild(element("h4", `${item.table}: ${item.file}, row ${item.row}`));
    const wrap = element("div", null, { class: "row-table" });
    const grid = element("table");
    const columns = Object.keys(item.cells);
    const head = element("tr");
    for (const column of columns) head.appendChild(element("th", column, { scope: "col" }));
    const values = element("tr");
    for (const column of columns) {
      const codes = item.flagged[column];
      const cell = element("td", item.cells[column], codes ? { class: "flagged", title: "Rules: " + codes.join(", ") } : {});
      if (codes) cell.appendChild(element("span", ` (rules ${codes.join(", ")})`, { class: "visually-hidden" }));
      values.appendChild(cell);
    }
    grid.append(head, values);
    wrap.appendChild(grid);
    holder.appendChild(wrap);
  }
  $("#child").hidden = false;
  $("#child-heading").textContent = `Child ${id}`;
  $("#child-heading").focus();
}

function setUp() {
  // The secret came in the address: take it out, so it is not kept in the history or shown on screen.
  if (location.search) history.replaceState(null, "", location.pathname);
  for (const input of document.querySelectorAll("input[type=file]")) {
    input.addEventListener("change", async () => { await upload(input.dataset.role, [...input.files]); input.value = ""; });
  }
  for (const zone of document.querySelectorAll(".zone")) {
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      upload(zone.dataset.role, [...event.dataTransfer.files]);
    });
  }
  $("#validate").addEventListener("click", validate);
  $("#clear").addEventListener("click", async () => {
    await api("DELETE", "/api/files");
    results = null;
    $("#results").hidden = true;
    say("Your files and results have been removed.");
    await showFiles();
  });
  for (const id of ["#filter-rule", "#filter-table", "#filter-severity", "#search"]) {
    $(id).addEventListener("input", render);
  }
  showFiles().catch((error) => say(error.message, true));
}

setUp();
