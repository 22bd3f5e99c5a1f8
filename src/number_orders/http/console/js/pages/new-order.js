// New order: search the available numbers, pick some (picks survive another search), reserve
// them if wanted, order them, then open the new order. The search lives in the URL.
import { api } from "../api.js";
import { badge, cells, errorBox, field, h, latest, notice, select, table, time } from "../dom.js";
import { currentQuery, navigate, setQuery } from "../router.js";

const FEATURES = ["sms", "mms", "voice", "fax", "emergency", "hd_voice", "international_sms", "local_calling"];
const TYPES = [["", "Any"], ["local", "local"], ["toll_free", "toll free"], ["mobile", "mobile"], ["national", "national"], ["shared_cost", "shared cost"]];
const COLUMNS = ["Pick", "Phone number", "Region", "Cost", "Features", "Reservable"];
// The console's names for the search in the URL, and the API's.
const PARAMS = {
  country: "filter[country_code]",
  locality: "filter[locality]",
  area: "filter[national_destination_code]",
  digits: "filter[phone_number][contains]",
  type: "filter[phone_number_type]",
  features: "filter[features]",
  limit: "filter[limit]",
};

export function newOrderPage(main) {
  document.title = "New order · number-orders console";
  const state = currentQuery();
  const text = (name, { value, ...props } = {}) =>
    h("input", { type: "text", name, value: state[name] ?? value, autocomplete: "off", ...props });
  const search = {
    country: text("country", { value: "US", maxlength: "2", class: "short", autocapitalize: "characters" }),
    locality: text("locality"),
    area: text("area", { inputmode: "numeric", class: "short" }),
    digits: text("digits", { inputmode: "numeric", class: "short" }),
    type: select("type", TYPES, state.type ?? ""),
    limit: h("input", { type: "number", name: "limit", min: "1", max: "1000", value: state.limit ?? "20", class: "short" }),
  };
  const wanted = new Set((state.features ?? "").split(",").filter(Boolean));
  const features = FEATURES.map((name) => h("input", { type: "checkbox", name: "features", value: name, checked: wanted.has(name) }));
  const found = h("section", { class: "results", "aria-labelledby": "found-heading", "aria-live": "polite" });
  const basket = picks();
  const isCurrent = latest(); // an older search's answer must not replace a newer one's

  function chosen() {
    const values = Object.fromEntries(Object.entries(search).map(([name, c]) => [name, c.value.trim()]));
    values.country = values.country.toUpperCase();
    values.features = features.filter((f) => f.checked).map((f) => f.value).join(",");
    return values;
  }

  async function find(event) {
    event?.preventDefault();
    const values = chosen();
    setQuery(values);
    found.setAttribute("aria-busy", "true");
    found.replaceChildren(notice("Searching…"));
    const query = Object.fromEntries(Object.entries(PARAMS).map(([name, param]) => [param, values[name]]));
    const stillCurrent = isCurrent();
    try {
      const { data = [] } = await api.get("/v2/available_phone_numbers", query);
      if (!stillCurrent()) return;
      found.replaceChildren(
        h("h2", { id: "found-heading" }, `${data.length} available number${data.length === 1 ? "" : "s"}`),
        data.length
          ? table("Available numbers", COLUMNS, data.map((n) => resultRow(n, basket)))
          : h("p", { class: "empty" }, "Nothing available matches this search."),
      );
    } catch (error) {
      if (stillCurrent()) found.replaceChildren(h("h2", { id: "found-heading" }, "Available numbers"), errorBox(error, "Could not search."));
    } finally {
      if (stillCurrent()) found.removeAttribute("aria-busy");
    }
  }

  main.append(
    h("h1", { tabindex: "-1" }, "New order"),
    h("form", { class: "filters", role: "search", "aria-label": "Search available numbers", onsubmit: find },
      field("Country", search.country, "ISO code, e.g. US"),
      field("Locality", search.locality, "City, e.g. Chicago"),
      field("Area code", search.area, "e.g. 312"),
      field("Digits in the number", search.digits),
      field("Number type", search.type),
      field("How many", search.limit, "1 to 1000"),
      h("fieldset", { class: "features" }, h("legend", {}, "Features (all of)"),
        features.map((box) => h("label", { class: "check" }, box, ` ${box.value.replaceAll("_", " ")}`))),
      h("div", { class: "field actions" }, h("button", { type: "submit" }, "Search")),
    ),
    found,
    basket.section,
  );
  find();
  return null;
}

