// Live job progress over server-sent events, previews of chosen images, busy buttons.
(function () {
  const job = document.getElementById("job");
  if (job && ["queued", "running"].includes(job.dataset.status)) {
    const source = new EventSource(`/v1/jobs/${job.dataset.jobId}/events`);
    const status = document.getElementById("job-status");
    const show = (event) => {
      const data = JSON.parse(event.data);
      status.textContent = data.status;
      status.dataset.status = data.status;
      document.getElementById("job-message").textContent = data.message || "";
      const bar = document.getElementById("job-progress");
      bar.value = data.progress;
      bar.textContent = `${Math.round(data.progress * 100)}%`;
      return data;
    };
    source.addEventListener("progress", show);
    for (const end of ["done", "failed", "canceled"]) {
      source.addEventListener(end, (event) => {
        source.close();
        show(event);
        window.location.reload();
      });
    }
    // The browser retries a dropped stream by itself; one it gave up on (signed out, server
    // gone) is retried by reloading the page a little later, which shows the latest state.
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(() => window.location.reload(), 5000);
      }
    });
  }

  for (const input of document.querySelectorAll("input[data-preview]")) {
    let url = null;
    input.addEventListener("change", () => {
      const img = input.parentElement.querySelector(".preview");
      const file = input.files && input.files[0];
      if (!img) return;
      if (url) URL.revokeObjectURL(url);
      url = null;
      if (!file || !file.type.startsWith("image/")) {
        img.hidden = true;
        img.removeAttribute("src");
        return;
      }
      url = URL.createObjectURL(file);
      img.src = url;
      img.hidden = false;
    });
  }

  // A submitted form says so (an upload can take a moment) and is not sent twice.
  for (const form of document.querySelectorAll("form.engine-form")) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      if (!button) return;
      window.setTimeout(() => {  // after the browser has read the form
        button.disabled = true;
        button.dataset.label = button.textContent;
        button.textContent = "Sending…";
      });
    });
  }
  // Back to a page kept in the browser's cache: its buttons work again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const button of document.querySelectorAll("button[data-label]")) {
      button.disabled = false;
      button.textContent = button.dataset.label;
    }
  });
})();
