"use strict";
// The page's three views (Validate, Indicators, Forecast) and what the Indicators and Forecast views share.
// Talks only to the local server that served the page, through http.js (with this start's secret).

const cscViews = (() => {
  const titles = { "validate-view": null, "indicators-view": "csctools: indicators", "forecast-view": "csctools: forecast" };
  const views = {}; // name -> { main, onShow }

  function el(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    return node;
  }

  function tableRow(cells) {
    const tr = el("tr");
    for (const cell of cells) {
      const td = el("td");
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
      tr.appendChild(td);
    }
    return tr;
  }

  const { call } = cscHttp; // http.js: the page's one way to ask the server

  // Wait for a background job: `report(job)` is told of its progress; a failed job throws its one-line message.
  async function poll(path, report) {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const job = await call("GET", path);
      if (job.state === "running") { report(job); continue; }
      if (job.state === "failed") throw new Error(job.message);
      if (job.state !== "done") throw new Error("the results were cleared");
      return job;
    }
  }

  function say(status, text, isError = false) {
    status.textContent = text;
    status.className = isError ? "error-text" : "";
  }

  // A chart drawn by csctools (inline SVG): parsed as HTML, so no script of it can run (the page's
  // Content-Security-Policy forbids inline scripts as well).
  function chart(markup, label) {
    const figure = el("figure", null, { class: "chart" });
    const parsed = new DOMParser().parseFromString(`<body>${markup}</body>`, "text/html").body.querySelector("svg");
    if (parsed) figure.appendChild(document.importNode(parsed, true));
    if (label) figure.appendChild(el("figcaption", label));
    return figure;
  }

  function show(name) {
    for (const [key, view] of Object.entries(views)) view.main.hidden = key !== name;
    for (const button of document.querySelectorAll("#views-nav button")) {
      if (button.dataset.view === name) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
    }
    const heading = document.querySelector("header h1");
    if (!heading.dataset.original) heading.dataset.original = heading.textContent;
    heading.textContent = titles[name] || heading.dataset.original;
    if (views[name].onShow) views[name].onShow();
  }

  function register(name, main, onShow) {
    views[name] = { main, onShow };
  }

  function setUp() {
    register("validate-view", document.querySelector("main:not(.view)"));
    for (const button of document.querySelectorAll("#views-nav button")) {
      button.addEventListener("click", () => show(button.dataset.view));
    }
  }

  setUp();
  return { el, tableRow, call, poll, say, chart, show, register };
})();
