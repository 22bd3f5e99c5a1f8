// Owned numbers: the account's phone numbers with the API's filters and paging; edit
// tags and customer reference, or release a number.
import { api } from "../api.js";
import { badge, cells, errorBox, field, h, notice, table, time } from "../dom.js";
import { pagedList, selectFilter, textFilter } from "../listing.js";

const STATUSES = ["active", "purchase-pending", "purchase-failed", "port-pending", "port-failed", "deleted",
  "emergency-only", "ported-out", "port-out-pending", "requirement-info-pending",
  "requirement-info-under-review", "requirement-info-exception", "provision-pending"];
const COLUMNS = ["Phone number", "Status", "Type", "Country", "Tags", "Customer reference", "Purchased", "Actions"];

export function numbersPage(main) {
  document.title = "Numbers · number-orders console";
  const { form, results, list } = pagedList({
    path: "/v2/phone_numbers",
    noun: "numbers",
    filters: [
      { name: "phone_number", label: "Phone number", param: "filter[phone_number]", control: textFilter("phone_number"), typed: true, hint: "Digits, partial match" },
      { name: "status", label: "Status", param: "filter[status]", control: selectFilter("status", STATUSES) },
      { name: "tag", label: "Tag", param: "filter[tag]", control: textFilter("tag"), typed: true },
      { name: "country", label: "Country", param: "filter[country_iso_alpha2]", control: textFilter("country"), typed: true, hint: "ISO code, e.g. GB" },
      { name: "reference", label: "Customer reference", param: "filter[customer_reference]", control: textFilter("reference"), typed: true },
    ],
    show: (data, reload) => table("Owned numbers", COLUMNS, data.map((n) => numberRow(n, reload))),
  });
  main.append(h("h1", { tabindex: "-1" }, "Numbers"), form, results);
  list();
  return null;
}

function numberRow(number, reload) {
  const path = `/v2/phone_numbers/${encodeURIComponent(number.id)}`;
  const actions = h("div", { class: "row-actions" });
  const row = h("tr", { dataset: { phoneNumberId: String(number.id) } }, cells(COLUMNS, [
    h("span", { class: "mono" }, number.phone_number),
    badge(number.status),
    number.phone_number_type ?? "—",
    number.country_iso_alpha2 ?? "—",
    (number.tags ?? []).length ? h("span", { class: "tags" }, number.tags.map((t) => h("span", { class: "tag" }, t))) : "—",
    number.customer_reference ?? "—",
    time(number.purchased_at),
    actions,
  ]));

  function idle() {
    actions.replaceChildren(
      h("button", { type: "button", class: "secondary", onclick: edit }, "Edit"),
      h("button", { type: "button", class: "danger", onclick: confirmRelease }, "Release"),
    );
  }

  function edit() {
    const tags = h("input", { type: "text", value: (number.tags ?? []).join(", "), autocomplete: "off" });
    const reference = h("input", { type: "text", value: number.customer_reference ?? "", autocomplete: "off" });
    const outcome = h("div", { class: "outcome" });
    actions.replaceChildren(h("form", {
      class: "inline-edit",
      onsubmit: async (event) => {
        event.preventDefault();
        const body = {
          tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
          customer_reference: reference.value.trim(),
        };
        try {
          await api.patch(path, body);
          reload();
        } catch (error) {
          outcome.replaceChildren(errorBox(error, "Not saved."));
        }
      },
    },
    field(`Tags of ${number.phone_number}`, tags, "Comma-separated"),
    field(`Customer reference of ${number.phone_number}`, reference),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save"), h("button", { type: "button", class: "secondary", onclick: idle }, "Cancel")),
    outcome));
    tags.focus();
  }

  function confirmRelease() {
    const outcome = h("div", { class: "outcome" });
    const yes = h("button", {
      type: "button",
      class: "danger",
      onclick: async () => {
        yes.disabled = true;
        try {
          const { data } = await api.delete(path);
          actions.replaceChildren(notice(`Released (${data?.status ?? "deleted"}).`));
          setTimeout(reload, 800);
        } catch (error) {
          yes.disabled = false;
          outcome.replaceChildren(errorBox(error, "Not released."));
        }
      },
    }, `Release ${number.phone_number}`);
    actions.replaceChildren(h("p", {}, "The number goes back to the inventory."), yes,
      h("button", { type: "button", class: "secondary", onclick: idle }, "Keep it"), outcome);
    yes.focus();
  }

  idle();
  return row;
}
