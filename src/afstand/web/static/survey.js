// afstand survey pages: progressive enhancement only. Every page works without this script
// (the server checks and keeps everything); with it, follow-up questions appear and disappear
// as the respondent answers, a ticked radio can be cleared in place, questions can be read
// aloud (browser speech synthesis, a voice in the page's language only), and links and codes
// can be copied. No framework, no network requests, nothing stored (the consent page's draft key
// lives in the page's own form, which the browser restores on Back).
(function () {
  "use strict";
  var form = document.querySelector("form.survey");

  // ---- XLSForm expressions (the subset the server's evaluator knows; anything else: leave shown)
  function tokenize(src) {
    var re = /\s*(?:(\$\{[A-Za-z_][\w.-]*\})|('[^']*'|"[^"]*")|(\d+(?:\.\d+)?|\.\d+)|(!=|<=|>=|=|<|>|\(|\)|,|\+|-|\*)|([A-Za-z][\w-]*)|(\.))/y;
    var out = [], pos = 0, text = src.trim();
    while (pos < text.length) {
      re.lastIndex = pos;
      var m = re.exec(text);
      if (!m || re.lastIndex === pos) throw new Error("cannot read " + text.slice(pos));
      if (m[1]) out.push(["ref", m[1].slice(2, -1)]);
      else if (m[2]) out.push(["str", m[2].slice(1, -1)]);
      else if (m[3]) out.push(["num", parseFloat(m[3])]);
      else if (m[4]) out.push(["op", m[4]]);
      else if (m[5]) out.push(["name", m[5]]);
      else out.push(["dot", "."]);
      pos = re.lastIndex;
    }
    return out;
  }
  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    var s = String(v).trim().replace(",", ".");
    return s === "" || isNaN(Number(s)) ? NaN : Number(s);
  }
  function str(v) { return typeof v === "boolean" ? String(v) : typeof v === "number" ? (isNaN(v) ? "NaN" : String(v)) : String(v); }
  function bool(v) { return typeof v === "boolean" ? v : typeof v === "number" ? (v !== 0 && !isNaN(v)) : String(v) !== ""; }
  function compare(a, b, op) {
    if (typeof a === "boolean" || typeof b === "boolean") { a = bool(a); b = bool(b); }
    else if (typeof a === "number" || typeof b === "number" || (op !== "=" && op !== "!=")) { a = num(a); b = num(b); }
    else { a = str(a); b = str(b); }
    switch (op) {
      case "=": return a === b; case "!=": return a !== b; case "<": return a < b;
      case "<=": return a <= b; case ">": return a > b; default: return a >= b;
    }
  }
  var FUNCTIONS = {
    "selected": function (a, b) { return str(a).split(/\s+/).indexOf(str(b)) >= 0; },
    "count-selected": function (a) { var s = str(a).trim(); return s ? s.split(/\s+/).length : 0; },
    "string-length": function (a) { return str(a).length; },
    "number": function (a) { return num(a); },
    "not": function (a) { return !bool(a); },
    "true": function () { return true; },
    "false": function () { return false; }
  };
  function parse(tokens, value) {
    var pos = 0;
    function peek() { return tokens[pos]; }
    function take(v) {
      var t = tokens[pos++];
      if (!t || (v !== undefined && t[1] !== v)) throw new Error("expected " + v);
      return t;
    }
    function isWord(w) { var t = peek(); return t && t[0] === "name" && t[1] === w; }
    function or() { var l = and(); while (isWord("or")) { take(); var r = and(); l = bool(l) || bool(r); } return l; }
    function and() { var l = cmp(); while (isWord("and")) { take(); var r = cmp(); l = bool(l) && bool(r); } return l; }
    function cmp() {
      var l = add();
      while (peek() && peek()[0] === "op" && ["=", "!=", "<", "<=", ">", ">="].indexOf(peek()[1]) >= 0) { var op = take()[1]; l = compare(l, add(), op); }
      return l;
    }
    function add() {
      var l = mul();
      while (peek() && peek()[0] === "op" && (peek()[1] === "+" || peek()[1] === "-")) { var op = take()[1]; var r = mul(); l = op === "+" ? num(l) + num(r) : num(l) - num(r); }
      return l;
    }
    function mul() {
      var l = unary();
      while (peek() && ((peek()[0] === "op" && peek()[1] === "*") || isWord("div") || isWord("mod"))) {
        var op = take()[1]; var r = num(unary());
        l = op === "*" ? num(l) * r : op === "div" ? num(l) / r : num(l) % r;
      }
      return l;
    }
    function unary() { if (peek() && peek()[1] === "-" && peek()[0] === "op") { take(); return -num(unary()); } return primary(); }
    function primary() {
      var t = take();
      if (t[0] === "num" || t[0] === "str") return t[1];
      if (t[0] === "ref") return value(t[1]);
      if (t[0] === "dot") return "";
      if (t[0] === "op" && t[1] === "(") { var v = or(); take(")"); return v; }
      if (t[0] === "name" && FUNCTIONS[t[1]]) {
        take("("); var args = [];
        if (peek() && peek()[1] !== ")") { args.push(or()); while (peek() && peek()[1] === ",") { take(); args.push(or()); } }
        take(")");
        return FUNCTIONS[t[1]].apply(null, args);
      }
      throw new Error("unsupported " + t[1]);
    }
    var result = or();
    if (pos !== tokens.length) throw new Error("unexpected token");
    return bool(result);
  }

  function pageValue(context, name) {
    var inputs = form.querySelectorAll("[name='q-" + name + "']");  // fields are namespaced: q-<key>
    if (!inputs.length) return context[name] || "";
    var values = [];
    inputs.forEach(function (input) {
      if (input.disabled) return;
      if (input.type === "radio" || input.type === "checkbox") { if (input.checked) values.push(input.value); }
      else if (input.value.trim()) values.push(input.value.trim());
    });
    return values.join(" ");
  }

  function showAndHide(context, conditions) {
    var changed = true, rounds = 0;
    while (changed && rounds++ < 10) {  // a follow-up of a follow-up settles in a few rounds
      changed = false;
      conditions.forEach(function (entry) {
        var show;
        try { show = parse(entry.tokens, function (n) { return pageValue(context, n); }); } catch (e) { show = true; }
        if (show === !entry.node.hidden) return;
        entry.node.hidden = !show;
        entry.node.querySelectorAll("input, textarea, select, button").forEach(function (el) { el.disabled = !show; });
        changed = true;
      });
    }
  }

  if (form) {
    var contextNode = document.getElementById("context");
    var context = contextNode ? JSON.parse(contextNode.textContent || "{}") : {};
    var conditions = [];
    form.querySelectorAll("[data-relevant]").forEach(function (node) {
      try { conditions.push({ node: node, tokens: tokenize(node.getAttribute("data-relevant")) }); } catch (e) { /* the server decides */ }
    });
    var update = function () { showAndHide(context, conditions); };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
    // clearing a radio: in place, without a page step
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-clear]");
      if (!button) return;
      event.preventDefault();
      form.querySelectorAll("input[name='" + button.getAttribute("data-clear") + "']").forEach(function (input) { input.checked = false; });
      update();
      var first = form.querySelector("input[name='" + button.getAttribute("data-clear") + "']");
      if (first) first.focus();
    });
  }

  // ---- the consent page's key: made here, restored by the browser when Back returns to this page
  // (a text field: browsers restore those, not hidden inputs), so that Next there continues the
  // same draft instead of an empty one (the server checks the origin)
  var keyField = form && form.querySelector("input[name=k]");
  if (keyField && !keyField.value && window.crypto && crypto.getRandomValues) {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    keyField.value = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // ---- the language link keeps what was typed on this page (without the script it is a plain link)
  var langLink = document.querySelector("a.lang[hreflang]");
  if (form && langLink && form.getAttribute("action").indexOf("/verder/") >= 0) {
    langLink.addEventListener("click", function (event) {
      event.preventDefault();
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "action"; input.value = "lang:" + langLink.getAttribute("hreflang");
      form.appendChild(input);
      form.submit();
    });
  }

  // ---- copy, print
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy"));
      var value = target.getAttribute("href") || target.textContent.trim();
      navigator.clipboard.writeText(value).then(function () {
        var status = document.getElementById(button.getAttribute("data-copy") + "-status");
        if (status) status.textContent = button.getAttribute("data-done");
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // ---- read aloud: only with a voice in the page's language
  var body = document.body;
  if (body.hasAttribute("data-read-aloud") && "speechSynthesis" in window) {
    var lang = document.documentElement.lang || "nl";
    var setUp = false;
    var attach = function () {
      if (setUp) return;
      var voices = window.speechSynthesis.getVoices();
      var voice = voices.filter(function (v) { return v.lang && v.lang.toLowerCase().indexOf(lang) === 0; })[0];
      if (!voice) return;
      setUp = true;
      document.querySelectorAll("[data-read]").forEach(function (question) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "read";
        button.textContent = body.getAttribute("data-read-aloud");
        button.addEventListener("click", function () {
          window.speechSynthesis.cancel();
          var parts = [];
          question.querySelectorAll("legend, .label, .hint, label, th[scope=row]").forEach(function (n) { if (!n.closest("[hidden]")) parts.push(n.textContent.trim()); });
          var utterance = new SpeechSynthesisUtterance(parts.join(". "));
          utterance.lang = voice.lang; utterance.rate = 0.9;
          try { utterance.voice = voice; } catch (e) { /* the language alone picks a voice */ }
          window.speechSynthesis.speak(utterance);
        });
        question.insertBefore(button, question.querySelector(".hint, .choices, .field") || null);
      });
    };
    attach();
    window.speechSynthesis.addEventListener("voiceschanged", attach);
  }

  // ---- a form's error page is the answer to a post: make its history entry a GET, so that Back,
  // Forward and reload show the form again instead of the browser's "Confirm Form Resubmission"
  if (body.hasAttribute("data-posted") && window.history && history.replaceState) history.replaceState(null, "", location.href);

  var summary = document.getElementById("errors");
  if (summary && document.activeElement !== summary) summary.focus();
})();
