/*! FeedFrame widget loader. MIT OR Apache-2.0. */
// A classic script. Trunk's post_build hook (scripts/build-loader.mjs) fills in the hashed file
// names, the reserve box's stylesheet (the head of style/widget.css) and two class names (from
// src/class.rs), minifies it, and writes it to dist/widget.js.
//
//   <script src="https://HOST/widget.js" data-feed="main" data-layout="grid" async></script>
//     renders right after the tag (it becomes a <feedframe-feed> element);
//   <feedframe-feed feed="main" src="https://HOST">fallback</feedframe-feed>
//     renders in place once this script has run anywhere on the page.
//
// The loader parses no option: the element's attributes travel verbatim to the proxy, which
// renders the first view with the widget's own Rust components and parser, and to the wasm,
// which hydrates that view with the same ones. Until the view arrives, a box sized by the
// stylesheet from those same attributes holds its place.
(() => {
  "use strict";
  const GLUE = "__FEEDFRAME_GLUE__";
  const WASM = "__FEEDFRAME_WASM__";
  const RESERVE_CSS = "__FEEDFRAME_RESERVE_CSS__";
  const ROOT = "__FEEDFRAME_ROOT__";
  const RESERVE = "__FEEDFRAME_RESERVE__";
  const TAG = "feedframe-feed";
  // How long the wasm waits for the first row's images before it loads anyway.
  const WASM_AFTER_MS = 3000;

  // Must be read synchronously: currentScript is null in callbacks.
  const script = document.currentScript;

  // The proxy's base URL from a script URL: https://h/widget.js and https://h/widget/widget.js
  // both give https://h; https://h/ff/widget.js gives https://h/ff.
  const baseOf = (src) => {
    const url = new URL(src, document.baseURI);
    const dir = url.pathname.replace(/\/[^/]*$/, "").replace(/\/widget$/, "");
    return url.origin + dir;
  };
  const myBase = script && script.src ? baseOf(script.src) : "";

  // Page-global: one glue module and one wasm instance, however many widgets and loader copies
  // the page has. Code only ever comes from the origin of the loader that defined the element;
  // an element's `src` chooses where its feed comes from, never where code comes from.
  const registry = window.__feedframe || (window.__feedframe = { code: myBase });
  const load = () => {
    if (!registry.module) {
      const code = registry.code;
      registry.module = code
        ? import(`${code}/widget/${GLUE}`).then((m) =>
            m.default({ module_or_path: `${code}/widget/${WASM}` }).then(() => m))
        : Promise.reject(new Error("the loader's own URL is unknown"));
    }
    return registry.module;
  };

  const fragmentUrl = (el, base) => {
    const query = new URLSearchParams();
    for (const a of el.attributes) if (a.name !== "src") query.append(a.name, a.value);
    query.set("base", base);
    // An absent feed is "main"; an invalid one goes as it is (the proxy refuses it and the wasm
    // shows the fallback), never replaced by "main".
    const feed = encodeURIComponent(el.getAttribute("feed") ?? "main");
    return `${base}/v1/feeds/${feed}/view?${query}`;
  };

  // The first row's images loaded (or failed), or a few seconds passed: the wasm then downloads
  // without competing with them.
  const firstRowSettled = (shadow) => {
    const first = [...shadow.querySelectorAll("img[fetchpriority=high]")];
    const settled = first.map((img) => img.complete ? null
      : new Promise((done) => { img.addEventListener("load", done, { once: true }); img.addEventListener("error", done, { once: true }); }));
    return Promise.race([Promise.all(settled), new Promise((done) => setTimeout(done, WASM_AFTER_MS))]);
  };

  if (!customElements.get(TAG)) {
    customElements.define(TAG, class extends HTMLElement {
      connectedCallback() {
        if (this.ffStarted) return;
        this.ffStarted = true;
        const base = (this.getAttribute("src") || registry.code || "").replace(/\/+$/, "");
        // The shadow root is attached now; until then (and without JavaScript) the element's
        // children show as the fallback. A page may already hold the view in a declarative
        // shadow root (the iframe embed).
        const served = !!(this.shadowRoot && this.shadowRoot.firstChild);
        const shadow = this.shadowRoot || this.attachShadow({ mode: "open" });
        let view = Promise.resolve(served);
        if (!served) {
          const style = document.createElement("style");
          style.textContent = RESERVE_CSS;
          const root = document.createElement("div");
          root.className = ROOT;
          const box = root.appendChild(document.createElement("div"));
          box.className = RESERVE;
          for (const a of this.attributes) box.setAttribute(`data-${a.name}`, a.value);
          shadow.replaceChildren(style, root);
          view = fetch(fragmentUrl(this, base), { credentials: "omit" })
            .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
            .then((html) => { if (this.ffStarted) shadow.innerHTML = html; return true; })
            .catch(() => false);
        }
        view
          .then((shown) => (shown ? firstRowSettled(shadow) : null))
          .then(load)
          .then((m) => { if (this.ffStarted) this.ffMounted = m.mount(this, base); })
          .catch((error) => {
            // The wasm cannot run (Content-Security-Policy, offline): the server's view stays as
            // it is (links work); without one, the element's children or a link to Instagram.
            console.warn(`FeedFrame: could not start the widget (${error}); check the page's Content-Security-Policy ('wasm-unsafe-eval', script-src and connect-src ${base}).`);
            if (!shadow.querySelector("img")) shadow.innerHTML = '<slot><a href="https://www.instagram.com/" target="_blank" rel="noopener noreferrer">View on Instagram</a></slot>';
          });
      }

      // Removed from the page (a single-page app navigating): unmount, so listeners, timers
      // and observers go with it; a later insertion starts afresh.
      disconnectedCallback() {
        this.ffStarted = false;
        if (this.ffMounted) this.ffMounted.unmount();
        this.ffMounted = null;
        if (this.shadowRoot) this.shadowRoot.replaceChildren();
      }
    });
  }

  // Script-tag embed: a tag with data-* attributes renders right after itself, with them as the
  // element's attributes. A bare <script src=".../widget.js"> only defines <feedframe-feed>.
  const data = script ? [...script.attributes].filter((a) => a.name.startsWith("data-")) : [];
  if (data.length) {
    const host = document.createElement(TAG);
    host.setAttribute("src", myBase);
    for (const a of data) host.setAttribute(a.name.slice(5), a.value);
    script.parentNode.insertBefore(host, script.nextSibling);
  }
})();
