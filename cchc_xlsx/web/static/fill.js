// Điền trực tuyến: saves the draft on the server while the school types (a second after the
// last change, every few seconds while there is something unsaved, and when the tab is
// hidden or closed), asks the server for the real checks and shows each message at its
// field, and sends. Nothing here decides what is right: the checks are validate's own.
(function () {
  "use strict";
  var root = document.getElementById("dien");
  if (!root) return;
  var csrf = document.getElementById("csrf").value;
  var version = parseInt(root.getAttribute("data-version"), 10) || 0;
  var status = document.getElementById("trang-thai");
  var general = document.getElementById("loi-chung");
  var summary = document.getElementById("tong-ket");
  var result = document.getElementById("ket-qua");
  var sendButton = document.getElementById("gui");
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-f]"));
  var byName = {};
  inputs.forEach(function (el) { byName[el.name] = el; });
  var dirty = false, saving = false, stale = false, saveTimer = null, checkTimer = null;
  var checkSeq = 0;

  function entries() {
    var out = {};
    inputs.forEach(function (el) { if (el.value !== "") out[el.name] = el.value; });
    return out;
  }

  function post(url, body, keepalive) {
    body.csrf = csrf;
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () {
        return { message: "Máy chủ trả lời không đúng dạng (mã " + r.status + ")." };
      }).then(function (d) { d._status = r.status; return d; });
    });
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function showStale(message) {
    general.hidden = false;
    general.textContent = "";
    var p = document.createElement("p");
    p.className = "lead";
    p.textContent = message;
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = "Tải lại trang";
    b.addEventListener("click", function () { location.reload(); });
    general.appendChild(p);
    general.appendChild(b);
    sendButton.disabled = true;
  }

  function save(keepalive) {
    if (stale || saving || !dirty) return Promise.resolve();
    saving = true;
    dirty = false;
    say("Đang lưu bản nháp…");
    return post(root.getAttribute("data-save"), { version: version, entries: entries() },
                keepalive).then(function (d) {
      saving = false;
      if (d._status === 200) {
        version = d.version;
        root.setAttribute("data-version", String(version));
        say("Đã lưu bản nháp lúc " + d.saved_at + ".", "ok");
        if (dirty) schedule();
      } else if (d._status === 409) {
        stale = true;
        say(d.message, "bad");
        showStale(d.message);
      } else {
        dirty = true;
        say(d.message || "Chưa lưu được bản nháp.", "bad");
      }
    }, function () {
      saving = false;
      dirty = true;
      say("Chưa lưu được bản nháp (mất kết nối?); sẽ tự thử lại sau vài giây.", "bad");
    });
  }

  function schedule() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 1000);
  }

  function flush() {
    // resolves once everything typed is saved (or the page went stale)
    return new Promise(function (done) {
      (function step() {
        if (stale) return done(false);
        if (saving) return setTimeout(step, 150);
        if (dirty) return save().then(step);
        done(true);
      })();
    });
  }

  function clearMessages() {
    Array.prototype.forEach.call(root.querySelectorAll(".field"), function (box) {
      box.classList.remove("error", "warning");
      box.querySelector(".msgs").textContent = "";
    });
    Array.prototype.forEach.call(root.querySelectorAll(".card.has-error"), function (c) {
      c.classList.remove("has-error");
    });
    inputs.forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function message(issue) {
    var p = document.createElement("p");
    p.className = "msg " + issue.severity;
    var b = document.createElement("b");
    b.textContent = issue.severity_vi + ": ";
    p.appendChild(b);
    p.appendChild(document.createTextNode(issue.message));
    return p;
  }

  // A row nobody has started shows its messages only once the school tries to send: a
  // fresh return would otherwise open under two hundred "chưa ghi" lines.
  var showAll = false;
  function started(card) {
    return Array.prototype.some.call(card.querySelectorAll("[data-f]"),
                                     function (el) { return el.value !== ""; });
  }

  function show(d) {
    clearMessages();
    var first = null, waiting = 0;
    Object.keys(d.fields || {}).forEach(function (name) {
      var el = byName[name];
      if (!el) return;
      var box = el.closest(".field");
      if (!showAll && !started(box.closest(".card"))) { waiting += 1; return; }
      var issues = d.fields[name];
      issues.forEach(function (issue) { box.querySelector(".msgs").appendChild(message(issue)); });
      var bad = issues.some(function (i) { return i.severity === "error"; });
      box.classList.add(bad ? "error" : "warning");
      if (bad) {
        el.setAttribute("aria-invalid", "true");
        box.closest(".card").classList.add("has-error");
        if (!first) first = el;
      }
    });
    if (!stale) {
      general.textContent = "";
      general.hidden = !(d.general && d.general.length);
      (d.general || []).forEach(function (issue) { general.appendChild(message(issue)); });
    }
    if (d.errors) {
      summary.textContent = "Còn " + d.errors + " lỗi" + (d.warnings ? ", " + d.warnings +
        " cảnh báo" : "") + " (xem chữ đỏ ở từng ô" + (waiting ? "; " + waiting +
        " ô ở các dòng chưa điền sẽ được chỉ ra khi bấm «Gửi báo cáo»" : "") + ").";
      summary.className = "lead bad";
    } else {
      summary.textContent = "Không còn lỗi" + (d.warnings ? " (" + d.warnings +
        " cảnh báo)" : "") + "; có thể gửi báo cáo.";
      summary.className = "lead good";
    }
    return first;
  }

  function check() {
    var seq = ++checkSeq;
    return post(root.getAttribute("data-check"), { entries: entries() }).then(function (d) {
      if (seq === checkSeq && d._status === 200) show(d);
      if (seq === checkSeq && d._status === 429) scheduleCheck(); // the last one still runs
      return d;
    }, function () { return {}; });
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, 1500);
  }

  // A browser in English shows mm/dd/yyyy in its date field: say the date the Vietnamese way
  // beside it, so nobody sends 03/05 meaning the 3rd of May.
  function echoDate(el) {
    var echo = el.parentNode.querySelector(".date-echo");
    if (!echo) return;
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(el.value);
    echo.textContent = m ? "Ngày " + m[3] + "/" + m[2] + "/" + m[1] : "";
  }
  inputs.forEach(function (el) { if (el.type === "date") echoDate(el); });

  function changed(e) {
    if (e && e.target && e.target.type === "date") echoDate(e.target);
    dirty = true;
    result.hidden = true;
    schedule();
    scheduleCheck();
  }

  inputs.forEach(function (el) {
    el.addEventListener("input", changed);
    el.addEventListener("change", changed);
  });
  setInterval(function () { if (dirty && !saving) save(); }, 4000);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && dirty) save(true);
  });
  window.addEventListener("pagehide", function () { if (dirty) save(true); });

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.className = "button";
    return a;
  }

  sendButton.addEventListener("click", function () {
    showAll = true;
    sendButton.disabled = true;
    sendButton.textContent = "Đang lập sổ, kiểm tra và gửi…";
    clearTimeout(saveTimer);
    if (!dirty && version === 0) dirty = true; // nothing saved yet: save what is on screen
    flush().then(function (ok) {
      if (!ok) return null;
      return post(root.getAttribute("data-send"), { version: version });
    }).then(function (d) {
      sendButton.textContent = "Gửi báo cáo";
      sendButton.disabled = stale;
      if (!d) return;
      result.hidden = false;
      result.textContent = "";
      if (d._status !== 200) {
        result.className = "box bad";
        var p0 = document.createElement("p");
        p0.className = "lead";
        p0.textContent = d.message;
        result.appendChild(p0);
        if (d._status === 409) { stale = true; showStale(d.message); }
        return;
      }
      var first = show(d);
      result.className = "box " + (d.valid ? "good" : "bad");
      var p = document.createElement("p");
      p.className = "lead";
      p.textContent = (d.new ? "Đã gửi và ghi nhận lúc " + d.received_at :
        "Bài nộp này đã được ghi nhận trước đây") + ". Mã biên nhận: " + d.receipt + ". " +
        (d.valid ? "Báo cáo hợp lệ." : "Báo cáo còn " + d.errors +
         " lỗi; hãy sửa các ô có chữ đỏ rồi gửi lại.");
      result.appendChild(p);
      var actions = document.createElement("p");
      actions.className = "actions";
      actions.appendChild(link(d.receipt_url, "Xem biên nhận"));
      actions.appendChild(link(d.file_url, "Tải sổ Excel đã điền"));
      result.appendChild(actions);
      say("Đã gửi bản nháp lúc " + d.received_at + ".", "ok");
      if (!d.valid && first) first.focus();
    }, function () {
      sendButton.textContent = "Gửi báo cáo";
      sendButton.disabled = false;
      say("Chưa gửi được (mất kết nối?); hãy thử lại.", "bad");
    });
  });

  if (Object.keys(entries()).length) check();
})();
