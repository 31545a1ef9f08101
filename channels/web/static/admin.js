/* The admin home page while upload jobs run: every 3 s the page is read again and only the jobs table and the
   documents list are swapped in, so a chosen file or fields being typed in the forms above stay as they are
   (a whole-page refresh wiped them). Polling stops when no job is queued or running. */
(function () {
  "use strict";
  var PARTS = ["jobs", "docs"];
  var HOME = "/admin";  // the page that lists both (after an upload the page shown is the POST's answer)
  function busy() { var jobs = document.getElementById("jobs"); return jobs && jobs.hasAttribute("data-busy"); }
  function poll() {
    fetch(HOME, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        PARTS.forEach(function (id) {
          var now = document.getElementById(id), next = fresh.getElementById(id);
          if (!now || !next) return;
          now.innerHTML = next.innerHTML;  // the element stays: focus elsewhere and live regions are kept
          if (next.hasAttribute("data-busy")) now.setAttribute("data-busy", ""); else now.removeAttribute("data-busy");
        });
        if (busy()) window.setTimeout(poll, 3000);
      }, function () { window.setTimeout(poll, 6000); });  // a lost connection: try again, less often
  }
  if (busy()) window.setTimeout(poll, 3000);
})();
