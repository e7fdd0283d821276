// The "warming up" note: asks /v1/warmup every two seconds and says when all is loaded.
(() => {
  "use strict";
  const note = document.getElementById("warming");
  if (!note) return;
  const poll = async () => {
    try {
      const answer = await fetch("/v1/warmup", { headers: { Accept: "application/json" } });
      const state = await answer.json();
      if (state.state === "ready") {
        note.textContent = "Ready: the models are loaded.";
        note.dataset.state = "ready";
        return;
      }
      note.textContent = `Warming up: loading ${state.warming.join(", ")}. ` +
        "Jobs sent now wait in the queue and start as soon as their models are loaded.";
    } catch (error) {
      // the server is restarting or unreachable: ask again
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
})();
