/* Autosave of the interview page: a few seconds after typing stops, and when a field is left.
   POSTs only the changed fields with the version the page holds; a 409 means someone else saved
   in between: nothing was stored, and their version is shown. */
(function () {
  "use strict";
  var form = document.getElementById("interview-form");
  if (!form || form.querySelector("fieldset[disabled]")) { return; }
  var DELAY_MS = 3000, RETRY_MS = 5000;
  var url = form.dataset.autosaveUrl;
  var statusEl = document.getElementById("save-status");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var version = parseInt(form.dataset.version, 10);
  var dirty = new Set(), timer = null, saving = null, conflict = false, blocked = false, pendingCurrent = null;
  var SKIP = { csrfmiddlewaretoken: true, version: true };

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    statusEl.className = "small fw-semibold " + ({ saved: "text-success", saving: "text-body-secondary",
      dirty: "text-warning-emphasis", offline: "text-danger", error: "text-danger", conflict: "text-danger" }[state] || "");
  }
  function fieldValue(name) {
    var els = form.querySelectorAll('[name="' + name + '"]');
    if (!els.length) { return null; }
    if (els[0].type === "checkbox") { return Array.prototype.filter.call(els, function (e) { return e.checked; }).map(function (e) { return e.value; }); }
    if (els[0].type === "radio") { var c = Array.prototype.find.call(els, function (e) { return e.checked; }); return c ? c.value : ""; }
    return els[0].value;
  }
  function setVersion(v) {
    version = v;
    document.querySelectorAll("input[name=version]").forEach(function (el) { el.value = v; });
  }
  function clearErrors(names) {
    names.forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) { return; }
      box.querySelectorAll(".autosave-error").forEach(function (el) { el.remove(); });
      box.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    });
  }
  function showErrors(errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) { return; }
      clearErrors([name]);
      var p = document.createElement("div");
      p.className = "autosave-error text-danger small";
      p.textContent = errors[name].join(" ");
      box.appendChild(p);
      box.querySelectorAll("input, textarea, select").forEach(function (el) { el.classList.add("is-invalid"); });
    });
  }
  function normal(v) {
    if (v === null || v === undefined || v === "") { return ""; }
    if (Array.isArray(v)) { return v.map(String).sort().join(","); }
    return String(v);
  }
  function setFieldValue(name, value) {
    var els = form.querySelectorAll('[name="' + name + '"]');
    if (!els.length) { return; }
    if (els[0].type === "checkbox" || els[0].type === "radio") {
      var wanted = (Array.isArray(value) ? value : (value === null || value === undefined ? [] : [value])).map(String);
      els.forEach(function (e) { e.checked = wanted.indexOf(e.value) >= 0; });
    } else {
      els[0].value = value === null || value === undefined ? "" : value;
    }
  }
  function row(label, theirs, mine) {
    var tr = document.createElement("tr");
    [label, theirs, mine].forEach(function (text) {
      var td = document.createElement("td");
      td.className = "text-break";
      td.textContent = text;
      tr.appendChild(td);
    });
    return tr;
  }
  function showConflict(data) {
    // Their version, field by field: what they changed that I did not touch is taken over when I
    // keep my changes; where we both changed a field, both values are shown.
    var current = data.current || {};
    var answers = current.answers || {}, display = current.display || {}, labels = current.labels || {};
    pendingCurrent = current;
    document.getElementById("conflict-message").textContent = data.message || "";
    var rows = document.getElementById("conflict-rows");
    rows.textContent = "";
    var names = [];
    form.querySelectorAll("[name]").forEach(function (el) {
      if (!SKIP[el.name] && names.indexOf(el.name) < 0) { names.push(el.name); }
    });
    names.forEach(function (name) {
      var mine = fieldValue(name);
      if (normal(answers[name]) === normal(mine)) { return; }
      var shownMine = dirty.has(name) ? (Array.isArray(mine) ? mine.length + " ✓" : String(mine || "—")) : form.dataset.msgUntouched;
      rows.appendChild(row(labels[name] || name, display[name] || "—", shownMine));
    });
    var panel = document.getElementById("conflict");
    panel.hidden = false;
    document.getElementById("conflict-keep").hidden = false;
    panel.scrollIntoView({ behavior: "smooth", block: "start" });
  }
  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, ms);
  }
  function save() {
    if (saving) { return saving; }
    if (conflict || blocked || !dirty.size) { return Promise.resolve(!conflict && !blocked && !dirty.size); }
    var names = Array.from(dirty), answers = {};
    names.forEach(function (n) { answers[n] = fieldValue(n); });
    dirty.clear();
    setStatus("saving", form.dataset.msgSaving);
    saving = fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ version: version, answers: answers })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) {
          setVersion(data.version);
          clearErrors(names);
          // the server's text of the time (the user's zone and language, the zone named): no second clock here
          setStatus("saved", form.dataset.msgSaved.replace("{time}", data.saved_at_display).replace("{version}", data.version));
          return true;
        }
        names.forEach(function (n) { dirty.add(n); });
        if (r.status === 409) { conflict = true; showConflict(data); setStatus("conflict", data.message || ""); }
        else if (r.status === 422) { blocked = true; showErrors(data.errors); setStatus("error", data.message || form.dataset.msgFailed); }
        else { blocked = true; setStatus("error", data.message || form.dataset.msgFailed); }
        return false;
      });
    }).catch(function () {
      names.forEach(function (n) { dirty.add(n); });
      setStatus("offline", form.dataset.msgOffline);
      schedule(RETRY_MS);
      return false;
    }).finally(function () {
      saving = null;
      if (dirty.size && !conflict && !blocked) { schedule(DELAY_MS); }
    });
    return saving;
  }
  function touched(e) {
    var name = e.target && e.target.name;
    if (!name || SKIP[name]) { return; }
    dirty.add(name);
    blocked = false;
    if (!conflict) { setStatus("dirty", form.dataset.msgUnsaved); }
    schedule(DELAY_MS);
  }
  form.addEventListener("input", touched);
  form.addEventListener("change", function (e) {
    touched(e);
    if (e.target && e.target.tagName !== "TEXTAREA" && e.target.type !== "text") { schedule(300); }
  });
  form.addEventListener("focusout", function () { if (dirty.size) { save(); } });
  form.addEventListener("submit", function (e) {  // the Save button: save now through the endpoint
    e.preventDefault();
    blocked = false;
    save();
  });
  document.getElementById("conflict-keep").addEventListener("click", function () {
    // Take over their version for every field I did not change, then save my changes on top of it.
    if (!pendingCurrent) { return; }
    var answers = pendingCurrent.answers || {};
    form.querySelectorAll("[name]").forEach(function (el) {
      if (!SKIP[el.name] && !dirty.has(el.name)) { setFieldValue(el.name, answers[el.name]); }
    });
    setVersion(pendingCurrent.version);
    conflict = false; blocked = false; pendingCurrent = null;
    document.getElementById("conflict").hidden = true;
    save();
  });
  var complete = document.getElementById("complete-form");
  if (complete) {
    complete.addEventListener("submit", function (e) {
      if (!dirty.size && !saving) { return; }
      e.preventDefault();
      Promise.resolve(save()).then(function (ok) { if (ok && !dirty.size) { complete.submit(); } });
    });
  }
  window.addEventListener("beforeunload", function (e) {
    if (dirty.size || saving) { e.preventDefault(); e.returnValue = form.dataset.msgLeave; return form.dataset.msgLeave; }
  });
})();
