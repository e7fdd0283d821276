// Before/after (templates/_compare.html): the slider sets how much of the "before" picture,
// left of the line, covers the result, through one CSS custom property (no inline styles:
// the CSP forbids them). Listening on the document also serves results put in place after
// the page loaded (the job page's). Without scripts both pictures are shown in turn.
(function () {
  document.addEventListener("input", (event) => {
    const slider = event.target.closest("[data-compare-slider]");
    const stage = slider && slider.closest("[data-compare]").querySelector(".compare-stage");
    if (stage) stage.style.setProperty("--split", `${slider.value}%`);
  });
})();
