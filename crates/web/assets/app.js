// Skillbridge UI helpers (no framework): confirmation before destructive forms,
// and partial updates for filter forms marked data-partial="#target": the page is
// fetched and only the target is swapped, keeping scroll position and focus.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var target = form.getAttribute("data-partial");
    if (!target || form.method.toLowerCase() !== "get" || !window.fetch) return;
    event.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    var url = form.action.split("?")[0] + "?" + params.toString();
    swap(url, target, true);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".pager a");
    if (!link) return;
    var container = link.closest("[id]");
    if (!container || !window.fetch) return;
    event.preventDefault();
    swap(link.href, "#" + container.id, true);
  });

  function swap(url, selector, push) {
    fetch(url, { headers: { "x-partial": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector(selector);
        var current = document.querySelector(selector);
        if (fresh && current) {
          current.replaceWith(fresh);
          if (push) history.pushState({}, "", url);
        } else {
          window.location.href = url;
        }
      })
      .catch(function () { window.location.href = url; });
  }

  window.addEventListener("popstate", function () { window.location.reload(); });
})();

// Exam countdown: an element with data-deadline (Unix seconds) shows the time left
// as mm:ss; at zero the form named by data-autosubmit is handed in. The server
// enforces the deadline itself; this only spares the learner a refused answer.
(function () {
  var clock = document.querySelector("[data-deadline]");
  if (!clock) return;
  var deadline = parseInt(clock.getAttribute("data-deadline"), 10) * 1000;
  var form = document.getElementById(clock.getAttribute("data-autosubmit") || "");
  var timer = setInterval(function () {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    if (left === 0) {
      clearInterval(timer);
      if (form) { form.removeAttribute("data-confirm"); form.submit(); }
    }
  }, 1000);
})();

// Print buttons on printable reports.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { window.print(); }
});
