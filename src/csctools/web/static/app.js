"use strict";
// The page of `csc serve`: talks only to the local server that served it.

const $ = (selector) => document.querySelector(selector);
let results = null;
let openChild = null; // the child whose history is shown, kept across a revalidation
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

function button(text, onClick, attributes = {}) {
  const node = element("button", text, { type: "button", ...attributes });
  node.addEventListener("click", onClick);
  return node;
}

const { call: api, post } = cscHttp; // http.js: the page's one way to ask the server

function say(text, isError = false) {
  const status = $("#status");
  status.textContent = text;
  status.className = isError ? "error-text" : "";
}

// --- files ------------------------------------------------------------------------------------------------------

async function upload(role, files) {
  // A file the page cannot take is reported; the other files of the same drop are still added.
  const refused = [];
  const replaced = [];
  for (const file of files) {
    if (maxBytes && file.size > maxBytes) {
      refused.push(`${file.name}: the file is larger than ${Math.round(maxBytes / 2 ** 20)} MiB`);
      continue;
    }
    say(`Adding ${file.name}…`);
    try {
      const added = await api("POST", `/api/files?role=${role}&name=${encodeURIComponent(file.name)}`, file);
      if (added.replaces) replaced.push(`${added.name} replaces the uploaded ${added.replaces}`);
    } catch (error) {
      refused.push(error.message);
    }
  }
  const news = [...replaced, ...refused];
  await showFiles();  // the list is drawn before the news is said, so what is announced is on the page
  say(news.join("; ") + (replaced.length && results ? ". Validate again to see what changed." : ""), refused.length > 0);
}

async function showFiles(focusAfter = null) {
  const { files, max_bytes: largest } = await api("GET", "/api/files");
  maxBytes = largest;
  const named = files.find((file) => file.role === "current" && file.authority);
  // this year's SSDA903 and CIN census together (as the Indicators view takes them): the user picks which to validate
  const kinds = new Set(files.filter((file) => file.role === "current").map((file) => file.kind));
  const both = kinds.has("SSDA903") && kinds.has("CIN census");
  $("#dataset").hidden = !both;
  document.querySelector("label[for=dataset]").hidden = !both;
  if (named && !$("#la").value) $("#la").value = named.authority.code;
  const body = $("#files tbody");
  body.replaceChildren();
  files.forEach((file, index) => {
    const rows = file.tables.map((t) => `${t.name}: ${t.rows}` + (t.rejected ? ` (${t.rejected} rejected)` : "")).join("; ");
    const problems = element("ul");
    for (const problem of file.problems) problems.appendChild(element("li", `${problem.severity}: ${problem.text}`));
    const remove = button("Remove", () => removeFile(file, index), { class: "secondary", "aria-label": `Remove ${file.name}` });
    body.appendChild(row([file.role === "current" ? "this year" : "last year", file.name, file.kind, file.year, rows, problems, remove]));
  });
  if (focusAfter !== null) {
    // after "Remove": the next file's Remove button, else the one before, else the first file picker
    const buttons = [...body.querySelectorAll("button")];
    (buttons[Math.min(focusAfter, buttons.length - 1)] || $("#input-current")).focus();
  }
}

async function removeFile(file, index) {
  let news = `${file.name} removed.`;
  let failed = false;
  try {
    await api("DELETE", `/api/files?role=${file.role}&name=${encodeURIComponent(file.name)}`);
  } catch (error) {
    [news, failed] = [error.message, true];
  }
  await showFiles(index);
  say(news, failed);
}

// --- packs ------------------------------------------------------------------------------------------------------

async function addPacks(files) {
  const news = [];
  const refused = [];
  for (const file of files) {
    try {
      const pack = await api("POST", `/api/packs?name=${encodeURIComponent(file.name)}`, file);
      news.push(`Pack ${pack.name} ${pack.version} added: ${pack.rules.length} ${pack.rules.length === 1 ? "rule" : "rules"}`);
    } catch (error) {
      news.push(error.message);
      refused.push(error.message);
    }
  }
  await showPacks();
  // Beside the packs box, where the user looks (a broken pack's message first), and in the status line.
  showPackNews(refused.length ? refused : news, refused.length > 0);
  say(news.join("; "), refused.length > 0);
}

