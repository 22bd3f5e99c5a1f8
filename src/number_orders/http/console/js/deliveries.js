// Webhook deliveries (events and their attempts), shown alike on an order's page and on
// the Webhook events page, with the API's redeliver action.
import { api } from "./api.js";
import { badge, cells, errorBox, h, notice, table, time } from "./dom.js";

const ATTEMPT_COLUMNS = ["Attempt", "Status", "Started", "Finished", "URL", "Response", "Errors"];

export function deliveryCard(delivery, onChanged) {
  // Oldest first, numbered from 1, whatever order the API lists them in.
  const attempts = [...(delivery.attempts ?? [])].sort((a, b) =>
    String(a.started_at ?? "").localeCompare(String(b.started_at ?? "")),
  );
  const last = attempts[attempts.length - 1];
  const outcome = h("div", { class: "outcome" });
  const redeliver = h("button", { type: "button", class: "secondary", onclick: () => redo() }, "Redeliver");

  async function redo() {
    redeliver.disabled = true;
    try {
      await api.post(`/v2/webhook_deliveries/${encodeURIComponent(delivery.id)}/actions/redeliver`);
      outcome.replaceChildren(notice("Queued for delivery again."));
      onChanged?.();
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Could not redeliver."));
    } finally {
      redeliver.disabled = false;
    }
  }

  const webhook = delivery.webhook ?? {};
  return h(
    "details",
    { class: "card delivery", dataset: { deliveryId: delivery.id } },
    h(
      "summary",
      {},
      h("span", { class: "event-type" }, webhook.event_type ?? "event"),
      badge(delivery.status),
      h("span", {}, `${attempts.length} attempt${attempts.length === 1 ? "" : "s"}`),
      last ? h("span", {}, `last response ${responseCode(last)}`) : null,
      time(webhook.occurred_at ?? delivery.started_at),
    ),
    h("p", { class: "meta" }, "Event ", h("code", {}, webhook.id ?? delivery.id), " · started ", time(delivery.started_at), " · finished ", time(delivery.finished_at)),
    attempts.length
      ? table("Delivery attempts", ATTEMPT_COLUMNS, attempts.map((attempt, i) => attemptRow(attempt, i + 1)))
      : h("p", { class: "empty" }, "No attempts yet."),
    h("div", { class: "actions" }, redeliver),
    outcome,
    webhook.payload ? h("details", { class: "payload" }, h("summary", {}, "Payload"), h("pre", {}, JSON.stringify(webhook.payload, null, 2))) : null,
  );
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
      errors.length ? errors.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ") : "—",
    ]),
  );
}

function responseCode(attempt) {
  return String(attempt.http?.response?.status ?? "none");
}
