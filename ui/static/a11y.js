// Accessible names Gradio's components leave out (WCAG 2.1 AA, checked with axe-core in the tests):
// the date pickers' calendar buttons and inputs, the question box, and the empty chat's placeholder.
// And where the chat scrolls to (its own autoscroll is off): a new question to the bottom, a new
// answer to its first line when it is taller than the chat, so a long answer is read from its start.
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
  const place = () => {
    const log = document.querySelector('#aqa-chat [role="log"]');
    if (!log) return;
    const rows = log.querySelectorAll('[data-testid="user"], [data-testid="bot"]');
    const last = rows[rows.length - 1];
    if (!last || last.dataset.aqaPlaced) return;
    const isAnswer = last.dataset.testid === "bot" && last.querySelector(".aqa-msg");
    if (last.dataset.testid === "bot" && !isAnswer) {  // pending: keep the question in view
      log.scrollTop = log.scrollHeight;
      return;
    }
    last.dataset.aqaPlaced = "1";
    const box = log.getBoundingClientRect(), msg = last.getBoundingClientRect();
    log.scrollTop = isAnswer && msg.height > box.height
      ? log.scrollTop + (msg.top - box.top) - 8
      : log.scrollHeight;
  };
  new MutationObserver(() => { fix(); place(); }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", fix);
})();
