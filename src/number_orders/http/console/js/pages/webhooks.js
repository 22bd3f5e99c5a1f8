// Webhook events: every delivery of the account with its attempts and response codes,
// and redeliver.
import { h } from "../dom.js";
import { deliveryCard } from "../deliveries.js";
import { pagedList, selectFilter, textFilter } from "../listing.js";

export function webhooksPage(main) {
  document.title = "Webhook events · number-orders console";
  const { form, results, list } = pagedList({
    path: "/v2/webhook_deliveries",
    noun: "webhook events",
    filters: [
      { name: "status", label: "Status", param: "filter[status][eq]", control: selectFilter("status", ["delivered", "failed", "pending"]) },
      { name: "webhook", label: "Contains", param: "filter[webhook][contains]", control: textFilter("webhook"), typed: true, hint: "Text in the event, e.g. an order id" },
    ],
    show: (data) => h("div", { class: "deliveries" }, data.map((d) => deliveryCard(d))),
  });
  main.append(h("h1", { tabindex: "-1" }, "Webhook events"), form, results);
  list();
  return null;
}
