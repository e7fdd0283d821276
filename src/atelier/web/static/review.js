// The reviewer's keys on a panel's item (web/templates/review.html): the form works
// without them. A/B: A or ← chooses the left picture, B or → the right; ratings: 1–5.
// Each key answers the first criterion still open; Backspace takes the last answer back;
// Enter sends once every criterion is answered.
(function () {
  const form = document.getElementById("judge");
  if (!form) return;
  const sets = [...form.querySelectorAll("fieldset.criterion")];
  const answered = (set) => set.querySelector("input:checked") !== null;
  const mark = () => {
    const open = sets.find((set) => !answered(set));
    for (const set of sets) set.classList.toggle("current", set === open);
  };
  const keyValue = (key) => {
    if (form.dataset.kind === "ab") {
      if (key === "a" || key === "A" || key === "ArrowLeft") return "left";
      if (key === "b" || key === "B" || key === "ArrowRight") return "right";
      return null;
    }
    return /^[1-5]$/.test(key) ? key : null;
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches("textarea, input[type=text], select")) return;
    const value = keyValue(event.key);
    const open = sets.find((set) => !answered(set));
    if (value !== null) {
      if (open) open.querySelector(`input[value="${value}"]`).checked = true;
      event.preventDefault();
    } else if (event.key === "Backspace") {
      const last = [...sets].reverse().find(answered);
      if (last) last.querySelector("input:checked").checked = false;
      event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (sets.every(answered)) form.requestSubmit();
      else if (open) open.querySelector("input").focus();
    }
    mark();
  });
  form.addEventListener("change", mark);
  form.addEventListener("submit", () => {
    document.getElementById("send").disabled = true; // one press sends once
  });
  mark();
})();
