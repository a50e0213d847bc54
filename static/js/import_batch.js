// Batch import: process one file per request until the batch is done, moving the progress
// bar; then reload the page to show the preview or the report. Without JavaScript the page
// offers a "继续" button that posts the same step.
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-step-url");
  var token = box.getAttribute("data-csrf");
  var bar = document.getElementById("batch-bar");
  var done = document.getElementById("batch-done");
  var current = document.getElementById("batch-current");
  var error = document.getElementById("batch-error");

  function show(p) {
    done.textContent = p.done;
    bar.style.width = (p.total ? Math.round(100 * p.done / p.total) : 100) + "%";
    bar.parentNode.setAttribute("aria-valuenow", p.done);
    current.textContent = p.current ? "（正在处理：" + p.current + "）" : "";
  }

  function step() {
    var body = new FormData();
    body.append("csrf_token", token);
    fetch(url, { method: "POST", body: body, headers: { "Accept": "application/json", "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("服务器返回 " + r.status); }
        return r.json();
      })
      .then(function (p) {
        show(p);
        if (p.finished) { window.location.reload(); }
        else if (p.busy) { window.setTimeout(step, 500); }  // another tab is stepping this batch
        else { step(); }
      })
      .catch(function (e) {
        error.textContent = "处理中断：" + e.message + "。可刷新页面继续，已处理的文件不会重复处理。";
        error.classList.remove("d-none");
      });
  }
  step();
})();
