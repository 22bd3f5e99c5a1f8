// One order: its numbers (status, type, requirements, deadline), a form that supplies
// requirement values (PATCH), its sub orders and its webhook events. While the worker
// still has something to do, the page refreshes itself.
import { ApiError, api } from "../api.js";
import { badge, cells, errorBox, field, h, notice, table, time, yesNo } from "../dom.js";
import { deliveryCard } from "../deliveries.js";

const NUMBER_COLUMNS = ["Phone number", "Status", "Type", "Country", "Requirements", "Requirements status", "Deadline"];
const SUB_COLUMNS = ["Sub order", "Country", "Type", "Numbers", "Status", "Requirements met"];
const POLL_MS = 1000;
const DEADLINES_AT_MOST = 25; // per-number lookups on one page view

export function orderPage(main, { id }) {
  document.title = `Order ${id} · number-orders console`;
  const path = `/v2/number_orders/${encodeURIComponent(id)}`;
  const summary = h("section", { class: "summary", "aria-live": "polite" }, notice("Loading the order…"));
  const numbers = h("section", { "aria-labelledby": "numbers-heading" });
  const form = h("section", { "aria-labelledby": "requirements-heading" });
  const subOrders = h("section", { "aria-labelledby": "sub-orders-heading" });
  const events = h("section", { "aria-labelledby": "events-heading" });
  let timer = null;
  let shownStatus = null;
  let saved = false; // a save's outcome follows the order until it settles
  let left = false;

  async function load() {
    let order;
    try {
      order = (await api.get(path)).data;
    } catch (error) {
      if (left) return;
      summary.replaceChildren(errorBox(error, "Could not load the order."));
      for (const part of [numbers, form, subOrders, events]) part.replaceChildren();
      return;
    }
    if (left) return;
    show(order);
  }

  function show(order) {
    const first = shownStatus === null;
    const changed = shownStatus !== order.status;
    shownStatus = order.status;
    showSummary(summary, order);
    showNumbers(numbers, order);
    if (first) {
      showForm(form, order, (updated) => {
        saved = true;
        show(updated);
      });
      showSubOrders(subOrders, order);
    }
    if (saved) {
      const met = order.requirements_met ? "yes" : "no";
      form.querySelector(".outcome").replaceChildren(notice(`Saved. The order is ${order.status}; requirements met: ${met}.`));
    }
    if (first || changed) showEvents(events, order.id);
    schedule(order);
  }

  // The worker settles pending numbers whose requirements are in; look again until then.
  function schedule(order) {
    clearTimeout(timer);
    const waiting = (order.phone_numbers ?? []).some(
      (n) => n.status === "pending" && (n.requirements_met || n.requirements_status === "requirement-info-under-review"),
    );
    if (waiting && !left) timer = setTimeout(load, POLL_MS);
  }

  main.append(
    h("p", { class: "crumbs" }, h("a", { href: "/console/orders" }, "← All orders")),
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Order ", h("span", { class: "mono" }, id)),
      h("button", { type: "button", class: "secondary", onclick: () => load() }, "Refresh")),
    summary, numbers, form, subOrders, events,
  );
  load();
  return () => {
    left = true;
    clearTimeout(timer);
  };
}

function showSummary(section, order) {
  const facts = [
    ["Status", badge(order.status)],
    ["Requirements met", yesNo(order.requirements_met)],
    ["Numbers", String(order.phone_numbers_count)],
    ["Customer reference", order.customer_reference ?? "—"],
    ["Created", time(order.created_at)],
    ["Updated", time(order.updated_at)],
  ];
  section.replaceChildren(h("dl", { class: "facts" }, facts.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v)))));
}

function showNumbers(section, order) {
  const list = order.phone_numbers ?? [];
  const deadlines = new Map();
  const rows = list.map((n) => {
    const deadline = h("span", {}, n.deadline ? time(n.deadline) : "—");
    deadlines.set(n.id, deadline);
    return h("tr", { dataset: { numberId: n.id } }, cells(NUMBER_COLUMNS, [
      h("span", { class: "mono" }, n.phone_number),
      badge(n.status),
      n.phone_number_type ?? "—",
      n.country_code ?? "—",
      requirementList(n.regulatory_requirements ?? []),
      n.requirements_status ? badge(n.requirements_status) : "—",
      deadline,
    ]));
  });
  section.replaceChildren(
    h("h2", { id: "numbers-heading" }, "Numbers"),
    rows.length ? table("Numbers of this order", NUMBER_COLUMNS, rows) : h("p", { class: "empty" }, "No numbers."),
  );
  fillDeadlines(list, deadlines);
}

function requirementList(requirements) {
  if (!requirements.length) return "none";
  return h("ul", { class: "plain" }, requirements.map((r) =>
    h("li", {}, `${r.field_type}: `, r.field_value ? h("span", { class: "mono" }, r.field_value) : h("em", {}, "missing"))));
}

// A pending number's deadline comes from its own resource, /v2/number_order_phone_numbers.
async function fillDeadlines(list, cellsById) {
  const pending = list.filter((n) => n.status === "pending" && !n.deadline).slice(0, DEADLINES_AT_MOST);
  await Promise.all(pending.map(async (n) => {
    try {
      const { data } = await api.get(`/v2/number_order_phone_numbers/${encodeURIComponent(n.id)}`);
      if (data?.deadline) cellsById.get(n.id).replaceChildren(time(data.deadline));
    } catch (error) {
      cellsById.get(n.id).replaceChildren(h("span", { class: "muted", title: error.message }, "not available"));
    }
  }));
}

