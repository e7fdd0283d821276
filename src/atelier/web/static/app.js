// Small progressive enhancements; every page works without them. In order: the phone
// menu, live job progress (server-sent events, streamed text, the result in place),
// previews of chosen files, a mask painted over a photo, a recording made in the
// browser (encoded to WAV here), the cost estimate, busy buttons, my works' selection,
// confirmations, and the full-size picture viewer (fitted, or 1:1).
(function () {
  document.documentElement.classList.add("js");

  // -- the phone menu ---------------------------------------------------------------------
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // -- the job page -----------------------------------------------------------------------
  const job = document.getElementById("job");
  if (job && ["queued", "running"].includes(job.dataset.status)) {
    const source = new EventSource(`/v1/jobs/${job.dataset.jobId}/events`);
    const show = (event) => {
      const data = JSON.parse(event.data);
      const status = document.getElementById("job-status");
      // the status in the page's language (job.html's data-labels), else as the API says it
      status.textContent = JSON.parse(status.dataset.labels || "{}")[data.status] || data.status;
      status.dataset.status = data.status;
      job.dataset.status = data.status;
      const message = data.message || "";
      document.getElementById("job-message").textContent = message.split("\n")[0].slice(0, 80);
      const stream = document.getElementById("job-stream");
      if (stream && message) stream.textContent = message;
      const bar = document.getElementById("job-progress");
      bar.value = data.progress;
      bar.textContent = `${Math.round(data.progress * 100)}%`;
      return data;
    };
    source.addEventListener("progress", show);
    for (const end of ["done", "failed", "canceled"]) {
      source.addEventListener(end, async (event) => {
        source.close();
        show(event);
        await showResult();
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

  // The finished job's page, fetched and put in place of this one's content (no reload).
  async function showResult() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("main");
      if (!response.ok || !fresh) throw new Error(`status ${response.status}`);
      document.querySelector("main").replaceChildren(...fresh.childNodes);
      const results = document.getElementById("results");
      if (results) results.focus();
    } catch (error) {
      window.location.reload();
    }
  }

  // -- previews of chosen files -----------------------------------------------------------
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
      input.dispatchEvent(new CustomEvent("previewed", { bubbles: true }));
    });
  }

  // -- a mask painted over the photo (inpainting, restoration) ----------------------------
  // White paint marks what the engine repaints; the painting is sent as a PNG mask of the
  // photo's own size when no mask file was chosen.
  for (const maskInput of document.querySelectorAll("input[data-mask-for]")) {
    const photoInput = document.getElementById(maskInput.dataset.maskFor);
    if (!photoInput) continue;
    const field = maskInput.parentElement;
    const painter = document.createElement("div");
    painter.className = "painter";
    painter.hidden = true;
    painter.innerHTML =
      '<p class="small muted" id="paint-help">Or paint over the photo what should be repainted.</p>' +
      '<div class="painter-stage"><img alt="" aria-hidden="true"><canvas aria-describedby="paint-help"></canvas></div>' +
      '<div class="painter-tools"><label for="brush">Brush</label>' +
      '<input type="range" id="brush" min="4" max="80" value="24">' +
      '<button type="button" class="secondary" data-clear>Clear the mask</button></div>';
    field.append(painter);
    const stage = painter.querySelector("img");
    const canvas = painter.querySelector("canvas");
    canvas.setAttribute("aria-label", "Mask: paint with the mouse, a finger or a pen");
    const pen = canvas.getContext("2d");
    let painted = false;
    const load = (src) => {
      stage.onload = () => {
        canvas.width = stage.naturalWidth;
        canvas.height = stage.naturalHeight;
        pen.clearRect(0, 0, canvas.width, canvas.height);
        painted = false;
        painter.hidden = false;
      };
      stage.src = src;
    };
    const kept = photoInput.parentElement.querySelector(".kept-preview");
    if (kept) load(kept.src);
    photoInput.addEventListener("previewed", () => {
      const preview = photoInput.parentElement.querySelector(".preview");
      if (preview && preview.src) load(preview.src);
    });
    let drawing = false;
    const dot = (event) => {
      const box = canvas.getBoundingClientRect();
      const scale = canvas.width / box.width;
      const size = Number(painter.querySelector("#brush").value) * scale;
      pen.fillStyle = "rgba(255, 255, 255, 1)";
      pen.beginPath();
      pen.arc((event.clientX - box.left) * scale, (event.clientY - box.top) * scale, size / 2, 0, 2 * Math.PI);
      pen.fill();
      painted = true;
    };
    canvas.addEventListener("pointerdown", (event) => { drawing = true; canvas.setPointerCapture(event.pointerId); dot(event); });
    canvas.addEventListener("pointermove", (event) => { if (drawing) dot(event); });
    canvas.addEventListener("pointerup", () => { drawing = false; });
    painter.querySelector("[data-clear]").addEventListener("click", () => {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      painted = false;
    });
    maskInput.form.addEventListener("submit", (event) => {
      if (!painted || maskInput.files.length) return;
      event.preventDefault();
      const mask = document.createElement("canvas");
      mask.width = canvas.width;
      mask.height = canvas.height;
      const ink = mask.getContext("2d");
      ink.fillStyle = "#000";
      ink.fillRect(0, 0, mask.width, mask.height);
      ink.drawImage(canvas, 0, 0);
      mask.toBlob((blob) => {
        putFile(maskInput, new File([blob], "mask.png", { type: "image/png" }));
        painted = false;
        maskInput.form.requestSubmit();
      }, "image/png");
    });
  }

  function putFile(input, file) {
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
  }

  // -- a recording made in the browser, sent as a 16-bit PCM WAV --------------------------
  const SLICE_MS = 250; // the recorder hands over its audio this often (the shown length)
  for (const input of document.querySelectorAll("input[data-record]")) {
    if (!navigator.mediaDevices || !window.MediaRecorder) continue;
    const tools = document.createElement("div");
    tools.className = "recorder";
    tools.innerHTML =
      '<button type="button" class="secondary" data-record-button>Record</button>' +
      '<span class="small muted" aria-live="polite" data-record-state></span>' +
      '<audio controls hidden></audio>';
    input.after(tools);
    const button = tools.querySelector("[data-record-button]");
    const state = tools.querySelector("[data-record-state]");
    const player = tools.querySelector("audio");
    let recorder = null;
    button.addEventListener("click", async () => {
      if (recorder) {
        recorder.stop();
        return;
      }
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        state.textContent = "The microphone is not available.";
        return;
      }
      const chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", (event) => {
        chunks.push(event.data);
        if (recorder) state.textContent = `Recording… ${(chunks.length * SLICE_MS / 1000).toFixed(1)} s`;
      });
      recorder.addEventListener("stop", async () => {
        stream.getTracks().forEach((track) => track.stop());
        recorder = null;
        button.textContent = "Record again";
        state.textContent = "Encoding…";
        const recorded = new Blob(chunks, { type: chunks[0] ? chunks[0].type : "audio/webm" });
        let wav;
        try {
          wav = await toWav(await recorded.arrayBuffer());
        } catch (error) {
          state.textContent = "That recording could not be read; record again.";
          return;
        }
        putFile(input, new File([wav], "recording.wav", { type: "audio/wav" }));
        player.src = URL.createObjectURL(wav);
        player.hidden = false;
        state.textContent = `Recorded ${(wav.size / 1024).toFixed(0)} KB; it is sent with the form.`;
      });
      recorder.start(SLICE_MS);
      button.textContent = "Stop";
      state.textContent = "Recording…";
    });
  }

  // Decode any recording the browser made, mix it to mono, write 16-bit PCM WAV bytes.
  async function toWav(encoded) {
    const context = new AudioContext();
    const audio = await context.decodeAudioData(encoded);
    context.close();
    const samples = new Float32Array(audio.length);
    for (let channel = 0; channel < audio.numberOfChannels; channel++) {
      const data = audio.getChannelData(channel);
      for (let i = 0; i < data.length; i++) samples[i] += data[i] / audio.numberOfChannels;
    }
    return wavBlob(samples, audio.sampleRate);
  }

  function wavBlob(samples, rate) {
    const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
    const text = (offset, value) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
    text(0, "RIFF");
    view.setUint32(4, 36 + samples.length * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, samples.length * 2, true);
    samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
    return new Blob([view], { type: "audio/wav" });
  }
  window.atelierWav = wavBlob; // for the page tests

  // -- the cost estimate, asked for as the form changes ----------------------------------
  // A file chosen but not sent yet is measured here (a picture's size, a recording's
  // length), so the cost is the one of that file; the line warns when it passes the balance.
  for (const form of document.querySelectorAll("form[data-estimate]")) {
    const output = form.querySelector("#estimate");
    const line = form.querySelector("#estimate-line");
    const buy = form.querySelector("#estimate-buy");
    const measured = new WeakMap();
    let timer = null;
    const ask = async () => {
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (typeof value === "string") {
          if (name !== "csrf_token") query.append(name, value);
        } else if (value.size) {
          if (!measured.has(value)) measured.set(value, measureFile(value));
          query.append(`measure-${name}`, await measured.get(value));
        }
      }
      let short = false;
      try {
        const response = await fetch(`${form.dataset.estimate}?${query}`, { credentials: "same-origin" });
        const body = await response.json();
        output.textContent = response.ok ? body.text : `${output.dataset.notYet || "No estimate yet:"} ${body.error}`;
        short = response.ok && body.short > 0;
        if (short) buy.href = body.buy;
      } catch (error) {
        output.textContent = output.dataset.noAnswer || "No estimate: the studio did not answer.";
      }
      line.classList.toggle("short", short);
      buy.hidden = !short;
    };
    form.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 350);
    });
  }

  // What the estimate needs of a chosen file: "WIDTHxHEIGHT", "SECONDSs" or "" (neither).
  function measureFile(file) {
    return new Promise((resolve) => {
      const url = URL.createObjectURL(file);
      const done = (text) => {
        URL.revokeObjectURL(url);
        resolve(text);
      };
      if (file.type.startsWith("image/")) {
        const picture = new Image();
        picture.onload = () => done(`${picture.naturalWidth}x${picture.naturalHeight}`);
        picture.onerror = () => done("");
        picture.src = url;
      } else if (file.type.startsWith("audio/")) {
        const audio = document.createElement("audio");
        audio.preload = "metadata";
        audio.onloadedmetadata = () => done(Number.isFinite(audio.duration) ? `${audio.duration.toFixed(1)}s` : "");
        audio.onerror = () => done("");
        audio.src = url;
      } else {
        done("");
      }
    });
  }

  // -- a submitted form says so (an upload can take a moment) and is not sent twice ------
  for (const form of document.querySelectorAll("form.engine-form")) {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      const button = form.querySelector("button[type=submit]");
      if (!button) return;
      window.setTimeout(() => {  // after the browser has read the form
        button.disabled = true;
        button.dataset.label = button.textContent;
        button.textContent = button.dataset.sending || "Sending…";
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

  // -- my works: select all, how many are chosen -----------------------------------------
  const all = document.querySelector("[data-pick-all]");
  if (all) {
    const picks = () => [...document.querySelectorAll("input.pick")];
    const count = () => {
      const chosen = picks().filter((p) => p.checked).length;
      document.getElementById("picked").textContent = chosen ? `${chosen} selected` : "";
      all.checked = chosen > 0 && chosen === picks().length;
    };
    all.addEventListener("change", () => {
      picks().forEach((p) => { p.checked = all.checked; });
      count();
    });
    picks().forEach((p) => p.addEventListener("change", count));
  }

  // -- confirmations ---------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  // -- a secret shown once (a new API key): one click selects all of it to copy ---------
  for (const field of document.querySelectorAll("[data-select-all]")) {
    field.addEventListener("focus", () => field.select());
  }

  // -- the full-size viewer: the picture fitted to the screen, or at 1:1 (one pixel of the
  // picture on one pixel of the screen, whatever the display's density), dragged to move
  const viewer = document.getElementById("viewer");
  if (viewer) {
    const frame = viewer.querySelector(".viewer-frame");
    const image = frame.querySelector("img");
    const actual = viewer.querySelector("[data-actual]");
    const scale = (oneToOne) => {
      actual.setAttribute("aria-pressed", String(oneToOne));
      actual.textContent = oneToOne ? "Fit to screen" : "1:1";
      image.classList.toggle("fit", !oneToOne);
      if (oneToOne && image.naturalWidth) {
        image.width = image.naturalWidth / window.devicePixelRatio;
        image.height = image.naturalHeight / window.devicePixelRatio;
      } else {
        image.removeAttribute("width");
        image.removeAttribute("height");
      }
    };
    actual.addEventListener("click", () => scale(actual.getAttribute("aria-pressed") !== "true"));
    image.addEventListener("load", () => scale(actual.getAttribute("aria-pressed") === "true"));
    for (const zoom of document.querySelectorAll("[data-zoom]")) {
      zoom.addEventListener("click", () => {
        scale(false);
        image.src = zoom.dataset.zoom;
        viewer.showModal();
        frame.focus();
      });
    }
    let from = null;
    frame.addEventListener("pointerdown", (event) => {
      from = { x: event.clientX, y: event.clientY, left: frame.scrollLeft, top: frame.scrollTop };
      frame.setPointerCapture(event.pointerId);
    });
    frame.addEventListener("pointermove", (event) => {
      if (!from) return;
      frame.scrollLeft = from.left - (event.clientX - from.x);
      frame.scrollTop = from.top - (event.clientY - from.y);
    });
    frame.addEventListener("pointerup", () => { from = null; });
  }
})();
