// The console's start: sign-in state, navigation, and which page to show.
import { UNAUTHORIZED } from "./api.js";
import { h, replace } from "./dom.js";
import { captureLinks, match, navigate, onNavigate, route } from "./router.js";
import { session } from "./session.js";
import { signInPage } from "./pages/sign-in.js";
import { ordersPage } from "./pages/orders.js";
import { orderPage } from "./pages/order.js";
import { newOrderPage } from "./pages/new-order.js";
import { numbersPage } from "./pages/numbers.js";
import { reservationsPage } from "./pages/reservations.js";
import { webhooksPage } from "./pages/webhooks.js";
import { sandboxPage } from "./pages/sandbox.js";

route("/console", ordersPage);
route("/console/orders", ordersPage);
route("/console/orders/{id}", orderPage);
route("/console/new", newOrderPage);
route("/console/numbers", numbersPage);
route("/console/reservations", reservationsPage);
route("/console/webhooks", webhooksPage);
route("/console/sandbox", sandboxPage);

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signOutButton = document.getElementById("sign-out");
let leave = null; // the shown page's clean-up (timers), run before the next page

// Shows the page for the current URL. `error`: why the tab was signed out; `focus`: move
// focus to the new page's heading, as a real page load would for a screen reader.
function show({ error = null, focus = false } = {}) {
  if (leave) leave();
  leave = null;
  const signedIn = Boolean(session.apiKey());
  nav.hidden = !signedIn;
  signOutButton.hidden = !signedIn;
  replace(main);
  if (!signedIn) {
    leave = signInPage(main, { error, onSignedIn: () => navigate(window.location.href) });
    return;
  }
  const found = match(window.location.pathname);
  markCurrent(found);
  if (!found) {
    main.append(h("h1", { tabindex: "-1" }, "Not found"), h("p", {}, "The console has no such page."));
  } else {
    leave = found.page(main, found.params) ?? null;
  }
  if (focus) main.querySelector("h1")?.focus();
}

// The nav link of the current page, or of its section (an order is under Orders).
function markCurrent(found) {
  const path = window.location.pathname === "/console" ? "/console/orders" : window.location.pathname;
  for (const link of nav.querySelectorAll("a")) {
    const section = new URL(link.href).pathname;
    const here = found && (path === section || path.startsWith(`${section}/`));
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

signOutButton.addEventListener("click", () => {
  session.signOut();
  navigate("/console", { replace: false });
});

// The key stopped working (revoked, or the store was reset): back to sign-in, saying why.
window.addEventListener(UNAUTHORIZED, (event) => {
  session.signOut();
  show({ error: event.detail });
});

onNavigate(() => show({ focus: true }));
captureLinks();
show();
