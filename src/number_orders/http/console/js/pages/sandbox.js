// Sandbox tools for the operator, with the admin token: the request journal of an
// account, and the sandbox clock (advance it, drain due work).
import { api } from "../api.js";
import { cells, errorBox, field, h, notice, table, time } from "../dom.js";
import { currentQuery, setQuery } from "../router.js";
import { session } from "../session.js";

const COLUMNS = ["Time", "Method", "Path", "Status", "Duration", "Idempotency key", "Bodies"];

export function sandboxPage(main) {
  document.title = "Sandbox · number-orders console";
  main.append(h("h1", { tabindex: "-1" }, "Sandbox"));
  if (!session.adminToken()) {
    main.append(tokenForm(() => {
      main.replaceChildren();
      sandboxPage(main);
    }));
    return null;
  }
  main.append(journal(), clock());
  return null;
}

function tokenForm(onSet) {
  const token = h("input", { type: "password", name: "admin-token", autocomplete: "off", required: true });
  return h("form", {
    class: "card",
    method: "post",
    onsubmit: (event) => {
      event.preventDefault();
      session.setAdminToken(token.value.trim());
      onSet();
    },
  },
  h("p", {}, "The request journal and the clock need the server's admin token."),
  field("Admin token", token),
  h("div", { class: "actions" }, h("button", { type: "submit" }, "Use token")));
}

function journal() {
  const state = currentQuery();
  const account = h("input", { type: "text", name: "account", value: state.account ?? "", autocomplete: "off", required: true });
  const limit = h("input", { type: "number", name: "limit", min: "1", max: "1000", value: state.limit ?? "50", class: "short" });
  const results = h("div", { "aria-live": "polite" });

  async function load(event) {
    event?.preventDefault();
    if (!account.value.trim()) {
      results.replaceChildren(notice("Name an account to see its requests."));
      return;
    }
    setQuery({ account: account.value.trim(), limit: limit.value });
    results.replaceChildren(notice("Loading…"));
    try {
      const body = await api.get("/_sandbox/requests", { account: account.value.trim(), limit: limit.value }, { admin: true });
      const entries = body.data ?? [];
      results.replaceChildren(entries.length
        ? table("Requests, newest first", COLUMNS, entries.map(entryRow))
        : h("p", { class: "empty" }, "No requests recorded for this account."));
    } catch (error) {
      results.replaceChildren(errorBox(error, "Could not read the journal."));
    }
  }

  const section = h("section", { "aria-labelledby": "journal-heading" },
    h("h2", { id: "journal-heading" }, "Request journal"),
    h("form", { class: "filters", onsubmit: load },
      field("Account", account, "The account's name"),
      field("How many", limit),
      h("div", { class: "field actions" }, h("button", { type: "submit" }, "Show requests"))),
    results);
  if (account.value) load();
  return section;
}

function entryRow(entry) {
  const tone = entry.status >= 500 ? "bad" : entry.status >= 400 ? "wait" : "good";
  const bodies = [["Request", entry.request_body], ["Response", entry.response_body]]
    .filter(([, body]) => body !== undefined && body !== null && body !== "")
    .map(([name, body]) => h("details", {}, h("summary", {}, name), h("pre", {}, typeof body === "string" ? body : JSON.stringify(body, null, 2))));
  return h("tr", { dataset: { requestId: entry.id } }, cells(COLUMNS, [
    time(entry.at),
    entry.method,
    h("span", { class: "mono wrap" }, entry.path + (entry.query ? `?${entry.query}` : "")),
    h("span", { class: `badge ${tone}` }, String(entry.status)),
    entry.duration_ms === undefined ? "—" : `${entry.duration_ms} ms`,
    entry.idempotency_key ?? "—",
    bodies.length ? bodies : "—",
  ]));
}

function clock() {
  const now = h("div", { "aria-live": "polite" });
  const seconds = h("input", { type: "number", name: "advance_seconds", min: "1", value: "60", class: "short" });
  const outcome = h("div", { class: "outcome" });

  async function show(promise, done) {
    try {
      const body = await promise;
      now.replaceChildren(clockText(body));
      if (done) outcome.replaceChildren(notice(done));
    } catch (error) {
      if (!now.hasChildNodes()) now.replaceChildren(h("p", { class: "muted" }, "Sandbox time: unknown."));
      outcome.replaceChildren(errorBox(error, "The clock did not answer."));
    }
  }

  const section = h("section", { "aria-labelledby": "clock-heading" },
    h("h2", { id: "clock-heading" }, "Clock"),
    now,
    h("form", {
      class: "filters",
      onsubmit: (event) => {
        event.preventDefault();
        show(api.post("/_sandbox/clock", { advance_seconds: Number(seconds.value) }, { admin: true }), `Advanced ${seconds.value} s.`);
      },
    },
    field("Advance by (seconds)", seconds),
    h("div", { class: "field actions" }, h("button", { type: "submit" }, "Advance"),
      h("button", {
        type: "button",
        class: "secondary",
        onclick: () => show(api.post("/_sandbox/drain", {}, { admin: true }).then(() => api.get("/_sandbox/clock", {}, { admin: true })), "Drained: due work has run."),
      }, "Drain"))),
    outcome);
  show(api.get("/_sandbox/clock", {}, { admin: true }));
  return section;
}

function clockText(body) {
  const data = body.data ?? body;
  const instant = data.now ?? data.time ?? data.at;
  return instant
    ? h("p", {}, "Sandbox time: ", time(instant), h("small", { class: "muted" }, ` (${instant})`))
    : h("pre", {}, JSON.stringify(data, null, 2));
}
