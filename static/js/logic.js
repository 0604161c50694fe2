/* Questionnaire logic in the browser: the same display conditions as surveys/logic.py.
 *
 * Every question wrapper carries data-code, data-type and (when it has one) data-condition.
 * The answers of earlier pages are in <script type="application/json" id="logic-answers">.
 * On every change the conditions are evaluated in page order; a hidden question counts as
 * unanswered for the conditions after it, as on the server, which stays the authority.
 */
(function () {
  "use strict";

  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  function same(a, b) {
    if (isNumber(a) && isNumber(b)) return a === b;
    return a === b;
  }

  function unanswered(v) {
    return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
  }

  function evaluate(condition, answers) {
    if (!condition || Object.keys(condition).length === 0) return true;
    if ("all" in condition) return condition.all.every(function (c) { return evaluate(c, answers); });
    if ("any" in condition) return condition.any.some(function (c) { return evaluate(c, answers); });
    if ("not" in condition) return !evaluate(condition.not, answers);
    var op = condition.op, target = condition.value;
    var value = Object.prototype.hasOwnProperty.call(answers, condition.q) ? answers[condition.q] : null;
    if (unanswered(value)) return op === "ne";
    switch (op) {
      case "answered": return true;
      case "eq": return same(value, target);
      case "ne": return !same(value, target);
      case "in": return target.some(function (t) { return same(value, t); });
      case "selected": return Array.isArray(value) && value.some(function (v) { return same(v, target); });
    }
    if (!isNumber(value) || !isNumber(target)) return false;
    switch (op) {
      case "gt": return value > target;
      case "ge": return value >= target;
      case "lt": return value < target;
      case "le": return value <= target;
    }
    return false;
  }

  /* The value a question's inputs hold, typed as the server stores it. */
  function valueOf(wrapper) {
    var type = wrapper.dataset.type, code = wrapper.dataset.code;
    var inputs = wrapper.querySelectorAll('[name="' + code + '"]');
    if (type === "multiple") {
      var chosen = [];
      inputs.forEach(function (i) { if (i.checked) chosen.push(parseInt(i.value, 10)); });
      return chosen.sort(function (a, b) { return a - b; });
    }
    if (type === "scale" || type === "single" || type === "yes_no") {
      var picked = null;
      inputs.forEach(function (i) { if (i.checked) picked = parseInt(i.value, 10); });
      return picked;
    }
    var raw = inputs.length ? String(inputs[0].value).trim() : "";
    if (raw === "") return null;
    if (type === "number") {
      var n = Number(raw);
      return isFinite(n) ? n : null;
    }
    return raw;
  }

  function update(wrappers, earlier) {
    var answers = Object.assign({}, earlier);
    wrappers.forEach(function (wrapper) {
      var condition = wrapper.dataset.condition ? JSON.parse(wrapper.dataset.condition) : null;
      var shown = evaluate(condition, answers);
      wrapper.hidden = !shown;
      if (shown) {
        var v = valueOf(wrapper);
        if (!unanswered(v)) answers[wrapper.dataset.code] = v;
      }
    });
  }

  window.surveyLogic = { evaluate: evaluate };

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("logic-answers");
    if (!data) return;
    var earlier = JSON.parse(data.textContent || "{}");
    var wrappers = Array.prototype.slice.call(document.querySelectorAll("[data-code]"));
    var form = wrappers.length ? wrappers[0].closest("form") : null;
    if (!form) return;
    update(wrappers, earlier);
    form.addEventListener("change", function () { update(wrappers, earlier); });
    form.addEventListener("input", function () { update(wrappers, earlier); });
  });
})();
