// Accessible names Gradio's components leave out (WCAG 2.1 AA, checked with axe-core in the tests):
// the date pickers' calendar buttons and inputs, the question box, and the empty chat's placeholder.
// And one placement the chat's autoscroll gets wrong: it scrolls a new answer to the end of its
// source cards, so an answer taller than the chat is scrolled back to its first line.
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
  // Once the chat was scrolled up to a long answer, its autoscroll stops (it follows only a chat
  // scrolled to the bottom), so new questions and short answers are brought into view here too.
  let scrolledUp = false;  // this script scrolled the chat up to a long answer's start
  let placed = "";  // the newest message already placed: user messages, answers, its text length
  const placeLong = () => {
    const log = document.querySelector('#aqa-chat [role="log"]');
    if (!log) return;
    const msgs = log.querySelectorAll(".aqa-msg");
    const users = log.querySelectorAll('[data-testid="user"]').length;
    const last = msgs[msgs.length - 1];
    const key = `${users}:${msgs.length}:${last ? last.textContent.length : 0}`;
    if (key === placed) return;
    const newQuestion = !placed.startsWith(`${users}:`);
    placed = key;
    // Gradio's own scrolling runs after the message renders (and may run again): place a few times
    const align = (tries) => {
      if (!log.isConnected) return;
      const box = log.getBoundingClientRect();
      const msg = last && !newQuestion && last.isConnected ? last.getBoundingClientRect() : null;
      if (msg && msg.height > box.height) {  // a long answer: its start
        log.scrollTop += msg.top - box.top - 8;
        scrolledUp = true;
      } else if (scrolledUp) {  // after one: a new question or a short answer goes to the bottom
        log.scrollTop = log.scrollHeight;
        if (tries === 0) scrolledUp = false;  // at the bottom again: the chat's autoscroll follows
      } else {
        return;  // the chat's own autoscroll is right
      }
      if (tries > 0) setTimeout(() => align(tries - 1), 150);
    };
    setTimeout(() => align(4), 100);
  };
  new MutationObserver(() => { fix(); placeLong(); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", fix);
})();