function showPackNews(lines, isError) {
  const box = $("#pack-news");
  box.replaceChildren(...lines.map((line) => element("span", line, { class: "pack-line" })));
  box.className = isError ? "error-text" : "";
}

async function showPacks(focusAfter = null) {
  const { packs } = await api("GET", "/api/packs");
  const list = $("#packs");
  list.replaceChildren();
  packs.forEach((pack, index) => {
    const codes = pack.rules.map((r) => r.code).join(", ");
    const item = element("li", `${pack.name} ${pack.version} (${pack.file}): ${codes} `);
    item.appendChild(button("Remove", async () => {
      await api("DELETE", `/api/packs?name=${encodeURIComponent(pack.file)}`);
      await showPacks(index);
      showPackNews([], false);
      say(`Pack ${pack.name} removed.`);
    }, { class: "secondary", "aria-label": `Remove pack ${pack.name}` }));
    list.appendChild(item);
  });
  if (focusAfter !== null) {
    const buttons = [...list.querySelectorAll("button")];
    (buttons[Math.min(focusAfter, buttons.length - 1)] || $("#input-pack")).focus();
  }
}

// --- validation ---------------------------------------------------------------------------------------------------

async function validate() {
  say("Validating…");
  try {
    const dataset = $("#dataset").hidden ? "" : $("#dataset").value;
    await post("/api/validate", { year: $("#year").value, la: $("#la").value, dataset });
  } catch (error) {
    say(error.message, true);
    return;
  }
  await follow("Validation finished.");
}

// Wait for the running validation, then show its results and say `done` (with what changed since the last run).
async function follow(done) {
  const progress = $("#progress");
  progress.hidden = false;
  progress.removeAttribute("value");
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const job = await api("GET", "/api/status");
      if (job.total) { progress.max = job.total; progress.value = job.done; }
      if (job.state === "running") { say(`Validating: ${job.done} of ${job.total || "?"} rules`); continue; }
      if (job.state === "failed") throw new Error(job.message);
      break;
    }
    results = await api("GET", "/api/results");
    await showResults();
    say(done + (results.since ? ` ${capital(results.since)}.` : ""));
  } catch (error) {
    say(error.message, true);
  } finally {
    progress.hidden = true;
  }
}

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function fillSelect(select, values) {
  const current = select.value;
  select.replaceChildren(element("option", "all", { value: "" }));
  for (const value of values) select.appendChild(element("option", value));
  select.value = values.includes(current) ? current : "";
}

async function showResults() {
  $("#results").hidden = false;
  const r = results;
  const structural = r.structural.length ? `${r.structural.length} ${r.structural.length === 1 ? "problem" : "problems"} ` +
    "with the files (see the files added): rules needing what is missing not run. " : "";
  $("#headline").textContent = `${r.dataset.toUpperCase()} ${r.year}${r.authority ? " for " + r.authority : ""}: ` +
    structural + `${r.headline}. ` + (r.absent_tables.length ? `No ${r.absent_tables.join(", ")} table: rules needing it not run. ` : "") +
    Object.entries(r.rule_counts).map(([status, n]) => `${n} rules ${status}`).join(", ") + ".";
  if (r.authority_code && !$("#la").value) $("#la").value = r.authority_code; // after a reload: validate again for it
  $("#warnings").replaceChildren(...r.warnings.map((warning) => element("li", capital(warning.replace(/^warning: /, "")))));
  $("#warnings").hidden = !r.warnings.length;
  $("#since").hidden = !r.since;
  $("#since").textContent = r.since ? capital(r.since) + "." : "";
  showCorrections(r.corrections);
  showNotRun(r.not_run);
  showSettings(r);
  fillSelect($("#filter-pack"), [...new Set(r.rules.map(packOf))].sort());
  $("#filter-pack").options[0].textContent = "all packs";
  const failing = r.rules.filter((rule) => rule.failures > 0);
  fillSelect($("#filter-rule"), failing.map((rule) => rule.code));
  fillSelect($("#filter-table"), [...new Set(r.children.flatMap((c) => c.tables))].sort());
  render();
  if (openChild && r.children.some((c) => c.child_id === openChild)) await showChild(openChild, false);
  else if (openChild) { say(`${$("#status").textContent} Child ${openChild} has no errors now.`); openChild = null; }
}

