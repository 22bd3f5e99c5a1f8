// Reservations: the account's number reservations, newest first, paged like the API, and
// extend one (every number it still holds, by the reservation time again).
import { api } from "../api.js";
import { badge, cells, errorBox, h, table, time } from "../dom.js";
import { pagedList, selectFilter, textFilter } from "../listing.js";

const COLUMNS = ["Created", "Status", "Numbers", "Customer reference", "Reservation", "Actions"];

export function reservationsPage(main) {
  document.title = "Reservations · number-orders console";
  const { form, results, list } = pagedList({
    path: "/v2/number_reservations",
    noun: "reservations",
    filters: [
      { name: "status", label: "Status", param: "filter[status]", control: selectFilter("status", ["pending", "success", "failure"]) },
      { name: "phone_number", label: "Phone number", param: "filter[phone_numbers.phone_number]", typed: true, hint: "The whole number, e.g. +13125550123",
        control: textFilter("phone_number", "\\+[0-9]{8,15}", "+ and the whole number in E.164") },
      { name: "reference", label: "Customer reference", param: "filter[customer_reference]", control: textFilter("reference"), typed: true },
    ],
    show: (data) => table("Reservations, newest first", COLUMNS, data.map((r) => reservationRow(r))),
  });
  main.append(h("h1", { tabindex: "-1" }, "Reservations"), form, results);
  list();
  return null;
}

// A number is held while its hold ends in the future; the API keeps `success` after that.
// (The reader's clock only words the hint: whether anything is held is the API's to say.)
const heldNow = (n) => n.status === "success" && n.expired_at && Date.parse(n.expired_at) > Date.now();

function reservationRow(reservation, said) {
  const outcome = h("div", { class: "outcome" });
  const extend = h("button", {
    type: "button",
    class: "secondary",
    "aria-label": `Extend reservation ${reservation.id}`,
    onclick: async () => {
      extend.disabled = true;
      try {
        const { data } = await api.post(`/v2/number_reservations/${encodeURIComponent(reservation.id)}/actions/extend`);
        const until = (data.phone_numbers ?? []).filter(heldNow).map((n) => n.expired_at).sort().pop();
        const updated = reservationRow(data, until ? ["Extended: held until ", time(until), "."] : "Extended.");
        row.replaceWith(updated);
        updated.querySelector("button")?.focus();
      } catch (error) {
        extend.disabled = false;
        outcome.replaceChildren(errorBox(error, "Not extended."));
      }
    },
  }, "Extend");
  const numbers = h("ul", { class: "plain" }, (reservation.phone_numbers ?? []).map((n) =>
    h("li", { dataset: { phoneNumber: n.phone_number } }, h("span", { class: "mono" }, n.phone_number), " ", badge(n.status), " ", holdText(n))));
  const row = h("tr", { dataset: { reservationId: reservation.id } }, cells(COLUMNS, [
    time(reservation.created_at),
    badge(reservation.status),
    numbers,
    reservation.customer_reference ?? "—",
    h("span", { class: "mono", title: reservation.id }, reservation.id.slice(0, 8)),
    h("div", { class: "row-actions" }, extend,
      said ? h("p", { class: "notice", role: "status" }, said) : null, outcome),
  ]));
  return row;
}

function holdText(number) {
  if (number.errors) return h("small", {}, number.errors);
  if (!number.expired_at) return null;
  return h("small", {}, heldNow(number) ? "held until " : "ended ", time(number.expired_at));
}
