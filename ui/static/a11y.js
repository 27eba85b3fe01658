// Accessible names Gradio's components leave out (WCAG 2.1 AA, checked with axe-core in the tests):
// the date pickers' calendar buttons and inputs, the question box, and the empty chat's placeholder.
(() => {
  const names = [
    ["#aqa-from .calendar", "aria-label", "Choose the start date"],
    ["#aqa-to .calendar", "aria-label", "Choose the end date"],
    ["#aqa-from input", "aria-label", "Articles from (date, YYYY-MM-DD)"],
    ["#aqa-to input", "aria-label", "Articles to (date, YYYY-MM-DD)"],
    ["#aqa-input textarea", "aria-label", "Your question about the articles"],
  ];
  const fix = () => {
    for (const [selector, attribute, value] of names) {
      for (const el of document.querySelectorAll(selector)) {
        if (el.getAttribute(attribute) !== value) el.setAttribute(attribute, value);
      }
    }
    // the empty chat's placeholder carries aria-label without a role that allows it
    for (const el of document.querySelectorAll(".empty[aria-label]:not([role])")) {
      el.setAttribute("role", "note");
    }
  };
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", fix);
})();