function showCorrections(corrections) {
  const holder = $("#corrections");
  const list = $("#corrected-files");
  list.replaceChildren();
  for (const file of corrections.files) {
    const what = file.replaces && file.replaces !== file.name ? ` (replaces ${file.replaces})` : "";
    list.appendChild(element("li", `${file.role === "current" ? "" : "last year: "}${file.name}${what}`));
  }
  $("#edit-count").textContent = `${corrections.edits.length} ${corrections.edits.length === 1 ? "edit" : "edits"} logged.`;
  holder.hidden = corrections.files.length === 0;
}

const NEEDS = {
  la: { label: "Local authority (code or name)", kind: "la" },
  previous: { label: "Last year's files", kind: "file", role: "previous" },
  providers: { label: "The Ofsted provider list (XLSX)", kind: "file", role: "current" },
};

function showNotRun(groups) {
  const holder = $("#not-run-list");
  holder.replaceChildren();
  $("#not-run").hidden = groups.length === 0;
  const needed = {};
  for (const group of groups) {
    holder.appendChild(element("li", `${group.codes.length} ${group.codes.length === 1 ? "rule" : "rules"} ${group.status}` +
      (group.reason ? `: ${group.reason}` : "") + ` (${group.codes.join(", ")})`));
    for (const need of group.needs) needed[need] = (needed[need] || 0) + group.codes.length;
  }
  const asks = $("#not-run-ask-list");
  asks.replaceChildren();
  Object.entries(needed).forEach(([need, count], index) => asks.appendChild(askFor(need, index, count)));
  $("#not-run-asks").hidden = Object.keys(needed).length === 0;
}

function askFor(need, index, count) {
  // Ask right there for what the rules need: the authority's code, last year's files, the provider list.
  const wanted = NEEDS[need];
  const id = `need-${need}-${index}`;
  const box = element("div", null, { class: "ask", "data-need": need });
  box.appendChild(element("label", `${wanted.label} (${count} ${count === 1 ? "rule needs" : "rules need"} it)`, { for: id }));
  if (wanted.kind === "la") {
    const input = element("input", null, { id, type: "text", autocomplete: "off", placeholder: "e.g. 383 or Leeds" });
    input.value = $("#la").value;
    box.append(input, button("Use it and validate again", () => { $("#la").value = input.value; validate(); }));
  } else {
    const input = element("input", null, { id, type: "file", multiple: "" });
    input.addEventListener("change", async () => {
      await upload(wanted.role, [...input.files]);
      await validate();
    });
    box.appendChild(input);
  }
  return box;
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
    rulesBody.appendChild(row([item.code, packOf(item), item.severity, item.failures, item.children, withGuidance(item)]));
  }
  renderOutcomes();
  const childrenBody = $("#children tbody");
  childrenBody.replaceChildren();
  for (const child of results.children) {
    if (rule && !child.rules.includes(rule)) continue;
    if (table && !child.tables.includes(table)) continue;
    if (severity === "error" && !child.errors) continue;
    if (severity === "query" && !child.queries) continue;
    if (search && !child.child_id.toLowerCase().includes(search)) continue;
    const open = button(child.child_id, () => showChild(child.child_id), {
      class: "link", "aria-label": `Show child ${child.child_id}`, "data-child": child.child_id, "aria-expanded": "false",
    });
    const tr = row([open, child.errors, child.queries, child.rules.join(", ")]);
    tr.dataset.child = child.child_id;
    childrenBody.appendChild(tr);
  }
}

