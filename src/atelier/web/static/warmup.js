// The "warming up" note: asks /v1/warmup every two seconds and says when all is loaded,
// in the page's language (base.html's data-loading and data-ready), else in English.
(() => {
  "use strict";
  const note = document.getElementById("warming");
  if (!note) return;
  const poll = async () => {
    try {
      const answer = await fetch("/v1/warmup", { headers: { Accept: "application/json" } });
      const state = await answer.json();
      if (state.state === "ready") {
        note.textContent = note.dataset.ready || "Ready: the models are loaded.";
        note.dataset.state = "ready";
        return;
      }
      const models = state.warming.join(", ");
      note.textContent = note.dataset.loading ? note.dataset.loading.replace("{models}", models) :
        `Warming up: loading ${models}. ` +
        "Jobs sent now wait in the queue and start as soon as their models are loaded.";
    } catch (error) {
      // the server is restarting or unreachable: ask again
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
})();
