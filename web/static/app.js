// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("click", function (e) {
  var el = e.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    e.preventDefault();
  }
});

// Menu button: on a phone the menu folds behind it (see app.css). The
// button is hidden in the page, so without this script the menu is open.
(function () {
  var btn = document.getElementById("menu-toggle");
  if (!btn) return;
  var bar = btn.parentNode;
  function set(open) {
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    bar.classList.toggle("open", open);
  }
  bar.classList.add("foldable");
  btn.hidden = false;
  btn.addEventListener("click", function () { set(btn.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && btn.getAttribute("aria-expanded") === "true") {
      set(false);
      btn.focus();
    }
  });
})();

// A table wider than a narrow screen scrolls by itself or in its box (see
// app.css); what scrolls then takes the focus, so that it scrolls from the
// keyboard too.
(function () {
  var tables = document.querySelectorAll("main table, .table-scroll, .table-wrap");
  if (!tables.length) return;
  function mark() {
    tables.forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1) t.setAttribute("tabindex", "0");
      else t.removeAttribute("tabindex");
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();

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

// Quiz attempt: a visible countdown (the server enforces the deadline; this
// only shows it) and autosave of answers as they change.
(function () {
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var status = document.getElementById("autosave");
  var cd = document.getElementById("countdown");
  if (cd) {
    var end = Date.now() + parseInt(cd.dataset.remaining, 10) * 1000;
    // spoken says a number of seconds as the server's dur helper does
    // (locale.Duration): seconds under a minute, then hours and minutes.
    var words = JSON.parse(cd.dataset.words);
    var unit = function (u, n) { return (n === 1 && words[u + ".one"] ? words[u + ".one"] : words[u]).replace("{0}", n); };
    var spoken = function (sec) {
      if (sec <= 0) return unit("minute", 0);
      if (sec < 60) return unit("second", sec);
      var min = Math.round(sec / 60), h = Math.floor(min / 60), m = min % 60, out = [];
      if (h >= 24) {
        var hr = Math.round(min / 60), d = Math.floor(hr / 24);
        out.push(unit("day", d));
        if (hr % 24) out.push(unit("hour", hr % 24));
        return out.join(" ");
      }
      if (h) out.push(unit("hour", h));
      if (m) out.push(unit("minute", m));
      return out.join(" ");
    };
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      cd.textContent = cd.dataset.left.replace("{0}", spoken(left));
      cd.classList.toggle("urgent", left <= 60);
      if (left === 0) {
        clearInterval(timer);
        status.textContent = form.dataset.timeup;
        // Reloading shows the result: the server has submitted it.
        setTimeout(function () { location.href = "/attempts/" + form.dataset.attempt; }, 1500);
      }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
  function answerOf(box) {
    var id = box.dataset.qid, type = box.dataset.type, name = "a." + id;
    var q = function (sel) { return box.querySelectorAll(sel); };
    switch (type) {
      case "single": var r = box.querySelector("input[name='" + name + "']:checked"); return r ? r.value : undefined;
      case "multiple": return Array.prototype.map.call(q("input[name='" + name + "']:checked"), function (e) { return e.value; });
      case "truefalse": var b = box.querySelector("input[name='" + name + "']:checked"); return b ? b.value === "true" : undefined;
      case "fill": return box.querySelector("input[name='" + name + "']").value;
      // An emptied number field is sent as null, which clears the saved
      // answer; one being typed that is not a number yet (its value reads
      // "" too) is left alone.
      case "numeric":
        var n = box.querySelector("input[name='" + name + "']");
        if (n.validity.badInput) return undefined;
        return n.value === "" ? null : parseFloat(n.value);
      case "ordering": return Array.prototype.map.call(q("select"), function (e) { return e.value; });
      case "matching": var m = {}; q("select").forEach(function (e) { if (e.value) m[e.name.split(".").pop()] = e.value; }); return m;
    }
  }
  var pending = {}, timer2 = null;
  function flush() {
    timer2 = null;
    var body = { answers: pending };
    pending = {};
    fetch("/api/v1/attempts/" + form.dataset.attempt + "/answers", {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); }).then(function (res) {
      if (res.ok) {
        status.textContent = form.dataset.saved;
        var a = document.getElementById("answered");
        if (a) a.textContent = a.textContent.replace(/\d+\/(\d+)/, res.d.answered + "/$1");
      } else if (res.d && res.d.error) {
        status.textContent = res.d.error.message;
      }
    });
  }
  // The posted form carries the same answers; a save still waiting would
  // race it, and the store keeps whichever whole answer set lands last.
  form.addEventListener("submit", function () { clearTimeout(timer2); pending = {}; });
  form.addEventListener("change", function (e) {
    var box = e.target.closest("[data-qid]");
    if (!box) return;
    var v = answerOf(box);
    if (v === undefined) return;
    pending[box.dataset.qid] = v;
    clearTimeout(timer2);
    timer2 = setTimeout(flush, 300);
  });
})();

// Sections folded to keep a phone's page short (a ticket's history) are
// open on a wide screen, where there is room beside them.
(function () {
  if (!window.matchMedia("(min-width: 901px)").matches) return;
  document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
})();

// A search field narrows a long list of choices (data-filter names the
// items); without scripts the whole list shows.
document.addEventListener("input", function (e) {
  var sel = e.target.getAttribute && e.target.getAttribute("data-filter");
  if (!sel) return;
  var q = e.target.value.trim().toLowerCase();
  document.querySelectorAll(sel).forEach(function (item) {
    item.hidden = q !== "" && item.textContent.toLowerCase().indexOf(q) < 0;
  });
});

// Parts of a form that belong to one choice (data-when="radio=value ...")
// show only while it is chosen; without scripts every part shows, and
// the server reads only the parts of the choice sent.
(function () {
  var parts = document.querySelectorAll("[data-when]");
  if (!parts.length) return;
  function update() {
    parts.forEach(function (el) {
      var spec = el.getAttribute("data-when").split("=");
      var on = el.closest("form").querySelector('input[name="' + spec[0] + '"]:checked');
      el.hidden = !on || spec[1].split(" ").indexOf(on.value) < 0;
    });
  }
  document.addEventListener("change", function (e) { if (e.target.type === "radio") update(); });
  update();
})();
