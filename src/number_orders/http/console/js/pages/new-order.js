// New order: search the available numbers, pick some, reserve them if wanted, order them.
import { api } from "../api.js";
import { badge, cells, errorBox, field, h, notice, select, table } from "../dom.js";

const FEATURES = ["sms", "mms", "voice", "fax", "emergency", "hd_voice", "international_sms", "local_calling"];
const TYPES = [["", "Any"], ["local", "local"], ["toll_free", "toll free"], ["mobile", "mobile"], ["national", "national"], ["shared_cost", "shared cost"]];
const COLUMNS = ["Pick", "Phone number", "Region", "Cost", "Features", "Reservable"];

export function newOrderPage(main) {
  document.title = "New order · number-orders console";
  const search = {
    country: h("input", { type: "text", name: "country_code", value: "US", maxlength: "2", autocomplete: "off", class: "short" }),
    locality: h("input", { type: "text", name: "locality", autocomplete: "off" }),
    ndc: h("input", { type: "text", name: "national_destination_code", inputmode: "numeric", autocomplete: "off", class: "short" }),
    type: select("phone_number_type", TYPES, ""),
    limit: h("input", { type: "number", name: "limit", min: "1", max: "1000", value: "20", class: "short" }),
  };
  const features = FEATURES.map((name) => h("input", { type: "checkbox", name: "features", value: name }));
  const found = h("section", { "aria-labelledby": "found-heading", "aria-live": "polite" });
  const picked = new Set();
  const reference = h("input", { type: "text", name: "customer_reference", autocomplete: "off" });
  const outcome = h("div", { class: "outcome", "aria-live": "polite" });
  const reserveButton = h("button", { type: "button", class: "secondary", onclick: () => reserve() }, "Reserve picked");
  const orderButton = h("button", { type: "button", onclick: () => order() }, "Order picked");
  const pickedCount = h("span", { class: "picked" });

  function refreshPicked() {
    pickedCount.textContent = `${picked.size} picked`;
    reserveButton.disabled = orderButton.disabled = picked.size === 0;
  }

  async function find(event) {
    event.preventDefault();
    picked.clear();
    refreshPicked();
    found.replaceChildren(notice("Searching…"));
    const chosen = features.filter((f) => f.checked).map((f) => f.value);
    try {
      const { data = [] } = await api.get("/v2/available_phone_numbers", {
        "filter[country_code]": search.country.value.trim().toUpperCase(),
        "filter[locality]": search.locality.value.trim(),
        "filter[national_destination_code]": search.ndc.value.trim(),
        "filter[phone_number_type]": search.type.value,
        "filter[features]": chosen.join(","),
        "filter[limit]": search.limit.value.trim(),
      });
      found.replaceChildren(
        h("h2", { id: "found-heading" }, `${data.length} available number${data.length === 1 ? "" : "s"}`),
        data.length ? table("Available numbers", COLUMNS, data.map(resultRow)) : h("p", { class: "empty" }, "Nothing available matches this search."),
      );
    } catch (error) {
      found.replaceChildren(h("h2", { id: "found-heading" }, "Available numbers"), errorBox(error, "Could not search."));
    }
  }

  function resultRow(number) {
    const box = h("input", {
      type: "checkbox", value: number.phone_number, "aria-label": `Pick ${number.phone_number}`,
      onchange: () => {
        if (box.checked) picked.add(number.phone_number);
        else picked.delete(number.phone_number);
        refreshPicked();
      },
    });
    const region = (number.region_information ?? []).map((r) => r.region_name).filter(Boolean).join(", ");
    const cost = number.cost_information
      ? `${number.cost_information.upfront_cost ?? "?"} + ${number.cost_information.monthly_cost ?? "?"}/month ${number.cost_information.currency ?? ""}`
      : "—";
    return h("tr", { dataset: { phoneNumber: number.phone_number } }, cells(COLUMNS, [
      box,
      h("span", { class: "mono" }, number.phone_number),
      region || "—",
      cost,
      (number.features ?? []).map((f) => f.name ?? f).join(", ") || "—",
      number.reservable ? "yes" : "no",
    ]));
  }

  function body() {
    const wanted = { phone_numbers: [...picked].map((phone_number) => ({ phone_number })) };
    if (reference.value.trim()) wanted.customer_reference = reference.value.trim();
    return wanted;
  }

  async function reserve() {
    outcome.replaceChildren(notice("Reserving…"));
    try {
      const { data } = await api.post("/v2/number_reservations", body());
      outcome.replaceChildren(h("div", { class: "card", role: "status" },
        h("p", {}, "Reservation ", h("span", { class: "mono" }, data.id), " ", badge(data.status)),
        h("ul", { class: "plain" }, (data.phone_numbers ?? []).map((n) =>
          h("li", {}, h("span", { class: "mono" }, n.phone_number), " ", badge(n.status), n.expired_at ? ` until ${new Date(n.expired_at).toLocaleString()}` : "", n.errors ? ` — ${n.errors}` : ""))),
      ));
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Not reserved."));
    }
  }

  async function order() {
    outcome.replaceChildren(notice("Ordering…"));
    try {
      const { data } = await api.post("/v2/number_orders", body());
      outcome.replaceChildren(h("div", { class: "card", role: "status" },
        h("p", {}, "Ordered: ", h("a", { href: `/console/orders/${encodeURIComponent(data.id)}` }, `order ${data.id}`), " ", badge(data.status),
          ` with ${data.phone_numbers_count} number${data.phone_numbers_count === 1 ? "" : "s"}.`)));
    } catch (error) {
      outcome.replaceChildren(errorBox(error, "Not ordered."));
    }
  }

  main.append(
    h("h1", { tabindex: "-1" }, "New order"),
    h("form", { class: "filters", role: "search", "aria-label": "Search available numbers", onsubmit: find },
      field("Country", search.country, "ISO code, e.g. US"),
      field("Locality", search.locality, "City, e.g. Chicago"),
      field("Area code", search.ndc),
      field("Number type", search.type),
      field("How many", search.limit),
      h("fieldset", { class: "features" }, h("legend", {}, "Features"),
        features.map((box) => h("label", { class: "check" }, box, ` ${box.value.replaceAll("_", " ")}`))),
      h("div", { class: "field actions" }, h("button", { type: "submit" }, "Search")),
    ),
    found,
    h("section", { class: "card order-bar", "aria-label": "Order the picked numbers" },
      pickedCount,
      field("Customer reference", reference, "Optional"),
      h("div", { class: "actions" }, reserveButton, orderButton),
    ),
    outcome,
  );
  refreshPicked();
  return null;
}
