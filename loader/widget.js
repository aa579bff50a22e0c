/*! FeedFrame widget loader (https://github.com/…/feedframe). MIT OR Apache-2.0. */
// A classic script, no build step: Trunk's post_build hook (scripts/build-loader.mjs) only fills
// in the hashed file names and the stylesheet, minifies, and writes it to dist/widget.js.
//
//   <script src="https://HOST/widget.js" data-feed="main" data-layout="grid" async></script>
//     renders right after the tag (it becomes a <feedframe-feed> element);
//   <feedframe-feed feed="main" src="https://HOST">fallback</feedframe-feed>
//     renders in place once this script has run anywhere on the page.
//
// Class names below mirror src/class.rs; the skeleton mirrors the Rust one in src/web/widget.rs
// (same boxes, same stylesheet), so the swap to the real widget moves nothing (CLS 0).
(() => {
  "use strict";
  const GLUE = "__FEEDFRAME_GLUE__";
  const WASM = "__FEEDFRAME_WASM__";
  const CSS = "__FEEDFRAME_CSS__";
  const OPTIONS = ["feed", "layout", "columns", "limit", "gap", "captions", "target", "autoplay", "fallback-text"];
  const TAG = "feedframe-feed";

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

  // Page-global registry: one glue module and one wasm instance per base URL, however many
  // widgets and loader copies the page has.
  const registry = window.__feedframe || (window.__feedframe = { base: myBase, files: {}, modules: {} });
  if (myBase && !registry.files[myBase]) registry.files[myBase] = [GLUE, WASM];

  const load = (base) => {
    if (!registry.modules[base]) {
      const [glue, wasm] = registry.files[base] || [GLUE, WASM];
      registry.modules[base] = import(`${base}/widget/${glue}`).then((m) =>
        m.default({ module_or_path: `${base}/widget/${wasm}` }).then(() => m));
    }
    return registry.modules[base];
  };

  const feedName = (el) => {
    const v = (el.getAttribute("feed") || "").trim();
    return /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : "main";
  };

  // Starts in parallel with the wasm download; Rust awaits it (same shape as its own fetch).
  const prefetch = (base, feed) =>
    fetch(`${base}/v1/feeds/${feed}`, { credentials: "omit" }).then(
      (r) => r.json().then((body) => ({ status: r.status, body }), () => ({ status: r.status, body: null })),
      (error) => ({ status: 0, error: String(error) }));

  const int = (value, min, max) => {
    const v = (value || "").trim().replace(/px$/, "");
    const n = /^\d{1,3}$/.test(v) ? Number(v) : NaN;
    return n >= min && n <= max ? n : undefined;
  };

  const div = (className) => {
    const d = document.createElement("div");
    d.className = className;
    return d;
  };

  // The Rust skeleton's exact twin: `limit` boxes in the layout's container (squares; for masonry
  // the stylesheet gives them the reference ratio, so the skeleton has the masonry's final height).
  const skeleton = (el, shadow) => {
    const layout = (el.getAttribute("layout") || "").trim();
    const columns = int(el.getAttribute("columns"), 1, 8);
    const gap = int(el.getAttribute("gap"), 0, 64);
    const limit = int(el.getAttribute("limit"), 1, 50) || 12;
    const root = div("ff-root");
    root.dataset.state = "loading";
    root.dataset.layout = ["slider", "masonry"].includes(layout) ? layout : "grid";
    root.setAttribute("aria-busy", "true");
    if (columns) root.style.setProperty("--feedframe-columns", columns);
    if (gap !== undefined) root.style.setProperty("--feedframe-gap", gap + "px");
    let boxes;
    if (layout === "slider") {
      boxes = div("ff-layout ff-track");
      root.appendChild(div("ff-slider")).appendChild(boxes);
    } else {
      boxes = root.appendChild(div("ff-layout ff-grid"));
    }
    for (let i = 0; i < limit; i++) boxes.appendChild(div("ff-tile ff-tile--skeleton"));
    const mountPoint = document.createElement("div");
    mountPoint.appendChild(root);
    shadow.appendChild(mountPoint);
  };

  // As soon as the feed arrives (usually well before the wasm), start downloading the images the
  // visitor will see first: those whose skeleton box is in the viewport, in the variant the
  // browser will pick for that box (the narrowest at least box width x devicePixelRatio, WebP
  // first, as the tiles' <picture> does). The tiles then find them in the cache. Boxes below
  // the fold are left alone, so lazy loading stays lazy.
  const preloadVisible = (res, shadow, base) => {
    const posts = res && res.status === 200 && res.body && res.body.posts;
    if (!Array.isArray(posts)) return;
    const abs = (u) => (u && u[0] === "/" ? base + u : u);
    const dpr = window.devicePixelRatio || 1;
    [...shadow.querySelectorAll(".ff-tile--skeleton")].forEach((box, i) => {
      const r = box.getBoundingClientRect();
      const media = posts[i] && posts[i].media && posts[i].media[0];
      if (!media || r.width === 0 || r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) return;
      const all = Array.isArray(media.variants) ? media.variants : [];
      const webp = all.filter((v) => v.type === "image/webp");
      const pool = webp.length ? webp : all;
      const pick = pool.find((v) => v.width >= r.width * dpr) || pool[pool.length - 1];
      const href = abs(pick ? pick.url : media.url);
      const seen = registry.preloaded || (registry.preloaded = new Set());
      if (!href || seen.has(href)) return;
      seen.add(href);
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "image";
      link.href = href;
      link.fetchPriority = "high";
      document.head.appendChild(link);
    });
  };

  // When the wasm cannot run at all (blocked by CSP, offline): never a blank box.
  const fail = (el, shadow, base, error) => {
    console.warn(`FeedFrame: could not start the widget from ${base} (${error}); check the page's Content-Security-Policy ('wasm-unsafe-eval', script-src and connect-src ${base}).`);
    for (const node of [...shadow.childNodes]) if (node.nodeName !== "STYLE") node.remove();
    const root = shadow.appendChild(div("ff-root"));
    root.dataset.state = "fallback";
    const layout = (el.getAttribute("layout") || "").trim();
    root.dataset.layout = ["slider", "masonry"].includes(layout) ? layout : "grid";
    const box = root.appendChild(div("ff-fallback"));
    if ([...el.childNodes].some((n) => n.nodeType === 1 || (n.nodeType === 3 && n.textContent.trim()))) {
      box.appendChild(document.createElement("slot"));
    } else {
      const a = box.appendChild(document.createElement("a"));
      a.className = "ff-card";
      a.href = "https://www.instagram.com/";
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.textContent = (el.getAttribute("fallback-text") || "").trim() || "View on Instagram";
    }
  };

  if (!customElements.get(TAG)) {
    customElements.define(TAG, class extends HTMLElement {
      connectedCallback() {
        if (this.ffStarted) return;
        this.ffStarted = true;
        const base = (this.getAttribute("src") || registry.base || "").replace(/\/+$/, "");
        // The shadow root is attached now, when mounting starts; until then (and without
        // JavaScript) the element's children show as the fallback.
        const shadow = this.shadowRoot || this.attachShadow({ mode: "open" });
        const style = document.createElement("style");
        style.textContent = CSS;
        shadow.appendChild(style);
        skeleton(this, shadow);
        const options = { src: base, prefetch: prefetch(base, feedName(this)) };
        options.prefetch.then((res) => preloadVisible(res, shadow, base));
        for (const name of OPTIONS) {
          const value = this.getAttribute(name);
          if (value !== null) options[name] = value;
        }
        load(base)
          .then((m) => m.mount(this, options))
          .catch((error) => fail(this, shadow, base, error));
      }
    });
  }

  // Script-tag embed: a tag with any data-* option renders right after itself. A bare
  // <script src=".../widget.js"> only defines <feedframe-feed>.
  if (script && OPTIONS.some((name) => script.hasAttribute(`data-${name}`))) {
    const host = document.createElement(TAG);
    host.setAttribute("src", myBase);
    for (const name of OPTIONS) {
      const value = script.getAttribute(`data-${name}`);
      if (value !== null) host.setAttribute(name, value);
    }
    script.parentNode.insertBefore(host, script.nextSibling);
  }
})();
