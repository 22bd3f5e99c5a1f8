// The tab's credentials. sessionStorage: they survive a reload and a deep link in this
// tab, are gone when the tab closes, and never travel in a URL.
const KEY = "number-orders.api-key";
const ADMIN = "number-orders.admin-token";

export const session = {
  apiKey: () => sessionStorage.getItem(KEY),
  adminToken: () => sessionStorage.getItem(ADMIN),
  signIn(apiKey, adminToken) {
    sessionStorage.setItem(KEY, apiKey);
    if (adminToken) sessionStorage.setItem(ADMIN, adminToken);
    else sessionStorage.removeItem(ADMIN);
  },
  setAdminToken(token) {
    if (token) sessionStorage.setItem(ADMIN, token);
    else sessionStorage.removeItem(ADMIN);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ADMIN);
  },
};
