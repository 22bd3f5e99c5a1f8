// Sign in with an API key. The key is checked with one request to the API before it is
// kept; Enter in the field signs in (the form's submit).
import { api } from "../api.js";
import { errorBox, field, h } from "../dom.js";
import { session } from "../session.js";

export function signInPage(main, { error, onSignedIn }) {
  document.title = "Sign in · number-orders console";
  const key = h("input", {
    type: "password", name: "api-key", autocomplete: "off", spellcheck: "false", required: true,
  });
  const admin = h("input", { type: "password", name: "admin-token", autocomplete: "off" });
  const submit = h("button", { type: "submit" }, "Sign in");
  const problems = h("div", { class: "problems" }, error ? errorBox(error, "Signed out.") : null);

  // method=post with the policy's form-action 'none': were this script not running,
  // the browser would refuse to send the form rather than put the key in a URL.
  const form = h(
    "form",
    { class: "card sign-in", method: "post", onsubmit: (event) => signIn(event) },
    h("h1", { tabindex: "-1" }, "Sign in"),
    h("p", {}, "The console calls the same /v2 API as the clients, with your key, so it shows what they see."),
    field("API key", key, ["A key from ", h("code", {}, "number-orders keys create"), ", or the demo key ", h("code", {}, "make run"), " prints."]),
    field("Admin token", admin, "Optional: opens the request journal and the clock on the Sandbox page."),
    h("div", { class: "actions" }, submit),
    problems,
  );

  async function signIn(event) {
    event.preventDefault();
    const token = key.value.trim();
    if (!token) {
      problems.replaceChildren(errorBox(new Error("Enter an API key."), "Not signed in."));
      key.focus();
      return;
    }
    submit.disabled = true;
    problems.replaceChildren(h("p", { role: "status" }, "Checking the key…"));
    try {
      await api.get("/v2/number_orders", { "page[size]": "1" }, { token });
    } catch (failure) {
      problems.replaceChildren(errorBox(failure, "Sign-in failed."));
      submit.disabled = false;
      key.select();
      return;
    }
    session.signIn(token, admin.value.trim());
    onSignedIn();
  }

  main.append(form);
  key.focus();
  return null;
}