function resultRow(number, basket) {
  const box = h("input", {
    type: "checkbox",
    value: number.phone_number,
    checked: basket.has(number.phone_number),
    "aria-label": `Pick ${number.phone_number}`,
    onchange: () => (box.checked ? basket.add(number.phone_number) : basket.remove(number.phone_number)),
  });
  basket.watch(number.phone_number, box);
  const regions = Object.fromEntries((number.region_information ?? []).map((r) => [r.region_type, r.region_name]));
  const region = [regions.location, regions.state].filter(Boolean).join(", ");
  return h("tr", { dataset: { phoneNumber: number.phone_number } }, cells(COLUMNS, [
    box,
    h("span", { class: "mono" }, number.phone_number),
    region || "—",
    cost(number.cost_information),
    (number.features ?? []).map((f) => (f.name ?? f).replaceAll("_", " ")).join(", ") || "—",
    h("span", { class: `badge ${number.reservable ? "good" : "wait"}` }, number.reservable ? "yes" : "no"),
  ]));
}

function cost(info) {
  if (!info) return "—";
  const currency = info.currency ?? "";
  return `${info.upfront_cost ?? "?"} ${currency} upfront, ${info.monthly_cost ?? "?"} ${currency} a month`;
}

// The picked numbers, whatever search showed them: reserve them, or order them.
function picks() {
  const picked = new Set();
  const boxes = new Map(); // phone number -> its checkbox in the current results
  const reference = h("input", { type: "text", name: "customer_reference", autocomplete: "off" });
  const count = h("p", { class: "picked", role: "status" });
  const list = h("ul", { class: "tags picked-list", "aria-label": "Picked numbers" });
  const outcome = h("div", { class: "outcome", "aria-live": "polite" });
  const reserveButton = h("button", { type: "button", class: "secondary", onclick: () => reserve() }, "Reserve picked");
  const orderButton = h("button", { type: "button", onclick: () => order() }, "Order picked");

  function refresh() {
    count.textContent = `${picked.size} picked`;
    reserveButton.disabled = orderButton.disabled = picked.size === 0;
    list.replaceChildren(...[...picked].map((n) => h("li", { class: "tag" }, h("span", { class: "mono" }, n), " ",
      h("button", { type: "button", class: "link", "aria-label": `Unpick ${n}`, onclick: () => remove(n) }, "✕"))));
  }

  function remove(phoneNumber) {
    picked.delete(phoneNumber);
    const box = boxes.get(phoneNumber);
    if (box?.isConnected) box.checked = false;
    refresh();
  }

  function body() {
    const wanted = { phone_numbers: [...picked].map((phone_number) => ({ phone_number })) };
    if (reference.value.trim()) wanted.customer_reference = reference.value.trim();
    return wanted;
  }

  async function busy(work) {
    reserveButton.disabled = orderButton.disabled = true;
    try {
      await work();
    } finally {
      refresh();
    }
  }

  const reserve = () => busy(async () => {
    outcome.replaceChildren(notice("Reserving…"));
    try {
      const { data } = await api.post("/v2/number_reservations", body());
      outcome.replaceChildren(reservationCard(data));
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Not reserved."));
    }
  });

  const order = () => busy(async () => {
    outcome.replaceChildren(notice("Ordering…"));
    try {
      const { data } = await api.post("/v2/number_orders", body());
      navigate(`/console/orders/${encodeURIComponent(data.id)}`);
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Not ordered."));
    }
  });

  const section = h("section", { class: "card order-bar", "aria-label": "Order the picked numbers" },
    h("div", { class: "picked-box" }, count, list),
    field("Customer reference", reference, "Optional; kept on the order or the reservation"),
    h("div", { class: "actions" }, reserveButton, orderButton),
    outcome,
  );
  refresh();
  return {
    section,
    has: (n) => picked.has(n),
    add: (n) => { picked.add(n); refresh(); },
    remove,
    watch: (n, box) => boxes.set(n, box),
  };
}

function reservationCard(reservation) {
  return h("div", { class: "card reservation", dataset: { reservationId: reservation.id } },
    h("p", {}, "Reservation ", h("a", { class: "mono", href: reservationsLink(reservation) }, reservation.id),
      " ", badge(reservation.status)),
    reservation.errors ? h("p", {}, reservation.errors) : null,
    h("ul", { class: "plain" }, (reservation.phone_numbers ?? []).map((n) =>
      h("li", { dataset: { phoneNumber: n.phone_number } }, h("span", { class: "mono" }, n.phone_number), " ", badge(n.status),
        n.errors ? ` ${n.errors}` : n.expired_at ? [" held until ", time(n.expired_at)] : ""))),
    h("p", { class: "hint" }, "Order them before then and the order takes them over."),
  );
}

// The Reservations page, filtered to this reservation's first number.
function reservationsLink(reservation) {
  const first = reservation.phone_numbers?.[0]?.phone_number;
  return first ? `/console/reservations?phone_number=${encodeURIComponent(first)}` : "/console/reservations";
}