function withGuidance(rule) {
  // The rule's message, then its guidance (what it means, common causes, what to check) folded under it.
  const about = results.guidance[rule.code];
  if (!about) return rule.message;
  const holder = element("div");
  holder.appendChild(element("span", rule.message));
  const more = element("details", null, { class: "guidance" });
  more.appendChild(element("summary", `Guidance for ${rule.code}`));
  if (about.meaning !== rule.message) more.appendChild(guidanceLine("What it means:", about.meaning));
  if (about.causes) more.appendChild(guidanceLine("Common causes:", about.causes));
  more.appendChild(guidanceLine("What to check:", about.check));
  holder.appendChild(more);
  return holder;
}

function guidanceLine(label, text) {
  const line = element("p");
  line.append(element("b", label), ` ${text}`);
  return line;
}

// --- every rule, switched off and accepted ----------------------------------------------------------------------

const packOf = (rule) => rule.pack || `DfE ${results.dataset.toUpperCase()}`;

function renderOutcomes() {
  const pack = $("#filter-pack").value;
  const body = $("#outcomes tbody");
  body.replaceChildren();
  const shown = results.rules.filter((rule) => !pack || packOf(rule) === pack);
  for (const rule of shown) {
    body.appendChild(row([rule.code, packOf(rule), rule.severity, rule.status, rule.failures || "", rule.reason || rule.message]));
  }
  const choose = $("#off-rule");
  const chosen = choose.value;
  choose.replaceChildren();
  for (const rule of shown.filter((r) => r.status !== "switched off")) choose.appendChild(element("option", rule.code));
  if ([...choose.options].some((o) => o.value === chosen)) choose.value = chosen;
}

async function switchOff(event) {
  event.preventDefault();
  const rule = $("#off-rule").value;
  try {
    const done = await post("/api/settings/off", { rule, reason: $("#off-reason").value });
    $("#off-reason").value = "";
    say(`Rule ${rule} switched off in ${done.settings}. Validating again…`);
    await validate();
  } catch (error) {
    say(error.message, true);
  }
}

