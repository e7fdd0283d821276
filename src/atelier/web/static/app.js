// Live job progress over server-sent events, and previews of chosen images.
(function () {
  const job = document.getElementById("job");
  if (job && ["queued", "running"].includes(job.dataset.status)) {
    const source = new EventSource(`/v1/jobs/${job.dataset.jobId}/events`);
    const show = (event) => {
      const data = JSON.parse(event.data);
      document.getElementById("job-status").textContent = data.status;
      document.getElementById("job-message").textContent = data.message || "";
      document.getElementById("job-progress").value = data.progress;
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
  }
  for (const input of document.querySelectorAll("input[data-preview]")) {
    input.addEventListener("change", () => {
      const img = input.parentElement.querySelector(".preview");
      const file = input.files && input.files[0];
      if (!img || !file) return;
      img.src = URL.createObjectURL(file);
      img.hidden = false;
    });
  }
})();
