// Starts Swagger UI on the served document. Offline: no validator badge (it would call
// a public validator), no top bar. "Try it out" sends the key given under Authorize;
// a key the console holds for this tab is filled in already.
import { session } from "/console/assets/js/session.js";

window.ui = window.SwaggerUIBundle({
  url: "/v2/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  onComplete: () => {
    const key = session.apiKey();
    if (key) window.ui.preauthorizeApiKey("bearerAuth", key);
  },
});
