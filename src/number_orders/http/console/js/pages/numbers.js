// Owned numbers: the account's phone numbers with the API's filters, sort and paging; edit
// a number's tags and customer reference, or release it (after a confirmation).
import { api } from "../api.js";
import { badge, cells, errorBox, field, h, notice, select, table, time } from "../dom.js";
import { pagedList, selectFilter, textFilter } from "../listing.js";

// The API's filter[status] values (GET /phone_numbers).
const STATUSES = ["active", "purchase-pending", "purchase-failed", "port-pending", "port-failed", "deleted",
  "emergency-only", "ported-out", "port-out-pending"];
const TYPES = ["local", "toll_free", "mobile", "national", "shared_cost"];
const SORTS = [["", "Newest purchase first"], ["phone_number", "Phone number"]];
const COLUMNS = ["Phone number", "Status", "Type", "Country", "Tags", "Customer reference", "Purchased", "Actions"];

export function numbersPage(main) {
  document.title = "Numbers · number-orders console";
  const { form, results, list } = pagedList({
    path: "/v2/phone_numbers",
    noun: "numbers",
    filters: [
      { name: "phone_number", label: "Phone number", param: "filter[phone_number]", typed: true, hint: "3 or more digits, anywhere in the number",
        control: textFilter("phone_number", "\\+?[0-9]{3,}", "3 or more digits") },
      { name: "status", label: "Status", param: "filter[status]", control: selectFilter("status", STATUSES) },
      { name: "tag", label: "Tag", param: "filter[tag]", control: textFilter("tag"), typed: true },
      { name: "country", label: "Country", param: "filter[country_iso_alpha2]", typed: true, hint: "ISO code, e.g. GB",
        control: textFilter("country", "[A-Za-z]{2}", "Two letters") },
      { name: "reference", label: "Customer reference", param: "filter[customer_reference]", control: textFilter("reference"), typed: true },
      { name: "type", label: "Number type", param: "filter[number_type][eq]", control: selectFilter("type", TYPES) },
      { name: "sort", label: "Order", param: "sort", control: (value) => select("sort", SORTS, value ?? "") },
    ],
    show: (data, reload) => table("Owned numbers", COLUMNS, data.map((n) => numberRow(n, reload))),
  });
  main.append(h("h1", { tabindex: "-1" }, "Numbers"), form, results);
  list();
  return null;
}

function numberRow(number, reload, said) {
  const path = `/v2/phone_numbers/${encodeURIComponent(number.id)}`;
  const actions = h("div", { class: "row-actions" });
  const tags = number.tags ?? [];
  const row = h("tr", { dataset: { phoneNumberId: String(number.id), phoneNumber: number.phone_number } }, cells(COLUMNS, [
    h("span", { class: "mono" }, number.phone_number),
    badge(number.status),
    (number.phone_number_type ?? "—").replaceAll("_", " "),
    number.country_iso_alpha2 ?? "—",
    tags.length ? h("ul", { class: "tags", "aria-label": "Tags" }, tags.map((t) => h("li", { class: "tag" }, t))) : "—",
    number.customer_reference ?? "—",
    time(number.purchased_at),
    actions,
  ]));

  function idle(text) {
    const editButton = h("button", { type: "button", class: "secondary", onclick: edit, "aria-label": `Edit ${number.phone_number}` }, "Edit");
    actions.replaceChildren(
      editButton,
      h("button", { type: "button", class: "danger", onclick: confirmRelease, "aria-label": `Release ${number.phone_number}` }, "Release"),
      text ? notice(text) : null,
    );
    return editButton;
  }

  function edit() {
    const tagsInput = h("input", { type: "text", value: tags.join(", "), autocomplete: "off" });
    const reference = h("input", { type: "text", value: number.customer_reference ?? "", autocomplete: "off" });
    const outcome = h("div", { class: "outcome" });
    const save = h("button", { type: "submit" }, "Save");
    actions.replaceChildren(h("form", {
      class: "inline-edit",
      onsubmit: async (event) => {
        event.preventDefault();
        save.disabled = true;
        const body = {
          tags: tagsInput.value.split(",").map((t) => t.trim()).filter(Boolean),
          customer_reference: reference.value.trim() || null, // empty clears it
        };
        try {
          const { data } = await api.patch(path, body);
          const updated = numberRow(data, reload, "Saved.");
          row.replaceWith(updated);
          updated.querySelector("button")?.focus();
        } catch (error) {
          save.disabled = false;
          outcome.replaceChildren(errorBox(error, "Not saved."));
        }
      },
    },
    field(`Tags of ${number.phone_number}`, tagsInput, "Separated by commas"),
    field(`Customer reference of ${number.phone_number}`, reference, "Empty clears it"),
    h("div", { class: "actions" }, save, h("button", { type: "button", class: "secondary", onclick: () => idle().focus() }, "Cancel")),
    outcome));
    tagsInput.focus();
  }

  function confirmRelease() {
    const outcome = h("div", { class: "outcome" });
    const yes = h("button", {
      type: "button",
      class: "danger",
      onclick: async () => {
        yes.disabled = true;
        try {
          await api.delete(path);
          actions.replaceChildren(notice(`Released ${number.phone_number}.`));
          row.classList.add("gone");
          setTimeout(reload, 1200); // long enough to read, then the list as the API has it
        } catch (error) {
          yes.disabled = false;
          outcome.replaceChildren(errorBox(error, "Not released."));
        }
      },
    }, `Yes, release ${number.phone_number}`);
    actions.replaceChildren(h("div", { class: "confirm", role: "group", "aria-label": "Confirm release" },
      h("p", {}, "Release this number? It stops being yours and goes back to the inventory."),
      h("div", { class: "actions" }, yes, h("button", { type: "button", class: "secondary", onclick: () => idle().focus() }, "Keep it")),
      outcome));
    yes.focus();
  }

  idle(said);
  return row;
}
