// Reservations: the account's number reservations, newest first, paged like the API.
import { api } from "../api.js";
import { badge, cells, errorBox, h, notice, table, time } from "../dom.js";
import { pagedList, selectFilter, textFilter } from "../listing.js";

const COLUMNS = ["Created", "Status", "Numbers", "Customer reference", "Reservation", "Actions"];

export function reservationsPage(main) {
  document.title = "Reservations · number-orders console";
  const { form, results, list } = pagedList({
    path: "/v2/number_reservations",
    noun: "reservations",
    filters: [
      { name: "status", label: "Status", param: "filter[status]", control: selectFilter("status", ["pending", "success", "failure"]) },
      { name: "phone_number", label: "Phone number", param: "filter[phone_numbers.phone_number]", control: textFilter("phone_number"), typed: true },
      { name: "reference", label: "Customer reference", param: "filter[customer_reference]", control: textFilter("reference"), typed: true },
    ],
    show: (data, reload) => table("Reservations, newest first", COLUMNS, data.map((r) => reservationRow(r, reload))),
  });
  main.append(h("h1", { tabindex: "-1" }, "Reservations"), form, results);
  list();
  return null;
}

function reservationRow(reservation, reload) {
  const outcome = h("div", { class: "outcome" });
  const extend = h("button", {
    type: "button",
    class: "secondary",
    onclick: async () => {
      extend.disabled = true;
      try {
        await api.post(`/v2/number_reservations/${encodeURIComponent(reservation.id)}/actions/extend`);
        outcome.replaceChildren(notice("Extended."));
        setTimeout(reload, 800);
      } catch (error) {
        extend.disabled = false;
        outcome.replaceChildren(errorBox(error, "Not extended."));
      }
    },
  }, "Extend");
  const numbers = h("ul", { class: "plain" }, (reservation.phone_numbers ?? []).map((n) =>
    h("li", {}, h("span", { class: "mono" }, n.phone_number), " ", badge(n.status),
      n.expired_at ? h("small", {}, " until ", time(n.expired_at)) : null)));
  return h("tr", { dataset: { reservationId: reservation.id } }, cells(COLUMNS, [
    time(reservation.created_at),
    badge(reservation.status),
    numbers,
    reservation.customer_reference ?? "—",
    h("span", { class: "mono", title: reservation.id }, reservation.id.slice(0, 8)),
    h("div", { class: "row-actions" }, extend, outcome),
  ]));
}