function reasonForm(label, name, act) {
  // A button that opens a small form asking why; the form sends the reason to `act`.
  const holder = element("span");
  const open = button(`${label}…`, () => {
    const form = element("form", null, { class: "edit" });
    const id = `why-${Math.random().toString(36).slice(2)}`;
    const input = element("input", null, { id, type: "text", required: "", autocomplete: "off" });
    form.append(element("label", `Why (${name})`, { for: id, class: "visually-hidden" }), input,
      element("button", label, { type: "submit" }),
      button("Cancel", () => { form.remove(); open.hidden = false; open.focus(); }, { class: "secondary" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try { await act(input.value); } catch (error) { say(error.message, true); input.focus(); }
    });
    open.hidden = true;
    holder.appendChild(form);
    input.focus();
  }, { class: "small", "aria-label": `${label}… (${name})` });
  holder.appendChild(open);
  return holder;
}

function showSettings(r) {
  const off = r.rules.filter((rule) => rule.status === "switched off");
  const list = $("#switched-off");
  list.replaceChildren();
  for (const rule of off) list.appendChild(element("li", `Rule ${rule.code} (${packOf(rule)}): ${rule.reason}`));
  const body = $("#accepted-table tbody");
  body.replaceChildren();
  for (const a of r.accepted) {
    body.appendChild(row([a.rule_code, a.child_id, a.table, a.row_number, a.field, a.value, a.accepted_reason, a.accepted_by, a.accepted_on]));
  }
  $("#accepted-table").hidden = r.accepted.length === 0;
  $("#accepted").hidden = off.length === 0 && r.accepted.length === 0;
  $("#settings-note").textContent = "Rules switched off and queries accepted are written to " +
    (r.settings ? `your settings file ${r.settings}` : "your settings file (made when you first switch off or accept)") +
    ", as csc accept does, and used by every later run." + (r.notes.length ? " Note: " + r.notes.join("; ") : "");
}

// --- a child's history ------------------------------------------------------------------------------------------

function childButton(id) {
  return [...document.querySelectorAll("#children tbody button[data-child]")].find((b) => b.dataset.child === id);
}

function closeChild() {
  const shown = $("#child-detail");
  if (shown) shown.remove();
  const opener = openChild && childButton(openChild);
  openChild = null;
  if (opener) { opener.setAttribute("aria-expanded", "false"); opener.focus(); }
}

async function showChild(id, focus = true) {
  let detail;
  try {
    detail = await api("GET", `/api/child?id=${encodeURIComponent(id)}`);
  } catch (error) {
    say(error.message, true);
    return;
  }
  const old = $("#child-detail");
  if (old) old.remove();
  for (const b of document.querySelectorAll("#children button[aria-expanded=true]")) b.setAttribute("aria-expanded", "false");
  openChild = id;
  const opener = childButton(id);
  // The history opens just below the child's row: a row of the table spanning its columns.
  const holder = element("tr", null, { id: "child-detail" });
  const cell = element("td", null, { colspan: "4" });
  const section = element("section", null, { id: "child", "aria-labelledby": "child-heading" });
  section.appendChild(element("h4", `Child ${id}`, { id: "child-heading", tabindex: "-1" }));
  section.appendChild(button("Back to the list of children", closeChild, { class: "secondary", id: "child-back" }));
  section.appendChild(element("p", `${detail.errors.length} failing ${detail.errors.length === 1 ? "cell" : "cells"}; ` +
    `${detail.rows.length} rows of this child in this year's and last year's files, in date order.`));
  if (detail.not_in_a_row.length) {
    const list = element("ul", null, { class: "failures" });
    for (const error of detail.not_in_a_row) list.appendChild(element("li", `${error.rule_code} (${error.severity}): ${error.message}`));
    section.append(element("p", "Not about one row:"), list);
  }
  for (const item of detail.rows) section.appendChild(historyRow(id, item, detail.suggestions));
  cell.appendChild(section);
  holder.appendChild(cell);
  if (opener) {
    opener.setAttribute("aria-expanded", "true");
    opener.closest("tr").after(holder);
  } else {
    $("#children tbody").appendChild(holder);
  }
  if (focus) $("#child-heading").focus();
}

function historyRow(childId, item, suggestions) {
  const box = element("div", null, { class: "history-row" + (item.failures.length ? " failing" : "") });
  const when = item.date ? `${item.date} (${item.date_column})` : "no date";
  box.appendChild(element("h5", `${when}: ${item.table}, ${item.year}, ${item.file} row ${item.row}`));
  if (item.failures.length) {
    const list = element("ul", null, { class: "failures" });
    for (const failure of item.failures) {
      const line = element("li", `${failure.rule} (${failure.severity}) ${failure.fields.join(", ")}: ${failure.message} `);
      const about = results.guidance[failure.rule];
      if (about) line.appendChild(element("span", `What to check: ${about.check} `, { class: "check" }));
      // a value the data show, never applied: the user edits the cell if they agree
      for (const hint of suggestions.filter((s) => s.rule_code === failure.rule && s.source_file === item.file && s.row_number === item.row)) {
        line.appendChild(element("span", `Suggested ${hint.field}: ${hint.suggested} (${hint.reason}). `, { class: "suggested" }));
      }
      if (item.year === "this year") {
        line.appendChild(reasonForm("Accept", `Accept ${failure.rule} for child ${childId} row ${item.row}`, async (reason) => {
          const done = await post("/api/accept", { rule: failure.rule, child: childId, row: item.row, reason });
          say(`Accepted ${failure.rule} for child ${childId} row ${item.row} in ${done.settings}. Validating again…`);
          await validate();
        }));
      }
      list.appendChild(line);
    }
    box.appendChild(list);
  }
  const label = `${item.table} row ${item.row} of ${item.file}`;
  const wrap = element("div", null, { class: "row-table", role: "region", tabindex: "0", "aria-label": label });
  const grid = element("table");
  grid.appendChild(element("caption", label, { class: "visually-hidden" }));
  const columns = Object.keys(item.cells);
  const head = element("tr");
  for (const column of columns) head.appendChild(element("th", column, { scope: "col" }));
  const values = element("tr");
  for (const column of columns) {
    const codes = item.flagged[column];
    const td = element("td", null, codes ? { class: "flagged" } : {});
    const text = element("span", item.cells[column], { class: "value" });
    td.appendChild(text);
    if (codes) {
      td.appendChild(element("span", ` (fails ${codes.join(", ")})`, { class: "visually-hidden" }));
      if (item.year === "this year" && /\.csv$/i.test(item.file)) td.appendChild(editButton(item, column, text));
    }
    values.appendChild(td);
  }
  grid.append(head, values);
  wrap.appendChild(grid);
  box.appendChild(wrap);
  return box;
}

function editButton(item, column, text) {
  const open = button("Edit", () => {
    const form = element("form", null, { class: "edit" });
    const id = `edit-${item.row}-${column}`;
    const input = element("input", null, { id, type: "text", autocomplete: "off" });
    input.value = text.textContent;
    form.append(element("label", `New ${column}`, { for: id, class: "visually-hidden" }), input,
      element("button", "Save", { type: "submit" }),
      button("Cancel", () => { form.remove(); open.hidden = false; open.focus(); }, { class: "secondary" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const done = await post("/api/edit", {
          role: item.role, file: item.file, row: item.row, column, shown: text.textContent, value: input.value,
        });
        text.textContent = done.new;
        text.closest("td").classList.add("edited");
        form.remove();
        open.hidden = false;
        open.focus();
        say(`${done.file} row ${done.row} ${done.column}: '${done.old}' changed to '${done.new}'. ` +
          "Validate again to see what changed.");
        const corrections = await api("GET", "/api/corrections");
        showCorrections(corrections);
      } catch (error) {
        say(error.message, true);
        input.focus();
      }
    });
    open.hidden = true;
    open.after(form);
    input.focus();
  }, { class: "small", "aria-label": `Edit ${column} of ${item.table} row ${item.row}` });
  return open;
}

// --- set-up -----------------------------------------------------------------------------------------------------

function setUp() {
  // The secret came in the address: take it out, so it is not kept in the history or shown on screen.
  if (location.search) history.replaceState(null, "", location.pathname);
  for (const input of document.querySelectorAll("input[type=file][data-role]")) {
    input.addEventListener("change", async () => { await upload(input.dataset.role, [...input.files]); input.value = ""; });
  }
  for (const zone of document.querySelectorAll(".zone")) {
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (zone.dataset.role) upload(zone.dataset.role, [...event.dataTransfer.files]);  // the packs box adds packs
    });
  }
  $("#validate").addEventListener("click", validate);
  $("#revalidate").addEventListener("click", validate);
  $("#input-pack").addEventListener("change", async () => { await addPacks([...$("#input-pack").files]); $("#input-pack").value = ""; });
  $("#zone-pack").addEventListener("drop", (event) => addPacks([...event.dataTransfer.files]));
  $("#filter-pack").addEventListener("input", renderOutcomes);
  $("#switch-off").addEventListener("submit", switchOff);
  $("#clear").addEventListener("click", async () => {
    await api("DELETE", "/api/files");
    results = null;
    openChild = null;
    $("#results").hidden = true;
    showPackNews([], false);
    await showFiles();
    await showPacks();
    say("Your files and results have been removed.");
  });
  for (const id of ["#filter-rule", "#filter-table", "#filter-severity", "#search"]) {
    $(id).addEventListener("input", () => { render(); if (openChild && childButton(openChild)) showChild(openChild, false); else openChild = null; });
  }
  restore().catch((error) => say(error.message, true));
}

// On opening (or reloading) the page: what the server still holds, the files, the packs and, if a validation ran
// or is running, its results with the fix loop's state (what changed since the run before, the corrections).
async function restore() {
  await showFiles();
  await showPacks();
  const job = await api("GET", "/api/status");
  if (job.state === "running") await follow("Validation finished.");
  else if (job.results) await follow("Showing the results of the last validation.");
}

setUp();
