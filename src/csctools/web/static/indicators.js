"use strict";
// The Indicators view: `csc indicators` over the files added in the Validate view.

(() => {
  const { el, tableRow, call, poll, say, chart } = cscViews;
  const main = document.querySelector("#indicators-view");
  main.innerHTML = `
  <section aria-labelledby="ind-files-heading">
    <h2 id="ind-files-heading">1. Files</h2>
    <p>The indicators are computed from the files added in the Validate view: this year's return(s) (any mix of
      SSDA903, CIN census and Annex A) and, if given, last year's (for the change since last year).</p>
    <ul id="ind-files"></ul>
    <button type="button" class="secondary" id="ind-go-files">Add or remove files (Validate view)</button>
  </section>
  <section aria-labelledby="ind-run-heading">
    <h2 id="ind-run-heading">2. Compute</h2>
    <div class="options">
      <label for="ind-la">Local authority (code or name)</label>
      <input id="ind-la" type="text" placeholder="e.g. 383 or Leeds" autocomplete="off">
      <label for="ind-year">Collection year</label>
      <select id="ind-year"><option value="">from the files</option><option>2026/27</option><option>2025/26</option>
        <option>2024/25</option><option>2023/24</option><option>2022/23</option></select>
      <button type="button" id="ind-run">Compute the indicators</button>
    </div>
    <progress id="ind-progress" max="2" value="0" hidden aria-label="indicators progress"></progress>
    <p id="ind-status" role="status" aria-live="polite"></p>
  </section>
  <section id="ind-results" aria-labelledby="ind-results-heading" hidden>
    <h2 id="ind-results-heading" tabindex="-1">3. Results</h2>
    <p id="ind-summary"></p>
    <ul id="ind-notes" class="warn"></ul>
    <p class="downloads">Download:
      <a href="/api/indicators/report.xlsx" download>Excel (XLSX, with the lists of children)</a>
      <a href="/api/indicators/report.csv" download>CSV</a>
      <a href="/api/indicators/report.html" download>HTML dashboard</a>
      <a href="/api/indicators/report.docx" download>Self-assessment (Word)</a>
    </p>
    <h3>Headlines</h3>
    <ul id="ind-tiles" class="tiles"></ul>
    <h3>Beside England, the region and the statistical neighbours</h3>
    <div class="filters">
      <label for="ind-topic">Topic</label><select id="ind-topic"><option value="">all</option></select>
      <label for="ind-search">Indicator</label><input id="ind-search" type="search" placeholder="id or words">
    </div>
    <p class="hint">Choose an indicator to see its trend and the children it counts. Colours: green / red when
      significantly better / worse than England (95% interval), amber when not significantly different.</p>
    <div class="wide"><table id="ind-table"><caption class="visually-hidden">Indicators</caption>
      <thead><tr><th scope="col">indicator</th><th scope="col">value</th><th scope="col">England</th>
        <th scope="col">region</th><th scope="col">neighbours</th><th scope="col">rank</th><th scope="col">quartile</th>
        <th scope="col">95% interval</th><th scope="col">against England</th><th scope="col">since last year</th></tr></thead>
      <tbody></tbody></table></div>
    <h3 id="ind-missing-heading">Not computed</h3>
    <ul id="ind-missing"></ul>
  </section>`;
  const $ = (selector) => main.querySelector(selector);
  let results = null;
  let laTouched = false;

  async function showFiles() {
    const { files } = await call("GET", "/api/files");
    const list = $("#ind-files");
    list.replaceChildren();
    for (const role of ["current", "previous"]) {
      const mine = files.filter((file) => file.role === role);
      const label = role === "current" ? "This year" : "Last year";
      const groups = new Map(); // one line per return: "SSDA903 2025/26: 12 files" or the file's name when alone
      for (const file of mine) {
        const what = `${file.kind}${file.year ? " " + file.year : ""}`;
        groups.set(what, [...(groups.get(what) || []), file.name]);
      }
      const text = mine.length ? [...groups].map(([what, names]) =>
        `${what} (${names.length > 2 ? names.length + " files" : names.join(", ")})`).join("; ") : "none";
      list.appendChild(el("li", `${label}: ${text}`));
    }
    const named = files.find((file) => file.role === "current" && file.authority);
    if (named && !laTouched) $("#ind-la").value = named.authority.code;
    $("#ind-run").disabled = !files.some((file) => file.role === "current");
  }

  async function compute() {
    const status = $("#ind-status");
    const progress = $("#ind-progress");
    say(status, "Computing the indicators…");
    progress.hidden = false;
    progress.value = 0;
    $("#ind-run").disabled = true;
    try {
      await call("POST", "/api/indicators/run", JSON.stringify({ la: $("#ind-la").value, year: $("#ind-year").value }), true);
      await poll("/api/indicators/status", (job) => {
        progress.max = job.total || 2;
        progress.value = job.done;
        say(status, `Computing: ${job.message} (step ${job.done + 1} of ${job.total || 2})`);
      });
      results = await call("GET", "/api/indicators/results");
      say(status, "The indicators are ready.");
      showResults();
      $("#ind-results-heading").focus(); // screen readers go on to the results
    } catch (error) {
      say(status, error.message, true);
      $("#ind-results").hidden = true;
    } finally {
      progress.hidden = true;
      $("#ind-run").disabled = false;
    }
  }

  function showResults() {
    const r = results;
    $("#ind-results").hidden = false;
    const population = r.population ? ` Child population ${r.population.value.toLocaleString("en-GB")} (from LAIT).` : "";
    $("#ind-summary").textContent = `${r.la_name} (${r.la}), ${r.period.start} to ${r.period.end}: ` +
      `${r.computed} of ${r.total} indicators computed from ${r.inputs.length} files.${population}`;
    $("#ind-notes").replaceChildren(...r.notes.map((note) => el("li", note)));
    const tiles = $("#ind-tiles");
    tiles.replaceChildren();
    for (const row of r.headlines) {
      const tile = el("li", null, { class: `tile rag-${row.rag}` });
      tile.append(el("span", row.title, { class: "tile-title" }), el("span", row.value, { class: "tile-value" }),
        el("span", row.england ? `England ${row.england}` : "", { class: "tile-note" }));
      if (row.change) tile.appendChild(el("span", `${row.change} since last year`, { class: "tile-note" }));
      tiles.appendChild(tile);
    }
    const topic = $("#ind-topic");
    topic.replaceChildren(el("option", "all", { value: "" }), ...r.topics.map((t) => el("option", t.topic)));
    const missing = $("#ind-missing");
    missing.replaceChildren(...r.not_computed.map((row) => el("li", `${row.id} (${row.title}): ${row.status}`)));
    $("#ind-missing-heading").textContent = r.not_computed.length ? `Not computed (${r.not_computed.length})` : "Not computed: none";
    render();
  }

  function render() {
    const chosen = $("#ind-topic").value;
    const search = $("#ind-search").value.trim().toLowerCase();
    const body = $("#ind-table tbody");
    body.replaceChildren();
    for (const group of results.topics) {
      if (chosen && group.topic !== chosen) continue;
      const rows = group.rows.filter((row) => row.status === "computed" &&
        (!search || row.id.toLowerCase().includes(search) || row.title.toLowerCase().includes(search)));
      if (!rows.length) continue;
      const head = el("tr", null, { class: "topic" });
      head.appendChild(el("th", group.topic, { colspan: "10", scope: "colgroup" }));
      body.appendChild(head);
      for (const row of rows) {
        const open = el("button", row.title, { type: "button", class: "link", "aria-expanded": "false" });
        const name = el("span", null);
        name.append(open, el("span", ` ${row.id}`, { class: "hint" }));
        const against = el("span", row.significance || "", { class: `rag rag-${row.rag}` });
        const tr = tableRow([name, row.value, row.england, row.region, row.sn_average, row.rank, row.quartile, row.ci,
          against, [row.change, row.direction].filter(Boolean).join(" ")]);
        open.addEventListener("click", () => toggle(row, tr, open));
        body.appendChild(tr);
      }
    }
  }

  function childList(label, ids) {
    const part = el("div", null, { class: "children" });
    const distinct = new Set(ids).size;
    const counted = distinct === ids.length ? `${ids.length} children` : `${ids.length} counted (${distinct} children)`;
    part.appendChild(el("h5", `${label}: ${counted}`));
    if (ids.length) part.appendChild(el("p", ids.join(", "), { class: "ids", tabindex: "0" }));
    return part;
  }

  async function toggle(row, tr, button) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("detail")) {
      next.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const detail = await call("GET", `/api/indicators/indicator?id=${encodeURIComponent(row.id)}`);
    const holder = el("td", null, { colspan: "10" });
    const caption = `${row.title} over the years (LAIT's published figures; hollow squares: this period's own, from your files)`;
    holder.appendChild(detail.chart ? chart(detail.chart, caption) : el("p", "No trend to draw: fewer than two years of figures."));
    const lists = el("div", null, { class: "drill" });
    lists.appendChild(el("p", `${row.id}: numerator ${row.numerator || "–"}${row.denominator ? ", denominator " + row.denominator : ""}. ` +
      "Child ids as in the files: this list stays on this computer; do not copy it into anything shared.", { class: "hint" }));
    lists.appendChild(childList("Numerator", detail.numerator_children));
    if (detail.denominator_children.length) lists.appendChild(childList("Denominator", detail.denominator_children));
    holder.appendChild(lists);
    const line = el("tr", null, { class: "detail" });
    line.appendChild(holder);
    tr.after(line);
    button.setAttribute("aria-expanded", "true");
  }

  $("#ind-go-files").addEventListener("click", () => cscViews.show("validate-view"));
  $("#ind-run").addEventListener("click", compute);
  $("#ind-la").addEventListener("input", () => { laTouched = true; });
  $("#ind-topic").addEventListener("input", render);
  $("#ind-search").addEventListener("input", render);
  document.querySelector("#clear")?.addEventListener("click", () => { // the Validate view's "Clear my data"
    results = null;
    $("#ind-results").hidden = true;
    say($("#ind-status"), "");
  });
  cscViews.register("indicators-view", main, () => showFiles().catch((error) => say($("#ind-status"), error.message, true)));
})();
