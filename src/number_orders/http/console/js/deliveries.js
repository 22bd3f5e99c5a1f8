// Webhook deliveries (events and their attempts), shown alike on an order's page and on
// the Webhook events page, with the API's redeliver action. A delivery whose attempts
// continue (its status is null until the round ends) is followed until it is decided.
import { api } from "./api.js";
import { badge, cells, errorBox, h, notice, replace, table, time } from "./dom.js";

const ATTEMPT_COLUMNS = ["Attempt", "Status", "Started", "Finished", "URL", "Response", "Errors"];
const FOLLOW_MS = 1000;
const FOLLOW_AT_MOST = 60; // looks per card: about a minute, then a reload shows more

export function deliveryCard(delivery) {
  const path = `/v2/webhook_deliveries/${encodeURIComponent(delivery.id)}`;
  const card = h("details", { class: "card delivery", dataset: { deliveryId: delivery.id } });
  const outcome = h("div", { class: "outcome" });
  const redeliver = h("button", { type: "button", class: "secondary", onclick: () => redo() }, "Redeliver");
  let looks = 0;
  let timer = null;
  let queued = false; // a redelivery's round is under way: say how it ended

  function show(current) {
    replace(card, facts(current), h("div", { class: "actions" }, redeliver), outcome, payload(current));
    clearTimeout(timer);
    if (current.status == null && looks < FOLLOW_AT_MOST) timer = setTimeout(follow, FOLLOW_MS);
    if (current.status != null && queued) {
      queued = false;
      outcome.replaceChildren(notice(`Redelivery ${current.status}.`));
    }
  }

  async function follow() {
    if (!card.isConnected) return; // the page moved on
    looks += 1;
    try {
      show((await api.get(path)).data);
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Could not refresh this delivery."));
    }
  }

  async function redo() {
    redeliver.disabled = true;
    try {
      const { data } = await api.post(`${path}/actions/redeliver`);
      looks = 0;
      outcome.replaceChildren(notice("Queued for delivery again."));
      queued = true;
      show(data);
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Could not redeliver."));
    } finally {
      redeliver.disabled = false;
    }
  }

  show(delivery);
  return card;
}

function facts(delivery) {
  // Oldest first, numbered from 1, whatever order the API lists them in.
  const attempts = [...(delivery.attempts ?? [])].sort((a, b) =>
    String(a.started_at ?? "").localeCompare(String(b.started_at ?? "")),
  );
  const last = attempts[attempts.length - 1];
  const webhook = delivery.webhook ?? {};
  return [
    h(
      "summary",
      {},
      h("span", { class: "event-type" }, webhook.event_type ?? "event"),
      badge(delivery.status ?? "pending"),
      h("span", {}, `${attempts.length} attempt${attempts.length === 1 ? "" : "s"}`),
      last ? h("span", {}, `last response ${responseCode(last)}`) : null,
      time(webhook.occurred_at ?? delivery.started_at),
    ),
    h("p", { class: "meta" }, "Event ", h("code", {}, webhook.id ?? delivery.id), " · started ", time(delivery.started_at), " · finished ", time(delivery.finished_at)),
    attempts.length
      ? table("Delivery attempts", ATTEMPT_COLUMNS, attempts.map((attempt, i) => attemptRow(attempt, i + 1)))
      : h("p", { class: "empty" }, "No attempts yet."),
  ];
}

function payload(delivery) {
  const body = delivery.webhook?.payload;
  return body ? h("details", { class: "payload" }, h("summary", {}, "Payload"), h("pre", {}, JSON.stringify(body, null, 2))) : null;
}

function attemptRow(attempt, number) {
  const errors = attempt.errors ?? [];
  return h(
    "tr",
    {},
    cells(ATTEMPT_COLUMNS, [
      String(number),
      badge(attempt.status),
      time(attempt.started_at),
      time(attempt.finished_at),
      h("span", { class: "mono wrap" }, attempt.http?.request?.url ?? "—"),
      responseCode(attempt),
      attempt.detail ?? (errors.length ? errors.join(", ") : "—"),
    ]),
  );
}

function responseCode(attempt) {
  return String(attempt.http?.response?.status ?? "none");
}
