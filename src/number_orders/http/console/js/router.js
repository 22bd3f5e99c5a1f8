// Paths under /console name the pages; the state of a page (filters, page number) lives
// in the query string, so a reload or a shared link shows the same view. Never a key.
const routes = [];
let render = () => {};

export function route(pattern, page) {
  const names = [];
  const source = pattern.replace(/\{(\w+)\}/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ regex: new RegExp(`^${source}/?$`), names, page });
}

export function match(pathname) {
  for (const { regex, names, page } of routes) {
    const found = regex.exec(pathname);
    if (found) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])]));
      return { page, params };
    }
  }
  return null;
}

export function onNavigate(fn) {
  render = fn;
}

export function navigate(url, { replace = false } = {}) {
  const target = new URL(url, window.location.origin);
  if (target.href !== window.location.href) {
    window.history[replace ? "replaceState" : "pushState"]({}, "", target);
  }
  render();
}

// The current page's query string as a plain object, and a way to change it in place.
export function currentQuery() {
  return Object.fromEntries(new URLSearchParams(window.location.search));
}

export function setQuery(values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, value);
  }
  const search = params.toString();
  window.history.replaceState({}, "", `${window.location.pathname}${search ? `?${search}` : ""}`);
}

// Links inside the console change the page without a reload (keyboard and mouse alike);
// modified clicks (new tab) and links elsewhere behave as links.
export function captureLinks() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, window.location.origin);
    if (url.origin !== window.location.origin || !url.pathname.startsWith("/console")) return;
    event.preventDefault();
    navigate(url);
  });
  window.addEventListener("popstate", () => render());
}
