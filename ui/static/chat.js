// The question box. Gradio reads the box some milliseconds after Enter (after its own awaits), so
// text typed right after Enter could be sent in place of the question, or be wiped by the box's
// clearing. Here the question is what the box held when Enter was pressed (or Ask clicked), the
// box is emptied only if it still holds that question, and each question is numbered so that the
// server answers a session's questions in the order they were sent.
(() => {
  const sent = [];  // [question, time] per Enter or Ask click, oldest first
  let seq = 0;  // questions sent from this page
  const box = () => document.querySelector("#aqa-input textarea");
  document.addEventListener("keydown", (e) => {
    // an empty box sends nothing to remember: its submit, if any, takes the box's own value
    if (e.key === "Enter" && !e.shiftKey && e.target === box() && e.target.value.trim()) {
      sent.push([e.target.value, performance.now()]);
    }
  }, true);
  document.addEventListener("click", (e) => {
    const b = box();
    if (b && b.value.trim() && e.target instanceof Element && e.target.closest("#aqa-send")) {
      sent.push([b.value, performance.now()]);
    }
  }, true);
  // the submit's frontend step: its arguments are [question, ..., number]
  window.aqaSend = (args) => {
    const now = performance.now();
    while (sent.length && now - sent[0][1] > 5000) sent.shift();  // an Enter that sent nothing
    const question = sent.length ? sent.shift()[0] : args[0];
    args[0] = question;
    args[args.length - 1] = ++seq;
    const b = box();
    if (b && b.value === question) {
      b.value = "";
      b.dispatchEvent(new Event("input", { bubbles: true }));
    }
    return args;
  };
})();
