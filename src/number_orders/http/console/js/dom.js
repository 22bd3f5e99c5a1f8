// Small helpers to build the page from data without innerHTML: text is always text.
import { ApiError, problemText } from "./api.js";

export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

let ids = 0;
export const uid = (prefix) => `${prefix}-${++ids}`;

// A labelled control: the label names it for people and for screen readers.
export function field(label, control, hint) {
  control.id ||= uid("field");
  const hintNode = hint ? h("small", { id: `${control.id}-hint`, class: "hint" }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode);
}

export function select(name, options, value) {
  const node = h("select", { name }, options.map(([v, text]) => h("option", { value: v }, text)));
  if (value !== undefined) node.value = value;
  return node;
}

const STATUS_CLASSES = {
  success: "good", active: "good", delivered: "good", approved: "good",
  failure: "bad", failed: "bad", dead: "bad", deleted: "bad", "purchase-failed": "bad",
  "requirement-info-exception": "bad", expired: "bad",
};

// A status as a coloured badge that also says it in words.
export function badge(status) {
  const text = String(status ?? "unknown");
  const tone = STATUS_CLASSES[text] ?? (/fail|error/.test(text) ? "bad" : "wait");
  return h("span", { class: `badge ${tone}` }, text);
}

export function yesNo(flag) {
  return h("span", { class: `badge ${flag ? "good" : "wait"}` }, flag ? "yes" : "no");
}

// RFC 3339 from the API, shown in the reader's local time; the exact value on hover.
export function time(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return h("time", { datetime: iso, title: iso }, text);
}

// What went wrong, in words: the API's own title and detail for every problem.
export function errorBox(error, lead) {
  const problems = error instanceof ApiError ? error.problems : [];
  return h(
    "div",
    { class: "error", role: "alert" },
    h("p", {}, h("strong", {}, lead ?? "The request failed."), " ", error.message),
    problems.length ? h("ul", {}, problems.map((p) => h("li", {}, problemText(p)))) : null,
  );
}

export function notice(text) {
  return h("p", { class: "notice", role: "status" }, text);
}

// A table that becomes a list of cards on a narrow screen (each cell says its column).
export function table(caption, columns, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "list" },
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows),
    ),
  );
}

export function cells(columns, values) {
  return values.map((value, i) => h("td", { "data-label": columns[i] }, value));
}

// Paging like the API's meta: page n of N, total count, first/previous/next/last.
export function pager(meta, noun, goTo) {
  const page = meta.page_number ?? 1;
  const pages = meta.total_pages ?? 1;
  const total = meta.total_results ?? 0;
  const button = (label, target, disabled) =>
    h("button", { type: "button", class: "secondary", disabled, onclick: () => goTo(target) }, label);
  return h(
    "nav",
    { class: "pager", "aria-label": `${noun} pages` },
    h("span", { class: "total" }, `${total.toLocaleString()} ${total === 1 ? noun.replace(/s$/, "") : noun}`),
    h("span", { class: "page" }, `Page ${page.toLocaleString()} of ${Math.max(pages, 1).toLocaleString()}`),
    h(
      "span",
      { class: "buttons" },
      button("First", 1, page <= 1),
      button("Previous", page - 1, page <= 1),
      button("Next", page + 1, page >= pages),
      button("Last", pages, page >= pages),
    ),
  );
}

export const PAGE_SIZES = [["10", "10"], ["20", "20"], ["50", "50"], ["100", "100"], ["250", "250"]];

// Runs `fn` after input has paused, so typing in a filter re-lists once, not per key.
export function debounce(fn, ms = 350) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Answers of an older request must not overwrite those of a newer one.
export function latest() {
  let current = 0;
  return () => {
    const mine = ++current;
    return () => mine === current;
  };
}

// Filters fold away on a phone (the list comes first) unless one is in use.
export function foldable(title, form, inUse) {
  const narrow = window.matchMedia("(max-width: 700px)").matches;
  return h("details", { class: "filter-box", open: !narrow || inUse }, h("summary", {}, title), form);
}
