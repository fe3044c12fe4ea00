"use strict";
// The Forecast view: `csc forecast` over several years of SSDA903 files dropped here.

(() => {
  const { el, tableRow, call, poll, say, chart } = cscViews;
  const main = document.querySelector("#forecast-view");
  main.innerHTML = `
  <section aria-labelledby="fc-files-heading">
    <h2 id="fc-files-heading">1. Add several years of SSDA903 files</h2>
    <div class="zone" id="fc-zone">
      <label for="fc-input">SSDA903 files of several collection years</label>
      <p class="hint">Each year's Header and Episodes (CSV tables; UASC too if you have it) or each year's XML.
        Add one year's files at a time (each pick or drop is kept apart, so every year's header.csv keeps its name),
        or all years at once when their dates tell them apart. Only Header, Episodes and UASC are read: other 903 tables may come along and are not used.</p>
      <input id="fc-input" type="file" multiple>
      <p class="hint">or drop files on this box</p>
    </div>
    <table id="fc-files"><caption>Files added, by pick or drop</caption>
      <thead><tr><th scope="col">drop</th><th scope="col">files read</th><th scope="col">years found</th>
        <th scope="col">problems</th><th scope="col"><span class="visually-hidden">remove</span></th></tr></thead>
      <tbody></tbody></table>
    <button type="button" id="fc-clear" class="secondary">Remove the forecast's files</button>
  </section>
  <section aria-labelledby="fc-run-heading">
    <h2 id="fc-run-heading">2. Forecast</h2>
    <div class="options">
      <label for="fc-method">Method</label>
      <select id="fc-method"><option value="simulation">simulation: median with 50% and 90% bands</option>
        <option value="demand-model-0.5">demand-model-0.5: the sector's model, one line</option></select>
      <label for="fc-la">Local authority (optional)</label>
      <input id="fc-la" type="text" placeholder="e.g. 383 or Leeds" autocomplete="off">
    </div>
    <div class="options">
      <label for="fc-reference-start">Reference period from</label><input id="fc-reference-start" type="date">
      <label for="fc-reference-end">to</label><input id="fc-reference-end" type="date">
      <label for="fc-forecast-end">Forecast to</label><input id="fc-forecast-end" type="date">
      <button type="button" id="fc-run">Forecast</button>
    </div>
    <p class="hint" id="fc-defaults">The dates are filled in from the files: the reference period is the last 12
      months of data, the forecast runs 18 months on.</p>
    <progress id="fc-progress" max="4" value="0" hidden aria-label="forecast progress"></progress>
    <p id="fc-status" role="status" aria-live="polite"></p>
  </section>
  <section id="fc-results" aria-labelledby="fc-results-heading" hidden>
    <h2 id="fc-results-heading" tabindex="-1">3. Results</h2>
    <p id="fc-summary"></p>
    <ul id="fc-notes" class="warn"></ul>
    <p class="downloads">Download:
      <a href="/api/forecast/report.xlsx" download>Excel (XLSX)</a>
      <a href="/api/forecast/report.csv" download>CSV</a>
      <a href="/api/forecast/report.html" download>HTML report</a>
    </p>
    <h3>How far to trust it: back-test</h3>
    <p id="fc-backtest-note" class="hint"></p>
    <div class="wide"><table id="fc-backtest"><caption class="visually-hidden">Back-test</caption><thead></thead><tbody></tbody></table></div>
    <h3>Children in care by placement</h3>
    <div class="charts" id="fc-placements"></div>
    <h3>At the end of the forecast</h3>
    <table id="fc-end"><caption class="visually-hidden">Children in care at the end of the forecast</caption><thead></thead><tbody></tbody></table>
    <h3>Children in care by age band</h3>
    <div class="charts" id="fc-bands"></div>
    <h3>Costs</h3>
    <div class="charts" id="fc-cost-chart"></div>
    <table id="fc-costs"><caption class="visually-hidden">Cost by financial year</caption><thead></thead><tbody></tbody></table>
    <h3>Cleaning of the episodes</h3>
    <ul id="fc-cleaning"></ul>
  </section>`;
  const $ = (selector) => main.querySelector(selector);
  const dates = { "fc-reference-start": "reference_start", "fc-reference-end": "reference_end", "fc-forecast-end": "forecast_end" };
  let nextDrop = 1;
  let maxBytes = 0;
  const touched = new Set();

  async function showFiles() {
    const described = await call("GET", "/api/forecast/files");
    maxBytes = described.max_bytes;
    const body = $("#fc-files tbody");
    body.replaceChildren();
    nextDrop = 1;
    const first = (drop) => (drop.years.length ? drop.years.map((y) => y.year).sort()[0] : "~");
    for (const drop of [...described.drops].sort((a, b) => first(a).localeCompare(first(b)) || a.drop - b.drop)) {
      nextDrop = Math.max(nextDrop, drop.drop + 1);
      const years = drop.years.map((y) => `${y.year}: ${y.children} children, ${y.episodes} episodes`).join("; ");
      const problems = el("ul");
      if (drop.error) problems.appendChild(el("li", drop.error, { class: "error-text" }));
      for (const note of drop.notes) problems.appendChild(el("li", note));
      const remove = el("button", "Remove", { type: "button", class: "secondary", "aria-label": `Remove drop ${drop.drop}` });
      remove.addEventListener("click", async () => {
        await call("DELETE", `/api/forecast/files?drop=${drop.drop}`);
        await showFiles();
      });
      const used = new Set(drop.years.flatMap((y) => y.files.map((f) => f.split("/").pop())));
      const unused = drop.files.filter((name) => !used.has(name));
      const files = !used.size ? drop.files.join(", ")
        : [...used].join(", ") + (unused.length ? `; not needed: ${unused.length} other files` : "");
      const cell = el("span", files, { title: drop.files.join(", ") });
      body.appendChild(tableRow([String(drop.drop), cell, years || "none", problems, remove]));
    }
    for (const [id, key] of Object.entries(dates)) {
      if (!touched.has(id)) $(`#${id}`).value = described.defaults ? described.defaults[key] : "";
    }
    $("#fc-defaults").textContent = described.defaults
      ? `The data end on ${described.defaults.data_end}. Left as filled in, the reference period is the last 12 months ` +
        "of data and the forecast runs 18 months on (the defaults of csc forecast)."
      : "The dates are filled in from the files once they are added.";
  }

  async function upload(files) {
    const drop = nextDrop;
    const refused = [];
    for (const file of files) {
      if (maxBytes && file.size > maxBytes) {
        refused.push(`${file.name}: the file is larger than ${Math.round(maxBytes / 2 ** 20)} MiB`);
        continue;
      }
      say($("#fc-status"), `Adding ${file.name}…`);
      try {
        await call("POST", `/api/forecast/files?drop=${drop}&name=${encodeURIComponent(file.name)}`, file);
      } catch (error) {
        refused.push(error.message);
      }
    }
    say($("#fc-status"), refused.length ? refused.join("; ") : "Reading the files…", refused.length > 0);
    await showFiles();
    if (!refused.length) say($("#fc-status"), "");
  }

  function fillTable(table, head, rows) {
    const headRow = el("tr");
    for (const title of head) headRow.appendChild(el("th", title, { scope: "col" }));
    table.querySelector("thead").replaceChildren(headRow);
    table.querySelector("tbody").replaceChildren(...rows.map((cells) => tableRow(cells)));
  }

  const number = (value, digits = 0) => Number(value).toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const signed = (value, digits = 1) => (value > 0 ? "+" : "") + number(value, digits);

  function showResults(r) {
    $("#fc-results").hidden = false;
    $("#fc-summary").textContent = `${r.authority ? r.authority + ": m" : "M"}ethod ${r.method}; history ` +
      `${r.years[0]} to ${r.years[r.years.length - 1]} (${r.years.length} years); reference period ${r.reference[0]} ` +
      `to ${r.reference[1]}; forecast from ${r.start}, ${r.period}, in steps of ${r.step_days} days` +
      (r.runs ? `, ${r.runs.toLocaleString("en-GB")} runs.` : ".");
    $("#fc-notes").replaceChildren(...r.notes.map((note) => el("li", note)));
    $("#fc-backtest-note").textContent = r.backtest_note;
    const banded = r.backtest.length > 0 && "in_90_band" in r.backtest[0];
    fillTable($("#fc-backtest"),
      ["placement", "compared on", "actual", "forecast", "error", "error %", "mean abs. error % over the year",
        ...(banded ? ["dates inside the 90% band"] : [])],
      r.backtest.map((b) => [b.placement, b.compared_on, number(b.actual), number(b.forecast, 1), signed(b.error),
        signed(b.pct_error) + "%", number(b.mean_abs_pct_error, 1) + "%", ...(banded ? [`${Math.round(100 * b.in_90_band)}%`] : [])]));
    const charts = (holder, list) => holder.replaceChildren(...(list || []).map((svg) => chart(svg)));
    charts($("#fc-placements"), r.charts.placement);
    charts($("#fc-bands"), r.charts.age_band);
    charts($("#fc-cost-chart"), r.charts.cost);
    const scenarios = r.end_table.scenarios;
    fillTable($("#fc-end"), ["placement", ...scenarios.flatMap((s) => [`${s}: median`, `${s}: 90% band`])], r.end_table.rows);
    const costs = r.cost_table;
    fillTable($("#fc-costs"),
      ["financial year", ...costs.scenarios.flatMap((s) => [`${s}: cost`, `${s}: cumulative`, ...(costs.discounted ? [`${s}: discounted`] : [])])],
      costs.rows);
    $("#fc-cleaning").replaceChildren(...(r.cleaning.length ? r.cleaning : ["no episode needed cleaning"]).map((line) => el("li", line)));
  }

  async function forecast() {
    const status = $("#fc-status");
    const progress = $("#fc-progress");
    const options = { method: $("#fc-method").value, la: $("#fc-la").value };
    for (const [id, key] of Object.entries(dates)) options[key] = $(`#${id}`).value;
    say(status, "Forecasting…");
    progress.hidden = false;
    progress.value = 0;
    $("#fc-run").disabled = true;
    try {
      await call("POST", "/api/forecast/run", JSON.stringify(options), true);
      await poll("/api/forecast/status", (job) => {
        progress.max = job.total || 4;
        progress.value = job.done;
        say(status, `Forecasting: ${job.message} (step ${job.done + 1} of ${job.total || 4})`);
      });
      showResults(await call("GET", "/api/forecast/results"));
      say(status, "The forecast is ready.");
      $("#fc-results-heading").focus(); // screen readers go on to the results
    } catch (error) {
      say(status, error.message, true);
      $("#fc-results").hidden = true;
    } finally {
      progress.hidden = true;
      $("#fc-run").disabled = false;
    }
  }

  const input = $("#fc-input");
  input.addEventListener("change", async () => { await upload([...input.files]); input.value = ""; });
  const zone = $("#fc-zone");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    upload([...event.dataTransfer.files]);
  });
  for (const id of Object.keys(dates)) $(`#${id}`).addEventListener("input", () => touched.add(id));
  $("#fc-run").addEventListener("click", forecast);
  $("#fc-clear").addEventListener("click", async () => {
    await call("DELETE", "/api/forecast/files");
    $("#fc-results").hidden = true;
    touched.clear();
    await showFiles();
    say($("#fc-status"), "The forecast's files and results have been removed.");
  });
  document.querySelector("#clear")?.addEventListener("click", () => { // the Validate view's "Clear my data"
    $("#fc-results").hidden = true;
    say($("#fc-status"), "");
    touched.clear();
  });
  cscViews.register("forecast-view", main, () => showFiles().catch((error) => say($("#fc-status"), error.message, true)));
})();
