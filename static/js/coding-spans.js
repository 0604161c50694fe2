/* Mark the words of the answer that support a code: select them, press "Use selected text".
   The offsets are counted in the answer's text; the server checks them against the quote. */
(function () {
  "use strict";
  var box = document.getElementById("unit-text");
  if (!box) { return; }
  function offsets() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) { return null; }
    var before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(range.startContainer, range.startOffset);
    var start = before.toString().length, quote = range.toString();
    return quote ? { start: start, end: start + quote.length, quote: quote } : null;
  }
  document.querySelectorAll(".code-row").forEach(function (row) {
    var pk = row.dataset.category;
    function field(name) { return row.querySelector('[name="' + name + "_" + pk + '"]'); }
    var use = row.querySelector(".span-use"), clear = row.querySelector(".span-clear"), q = row.querySelector(".span-quote");
    if (use) {
      use.addEventListener("click", function () {
        var span = offsets();
        if (!span) { return; }
        field("start").value = span.start; field("end").value = span.end; field("quote").value = span.quote;
        q.textContent = span.quote;
        field("code").checked = true;
      });
    }
    if (clear) {
      clear.addEventListener("click", function () {
        field("start").value = ""; field("end").value = ""; field("quote").value = ""; q.textContent = "";
      });
    }
  });
})();
