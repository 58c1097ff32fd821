// Coding screen: select a span of the answer (offsets in Unicode code points, as the server
// and REFI-QDA count) and apply a code with a button or its keyboard shortcut.
(function () {
  "use strict";
  var answer = document.getElementById("answer-text");
  if (!answer) { return; }
  var start = document.getElementById("span-start"), end = document.getElementById("span-end"), shown = document.getElementById("span-shown");
  function codePoints(text) { return Array.from(text).length; }
  function offsetIn(node, offset) {
    var range = document.createRange();
    range.selectNodeContents(answer);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }
  function update() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed || !answer.contains(selection.anchorNode) || !answer.contains(selection.focusNode)) {
      start.value = ""; end.value = ""; shown.textContent = shown.dataset.whole; return;
    }
    var range = selection.getRangeAt(0);
    var a = offsetIn(range.startContainer, range.startOffset), b = offsetIn(range.endContainer, range.endOffset);
    start.value = String(Math.min(a, b)); end.value = String(Math.max(a, b));
    shown.textContent = "\u201c" + range.toString() + "\u201d";
  }
  document.addEventListener("selectionchange", update);
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT"))) { return; }
    var button = document.querySelector('button[data-key="' + event.key.toLowerCase() + '"]');
    if (button) { event.preventDefault(); button.click(); }
    else if (event.key === "Enter" && document.getElementById("done")) { event.preventDefault(); document.getElementById("done").click(); }
  });
})();
