/* Admin upload forms: while the file is sent and loaded (the page waits for the server's answer), poll
 * /admin/progress and show passages embedded / total and the time left. */
document.querySelectorAll("form[data-progress]").forEach(function (form) {
  "use strict";
  form.addEventListener("submit", function () {
    var box = form.querySelector(".ingest-progress");
    var bar = box.querySelector("progress"), line = box.querySelector("[role=status]");
    var started = false; // a "done" left by the previous load is not this one's
    box.hidden = false;
    bar.removeAttribute("value");
    line.textContent = "Đang gửi tệp…";
    setInterval(function () {
      fetch("/admin/progress", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s || s.phase === "idle" || (s.phase === "done" && !started)) return;
          started = true;
          line.textContent = s.text;
          if (s.total) { bar.max = s.total; bar.value = s.done; } else { bar.removeAttribute("value"); }
        })
        .catch(function () { /* the next poll tries again */ });
    }, 1000);
  });
});
