// FeedFrame console: progressive enhancement only. Every form works without this script.
"use strict";

// Copy buttons: copy the snippet's text; if the clipboard is refused, select it instead.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const code = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(code.textContent);
    button.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(code);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2500);
});

// The builder's preview follows each change without pressing "Update preview".
const builder = document.getElementById("builder");
if (builder) builder.addEventListener("change", () => builder.requestSubmit());

// The preview frame tells its height (see docs/widget.md, the iframe snippet).
addEventListener("message", (event) => {
  if (event.origin !== location.origin || !event.data || event.data.feedframe !== "height") return;
  for (const frame of document.querySelectorAll("iframe")) {
    if (frame.contentWindow === event.source) frame.style.height = event.data.height + "px";
  }
});
