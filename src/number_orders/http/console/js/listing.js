// A paged list with filters that re-list as they change, its state kept in the URL:
// the skeleton of the Numbers and Reservations pages.
import { api } from "./api.js";
import { PAGE_SIZES, debounce, errorBox, field, foldable, h, latest, pager, select } from "./dom.js";
import { currentQuery, setQuery } from "./router.js";

// filters: [{name, label, control(value), param, hint?, typed?}]; show(data, reload) -> nodes
export function pagedList({ path, noun, filters, show, extraQuery = {} }) {
  const state = currentQuery();
  const controls = new Map(filters.map((f) => [f.name, f.control(state[f.name])]));
  const size = select("size", PAGE_SIZES, state.size ?? "20");
  const results = h("section", { class: "results", "aria-label": `${noun} found`, "aria-live": "polite" });
  const isCurrent = latest();
  let page = state.page ?? "1";

  async function list() {
    const chosen = Object.fromEntries([...controls].map(([name, c]) => [name, c.value.trim()]));
    setQuery({ ...chosen, size: size.value === "20" ? "" : size.value, page: page === "1" ? "" : page });
    const query = { ...extraQuery, "page[number]": page, "page[size]": size.value };
    for (const f of filters) query[f.param] = chosen[f.name];
    const stillCurrent = isCurrent();
    results.setAttribute("aria-busy", "true");
    try {
      const { data = [], meta = {} } = await api.get(path, query);
      if (!stillCurrent()) return;
      results.replaceChildren(
        pager(meta, noun, (target) => {
          page = String(target);
          list();
        }),
        data.length ? show(data, list) : h("p", { class: "empty" }, `No ${noun} match these filters.`),
      );
    } catch (error) {
      if (stillCurrent()) results.replaceChildren(errorBox(error, `Could not list the ${noun}.`));
    } finally {
      if (stillCurrent()) results.removeAttribute("aria-busy");
    }
  }

  const refilter = () => {
    page = "1";
    list();
  };
  // A typed value its control's pattern calls unfinished waits for more typing (or for
  // Enter, when the browser says what is missing) rather than listing an error per key.
  const typed = debounce((control) => {
    if (!control.validity.patternMismatch) refilter();
  });
  for (const [name, control] of controls) {
    const spec = filters.find((f) => f.name === name);
    if (spec.typed) control.addEventListener("input", () => typed(control));
    else control.addEventListener("change", refilter);
  }
  size.addEventListener("change", refilter);

  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": `Filter ${noun}`, onsubmit: (e) => { e.preventDefault(); refilter(); } },
    filters.map((f) => field(f.label, controls.get(f.name), f.hint)),
    field("Per page", size),
  );
  const inUse = filters.some((f) => state[f.name]);
  return { form: foldable("Filters", form, inUse), results, list };
}

// pattern: what a finished value looks like (title says it in words), if the API has a rule.
export const textFilter = (name, pattern, title) => (value) =>
  h("input", { type: "search", name, value, autocomplete: "off", pattern, title });
export const selectFilter = (name, options) => (value) => select(name, [["", "Any"], ...options.map((o) => [o, o])], value ?? "");
