// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("click", function (e) {
  var el = e.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    e.preventDefault();
  }
});

// Reading position: remember how far down a lesson the learner got and
// bring them back there next time. Saved at most every 10 s and when the
// page is left.
(function () {
  var el = document.getElementById("lesson");
  if (!el) return;
  var url = "/api/v1/courses/" + el.dataset.course + "/lessons/" + el.dataset.lesson + "/position";
  var saved = parseFloat(el.dataset.position || "0");
  if (saved > 0.02 && !location.hash) {
    window.scrollTo(0, saved * (document.documentElement.scrollHeight - window.innerHeight));
  }
  var last = saved, timer = null;
  function share() {
    var max = document.documentElement.scrollHeight - window.innerHeight;
    return max > 0 ? Math.min(1, Math.max(0, window.scrollY / max)) : 1;
  }
  function save() {
    timer = null;
    var s = Math.round(share() * 1000) / 1000;
    if (Math.abs(s - last) < 0.02) return;
    last = s;
    fetch(url, {
      method: "PUT", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": el.dataset.csrf },
      body: JSON.stringify({ position: s })
    });
  }
  window.addEventListener("scroll", function () { if (!timer) timer = setTimeout(save, 10000); }, { passive: true });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") save(); });
})();

// Lesson editor: live server-side preview, so trainers see exactly what
// learners will see (same renderer, raw HTML dropped).
(function () {
  var form = document.getElementById("lesson-form");
  if (!form) return;
  var body = document.getElementById("l-body"), preview = document.getElementById("preview");
  var csrf = form.querySelector("input[name=_csrf]").value, timer = null, seq = 0;
  function render() {
    var mine = ++seq;
    fetch("/api/v1/markdown/preview", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ markdown: body.value, course: form.dataset.course })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (d && mine === seq) preview.innerHTML = d.html;
    });
  }
  body.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 400); });
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
})();
