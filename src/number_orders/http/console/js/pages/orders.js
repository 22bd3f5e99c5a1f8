// Orders: the API's list with its five filters and its paging, newest first. Every
// filter re-lists as soon as it changes; the filters and the page live in the URL.
import { api } from "../api.js";
import {
  PAGE_SIZES, badge, cells, debounce, errorBox, field, foldable, h, latest, pager, select, table, time, yesNo,
} from "../dom.js";
import { currentQuery, navigate, setQuery } from "../router.js";

const COLUMNS = ["Created", "Status", "Numbers", "Requirements met", "Customer reference", "Order"];

export function ordersPage(main) {
  document.title = "Orders · number-orders console";
  const state = currentQuery();
  const controls = {
    status: select("status", [["", "Any"], ["pending", "pending"], ["success", "success"], ["failure", "failure"]], state.status ?? ""),
    requirements_met: select("requirements_met", [["", "Any"], ["true", "yes"], ["false", "no"]], state.requirements_met ?? ""),
    created_after: h("input", { type: "datetime-local", name: "created_after", value: state.created_after }),
    created_before: h("input", { type: "datetime-local", name: "created_before", value: state.created_before }),
    count: h("input", { type: "number", name: "count", min: "0", step: "1", inputmode: "numeric", value: state.count }),
    reference: h("input", { type: "search", name: "reference", value: state.reference }),
    size: select("size", PAGE_SIZES, state.size ?? "20"),
  };
  const results = h("section", { class: "results", "aria-label": "Orders found", "aria-live": "polite" });
  const isCurrent = latest();

  function values() {
    return Object.fromEntries(Object.entries(controls).map(([name, c]) => [name, c.value.trim()]));
  }

  function refilter() {
    state.page = "1";
    list();
  }

  async function list() {
    const chosen = { ...values(), page: state.page };
    setQuery({ ...chosen, size: chosen.size === "20" ? "" : chosen.size, page: chosen.page === "1" ? "" : chosen.page });
    const stillCurrent = isCurrent();
    results.setAttribute("aria-busy", "true");
    try {
      const body = await api.get("/v2/number_orders", apiQuery(chosen));
      if (stillCurrent()) showPage(body);
    } catch (error) {
      if (stillCurrent()) results.replaceChildren(errorBox(error, "Could not list the orders."));
    } finally {
      if (stillCurrent()) results.removeAttribute("aria-busy");
    }
  }

  function showPage({ data = [], meta = {} }) {
    const goTo = (page) => {
      state.page = String(page);
      list();
    };
    const rows = data.map((order) => orderRow(order));
    results.replaceChildren(
      pager(meta, "orders", goTo),
      rows.length ? table("Orders, newest first", COLUMNS, rows) : h("p", { class: "empty" }, "No orders match these filters."),
    );
  }

  for (const control of [controls.status, controls.requirements_met, controls.size, controls.created_after, controls.created_before]) {
    control.addEventListener("change", refilter);
  }
  const typed = debounce(refilter);
  for (const control of [controls.count, controls.reference]) {
    control.addEventListener("input", typed);
  }

  const clear = h("button", {
    type: "button",
    class: "secondary",
    onclick: () => {
      for (const [name, control] of Object.entries(controls)) control.value = name === "size" ? "20" : "";
      refilter();
    },
  }, "Clear filters");

  main.append(
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Orders"), h("a", { class: "button", href: "/console/new" }, "New order")),
    foldable("Filters", h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter orders", onsubmit: (e) => { e.preventDefault(); refilter(); } },
      field("Status", controls.status),
      field("Requirements met", controls.requirements_met),
      field("Created after", controls.created_after),
      field("Created before", controls.created_before),
      field("Numbers in the order", controls.count),
      field("Customer reference", controls.reference, "Exact match"),
      field("Per page", controls.size),
      h("div", { class: "field actions" }, clear),
    ), Object.keys(state).some((k) => k !== "page" && k !== "size")),
    results,
  );
  state.page ??= "1";
  list();
  return null;
}

// The console's filter values as the API's parameters.
function apiQuery(chosen) {
  return {
    "filter[status]": chosen.status,
    "filter[requirements_met]": chosen.requirements_met,
    "filter[created_at][gt]": isoOrEmpty(chosen.created_after),
    "filter[created_at][lt]": isoOrEmpty(chosen.created_before),
    "filter[phone_numbers_count]": chosen.count,
    "filter[customer_reference]": chosen.reference,
    "page[number]": chosen.page,
    "page[size]": chosen.size,
  };
}

// datetime-local is the reader's local time; the API takes RFC 3339.
function isoOrEmpty(local) {
  if (!local) return "";
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

function orderRow(order) {
  const href = `/console/orders/${encodeURIComponent(order.id)}`;
  const row = h(
    "tr",
    { dataset: { orderId: order.id }, class: "clickable" },
    cells(COLUMNS, [
      time(order.created_at),
      badge(order.status),
      String(order.phone_numbers_count),
      yesNo(order.requirements_met),
      order.customer_reference ?? "—",
      h("a", { href, class: "mono", title: order.id, "aria-label": `Order ${order.id}` }, order.id.slice(0, 8)),
    ]),
  );
  // The whole row opens the order for a pointer; the link does it for the keyboard.
  row.addEventListener("click", (event) => {
    if (!event.target.closest("a") && !window.getSelection()?.toString()) navigate(href);
  });
  return row;
}
