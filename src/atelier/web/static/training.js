// A training job's chart, drawn again by the server every few seconds while the job runs
// (the job page swaps in the finished page, chart and model, when it ends).
(function () {
  const chart = document.getElementById("training-chart");
  if (!chart || !chart.dataset.live) return;
  const every = Number(chart.dataset.live) || 3000;
  const base = chart.getAttribute("src").split("?")[0];
  const timer = window.setInterval(() => {
    if (!chart.isConnected) {
      window.clearInterval(timer);
      return;
    }
    chart.src = `${base}?t=${Date.now()}`;
  }, every);
})();
