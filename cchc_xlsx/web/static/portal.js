// Cổng nộp báo cáo CCHC: the little the pages need beyond plain HTML forms.
// Served from the package (no CDN: an office LAN may have no internet).
(function () {
  "use strict";

  // Dropping a file on an upload form puts it in the form's file field and sends it.
  document.querySelectorAll("form[data-drop]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (ev) {
      form.addEventListener(ev, function (e) { e.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      form.addEventListener(ev, function () { form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      input.files = e.dataTransfer.files;
      form.requestSubmit();
    });
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      if (b) { b.disabled = true; b.textContent = "Đang gửi và kiểm tra…"; }
    });
  });

  // "Quay lại" goes back when there is somewhere to go back to.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (history.length > 1) { e.preventDefault(); history.back(); }
    });
  });

  // Copy buttons.
  document.addEventListener("click", function (e) {
    var id = e.target.getAttribute && e.target.getAttribute("data-copy");
    if (!id) return;
    var box = document.getElementById(id);
    box.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(box.value); }
    else { document.execCommand("copy"); }
    e.target.textContent = "Đã sao chép";
  });

  // The dashboard refreshes its table while schools send (a light poll, every 5 s).
  var board = document.querySelector("[data-poll]");
  if (board) {
    var url = board.getAttribute("data-poll");
    setInterval(function () {
      if (document.hidden) return;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-poll]");
          var current = document.querySelector("[data-poll]");
          if (fresh && current) current.replaceWith(fresh);
        })
        .catch(function () {});
    }, 5000);
  }
})();

// Forms that change something for a school (a new or revoked link) ask first, naming it.
document.addEventListener("submit", function (e) {
  var text = e.target.getAttribute && e.target.getAttribute("data-confirm");
  if (text && !window.confirm(text)) { e.preventDefault(); }
}, true);

// Opening a round: the due date follows the period chosen, and a past date is pointed out.
(function () {
  var period = document.getElementById("ky"), due = document.getElementById("han");
  var warn = document.getElementById("han-qua");
  if (!period || !due || !warn) return;
  function iso(text) {
    var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
    return m ? m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2) : "";
  }
  function check() {
    var d = iso(due.value);
    warn.hidden = !(d && d < due.getAttribute("data-today"));
  }
  period.addEventListener("change", function () {
    due.value = period.options[period.selectedIndex].getAttribute("data-due") || "";
    check();
  });
  due.addEventListener("input", check);
  check();
})();
