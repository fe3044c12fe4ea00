"use strict";
// The one helper every script of the page uses to talk to the local server that served it, with this start's
// secret (docs/security.md). Only this is shared: each script (app.js, views.js, ...) keeps its own state.

const cscHttp = (() => {
  const token = document.querySelector('meta[name="csc-token"]').content;

  // One request; the answer's JSON, or an Error with the server's one-line message.
  async function call(method, path, body, json = false) {
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

  const post = (path, payload) => call("POST", path, JSON.stringify(payload), true);

  return Object.freeze({ call, post });
})();