// One field per requirement of the order: a requirement id names one requirement of a
// country, and one value satisfies it on every number that has it.
function showForm(section, order, onSaved) {
  const requirements = new Map();
  for (const number of order.phone_numbers ?? []) {
    for (const r of number.regulatory_requirements ?? []) {
      const entry = requirements.get(r.requirement_id) ?? { ...r, countries: new Set(), numbers: 0 };
      entry.countries.add(number.country_code);
      entry.numbers += 1;
      entry.field_value ??= r.field_value;
      requirements.set(r.requirement_id, entry);
    }
  }
  const inputs = [...requirements.values()].map((r) => ({
    requirement: r,
    input: h("input", { type: "text", name: r.requirement_id, value: r.field_value, autocomplete: "off" }),
  }));
  const reference = h("input", { type: "text", name: "customer_reference", value: order.customer_reference, autocomplete: "off" });
  const submit = h("button", { type: "submit" }, "Save");
  const outcome = h("div", { class: "outcome" });

  async function save(event) {
    event.preventDefault();
    const body = {};
    const values = inputs.filter(({ input, requirement }) => input.value.trim() && input.value.trim() !== (requirement.field_value ?? ""))
      .map(({ input, requirement }) => ({ requirement_id: requirement.requirement_id, field_value: input.value.trim() }));
    if (values.length) body.regulatory_requirements = values;
    if (reference.value.trim() !== (order.customer_reference ?? "")) body.customer_reference = reference.value.trim();
    if (!Object.keys(body).length) {
      outcome.replaceChildren(notice("Nothing to save: no value was changed."));
      return;
    }
    submit.disabled = true;
    try {
      const updated = (await api.patch(`/v2/number_orders/${encodeURIComponent(order.id)}`, body)).data;
      for (const { input, requirement } of inputs) requirement.field_value = input.value.trim() || requirement.field_value;
      order.customer_reference = updated.customer_reference;
      onSaved(updated);
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Not saved."));
    } finally {
      submit.disabled = false;
    }
  }

  section.replaceChildren(
    h("h2", { id: "requirements-heading" }, inputs.length ? "Requirements and reference" : "Customer reference"),
    h("form", { class: "card update", onsubmit: save },
      inputs.length
        ? h("p", {}, "Supply a value for each requirement; the numbers complete once it is approved.")
        : null,
      inputs.map(({ requirement, input }) => field(
        `${capitalise(requirement.field_type)} for ${[...requirement.countries].join(", ")} numbers`,
        input,
        `Requirement ${requirement.requirement_id}, on ${requirement.numbers} number${requirement.numbers === 1 ? "" : "s"}`,
      )),
      field("Customer reference", reference),
      h("div", { class: "actions" }, submit),
      outcome,
    ),
  );
}

const capitalise = (text) => String(text ?? "value").replace(/^./, (c) => c.toUpperCase()).replaceAll("_", " ");

async function showSubOrders(section, order) {
  const ids = order.sub_number_orders_ids ?? [];
  const heading = h("h2", { id: "sub-orders-heading" }, "Sub orders");
  if (!ids.length) {
    section.replaceChildren(heading, h("p", { class: "empty" }, "No sub orders."));
    return;
  }
  section.replaceChildren(heading, notice("Loading sub orders…"));
  const found = await Promise.all(ids.map(async (id) => {
    try {
      return { id, sub: (await api.get(`/v2/sub_number_orders/${encodeURIComponent(id)}`)).data };
    } catch (error) {
      return { id, error };
    }
  }));
  const rows = found.map(({ id, sub, error }) => h("tr", { dataset: { subOrderId: id } },
    sub
      ? cells(SUB_COLUMNS, [h("span", { class: "mono" }, id), sub.country_code ?? "—", sub.phone_number_type ?? "—",
        String(sub.phone_numbers_count ?? "—"), badge(sub.status), yesNo(sub.requirements_met)])
      : [h("td", { "data-label": SUB_COLUMNS[0] }, h("span", { class: "mono" }, id)),
        h("td", { colspan: String(SUB_COLUMNS.length - 1), class: "muted" }, unavailable(error))],
  ));
  section.replaceChildren(heading, table("Sub orders of this order", SUB_COLUMNS, rows));
}

// An endpoint that is not there yet answers 404: say so plainly, with the API's words.
function unavailable(error) {
  const words = error.problems?.[0]?.detail ?? error.message;
  return error instanceof ApiError && error.status === 404 ? `Not available: ${words}` : `Could not load: ${words}`;
}

async function showEvents(section, orderId) {
  const heading = h("h2", { id: "events-heading" }, "Webhook events");
  try {
    const { data = [] } = await api.get("/v2/webhook_deliveries", { "filter[webhook][contains]": orderId });
    section.replaceChildren(heading, data.length
      ? h("div", { class: "deliveries" }, data.map((d) => deliveryCard(d)))
      : h("p", { class: "empty" }, "No webhook events for this order yet."));
  } catch (error) {
    section.replaceChildren(heading, h("p", { class: "muted", role: "status" }, unavailable(error)));
  }
}
