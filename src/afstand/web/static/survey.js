// afstand survey pages: progressive enhancement only. Every page works without this script
// (the server checks and keeps everything); with it, follow-up questions appear and disappear
// as the respondent answers, a ticked radio can be cleared in place, questions can be read
// aloud (browser speech synthesis, a voice in the page's language only), and links and codes
// can be copied. No framework, no network requests; what is typed on a page is kept in the tab's
// sessionStorage until the page is sent (so a reload does not lose it), nothing else is stored.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");

  // ---- XLSForm expressions: the server's evaluator (afstand/instrument/xpath.py and
  // xpath_functions.py) for the conditions that read answers of this page. The server sends each
  // condition with a map from every reference as written (${age}, ../sex, /data/g/x) to the page
  // field or context value it reads, resolved by the server's own resolver, so a relative path
  // reads the same answer here as there. Anything this script cannot read leaves the question
  // shown: the server decides when the page is sent.
  var NAME = "[A-Za-z_][\\p{L}\\p{N}\\p{M}_.-]*";
  var TOKEN = new RegExp("\\s*(?:(\\$\\{" + NAME + "\\})|('[^']*'|\"[^\"]*\")" +
    "|((?:\\.\\./)+" + NAME + "(?:/" + NAME + ")*|\\.\\.(?![\\p{L}\\p{N}_.])|\\./" + NAME + "(?:/" + NAME + ")*)" +
    "|(/" + NAME + "(?:/" + NAME + ")*)|(\\d+(?:\\.\\d*)?|\\.\\d+)|(\\.)" +
    "|(!=|<=|>=|=|<|>|\\(|\\)|,|\\+|-|\\*)|(" + NAME + "(?::" + NAME + ")?))", "uy");
  var KINDS = [null, "ref", "str", "path", "path", "num", "dot", "op", "name"];
  function tokenize(src) {
    var out = [], pos = 0, text = src.trim();
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(text);
      if (!m || TOKEN.lastIndex === pos) throw new Error("cannot read " + text.slice(pos));
      for (var k = 1; k < KINDS.length; k++) {
        if (m[k] === undefined) continue;
        out.push([KINDS[k], KINDS[k] === "str" ? m[k].slice(1, -1) : KINDS[k] === "num" ? parseFloat(m[k]) : m[k]]);
        break;
      }
      pos = TOKEN.lastIndex;
    }
    return out;
  }
  function first(v) { return Array.isArray(v) ? (v.length ? v[0] : "") : v; }
  function utcDays(y, m, d) {  // days since 1970-01-01 of a valid Gregorian date (years 1–9999, as Python's date), else NaN
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return NaN;
    var t = new Date(0);
    t.setUTCFullYear(y, m - 1, d);  // not Date.UTC: it reads years 0–99 as 1900–1999
    return t.getUTCDate() === d ? t.getTime() / 864e5 : NaN;
  }
  var DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
  function moment(s) {  // an ISO date-time as the server's parse_datetime reads it, else null
    var t = DATETIME.exec(String(s).trim());
    if (!t) return null;
    var day = utcDays(+t[1], +t[2], +t[3]), h = +t[4], mi = +t[5], sec = +(t[6] || 0);
    var micro = +((t[7] || "0").slice(0, 6) + "000000").slice(0, 6), shift = 0;
    if (isNaN(day) || h > 23 || mi > 59 || sec > 59) return null;
    if (t[8] && t[8] !== "Z") {
      var z = t[8].replace(":", ""), minutes = +z.slice(1, 3) * 60 + +z.slice(3);
      if (minutes >= 24 * 60) return null;  // Python's timezone takes less than a day
      shift = (z[0] === "-" ? -1 : 1) * minutes;
    }
    return { day: day, hour: h, minute: mi, second: sec, micro: micro, shift: shift };
  }
  function days(s) {  // an ISO date or date-time as days since 1970-01-01, as the server reads it
    var d = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(s);
    if (d) return utcDays(+d[1], +d[2], +d[3]);
    var t = moment(s);
    if (!t) return NaN;
    var seconds = t.day * 86400 + (t.hour * 60 + t.minute - t.shift) * 60 + t.second;  // as timedelta.total_seconds()
    return ((seconds * 1e6 + t.micro) / 1e6) / 86400;
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  function pad(n, width) { var s = String(n); while (s.length < width) s = "0" + s; return s; }
  function dateOf(v) {  // the day a value names (the server's _date_of), as a UTC Date, or null
    v = first(v);
    if (typeof v === "string" && v.length >= 10) {
      var d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.slice(0, 10).trim());
      if (d && !isNaN(utcDays(+d[1], +d[2], +d[3]))) return new Date(utcDays(+d[1], +d[2], +d[3]) * 864e5);
    }
    var n = num(v);
    if (isNaN(n) || Math.abs(n) > 2900000) return null;
    n = Math.floor(n);
    return n < -719162 ? null : new Date(n * 864e5);  // before 0001-01-01: none (Python's date)
  }
  function isoDate(day) { return pad(day.getUTCFullYear(), 4) + "-" + pad(day.getUTCMonth() + 1, 2) + "-" + pad(day.getUTCDate(), 2); }
  function formatDate(v, pattern) {
    var day = dateOf(v);
    if (!day) return "";
    var m = typeof first(v) === "string" ? moment(str(v)) : null;
    var fields = {
      "%Y": pad(day.getUTCFullYear(), 4), "%y": pad(day.getUTCFullYear() % 100, 2), "%m": pad(day.getUTCMonth() + 1, 2),
      "%n": String(day.getUTCMonth() + 1), "%b": MONTHS[day.getUTCMonth()], "%d": pad(day.getUTCDate(), 2),
      "%e": String(day.getUTCDate()), "%a": WEEKDAYS[day.getUTCDay()],
      "%H": m ? pad(m.hour, 2) : "00", "%h": m ? String(m.hour) : "0", "%M": m ? pad(m.minute, 2) : "00",
      "%S": m ? pad(m.second, 2) : "00", "%3": m ? pad(Math.floor(m.micro / 1000), 3) : "000"
    };
    return str(pattern).replace(/%[YymnbdeaHhMS3]/g, function (f) { return fields[f]; });
  }
  function num(v) {
    v = first(v);
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    var s = String(v).trim();
    return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? parseFloat(s) : days(s);
  }
  function str(v) {
    v = first(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      if (isNaN(v)) return "NaN";
      if (!isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return String(v);
    }
    return v === null || v === undefined ? "" : String(v);
  }
  function bool(v) {
    if (Array.isArray(v)) return v.some(function (x) { return str(x) !== ""; });
    return typeof v === "boolean" ? v : typeof v === "number" ? (v !== 0 && !isNaN(v)) : str(v) !== "";
  }
  function compare(a, b, op) {
    if (Array.isArray(a) || Array.isArray(b)) {  // node-sets: true when some pair compares true
      var left = Array.isArray(a) ? a : [a], right = Array.isArray(b) ? b : [b];
      return left.some(function (x) { return right.some(function (y) { return compare(x, y, op); }); });
    }
    if (op === "=" || op === "!=") {
      var equal;
      if (typeof a === "boolean" || typeof b === "boolean") equal = bool(a) === bool(b);
      else if (typeof a === "number" || typeof b === "number") equal = num(a) === num(b);
      else equal = str(a) === str(b);
      return op === "=" ? equal : !equal;
    }
    var x = num(a), y = num(b);
    if (isNaN(x) || isNaN(y)) return false;
    return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
  }
  function values(args) { var out = []; args.forEach(function (a) { out = out.concat(Array.isArray(a) ? a : [a]); }); return out; }
  function math1(f) { return function (a) { var x = num(a); return isNaN(x) || !isFinite(x) ? x : f(x); }; }
  function minmax(pick) {
    return function () {
      var xs = values([].slice.call(arguments)).map(num);
      return !xs.length || xs.some(isNaN) ? NaN : pick.apply(null, xs);
    };
  }
  var FUNCTIONS = {
    "selected": function (a, b) { return str(a).trim().split(/\s+/).indexOf(str(b).trim()) >= 0; },
    "count-selected": function (a) { var s = str(a).trim(); return s ? s.split(/\s+/).length : 0; },
    "selected-at": function (a, i) { var p = str(a).trim().split(/\s+/).filter(Boolean), n = num(i); return n >= 0 && n < p.length ? p[Math.floor(n)] : ""; },
    "string-length": function (a) { return Array.from(str(a)).length; },
    "regex": function (a, p) { return new RegExp(str(p), "u").test(str(a)); },
    "concat": function () { return values([].slice.call(arguments)).map(str).join(""); },
    "coalesce": function (a, b) { return str(a) !== "" ? str(a) : str(b); },
    "contains": function (a, b) { return str(a).indexOf(str(b)) >= 0; },
    "starts-with": function (a, b) { return str(a).indexOf(str(b)) === 0; },
    "ends-with": function (a, b) { var x = str(a), y = str(b); return x.slice(x.length - y.length) === y || y === ""; },
    "substr": function (a, start, end) {
      var t = Array.from(str(a)), b = num(start), e = end === undefined ? t.length : num(end);
      if (isNaN(b) || isNaN(e)) return "";
      b = Math.max(0, Math.min(t.length, Math.trunc(Math.max(b, -1e9)))); e = Math.max(0, Math.min(t.length, Math.trunc(Math.min(e, 1e9))));
      return t.slice(b, e).join("");
    },
    "translate": function (a, from, to) {
      var f = Array.from(str(from)), t = Array.from(str(to)), map = {};
      for (var i = f.length - 1; i >= 0; i--) map[f[i]] = i < t.length ? t[i] : "";
      return Array.from(str(a)).map(function (c) { return Object.prototype.hasOwnProperty.call(map, c) ? map[c] : c; }).join("");
    },
    "join": function (sep) { return values([].slice.call(arguments, 1)).map(str).join(str(sep)); },
    "pow": function (a, b) { return Math.pow(num(a), num(b)); },
    "sqrt": function (a) { var x = num(a); return x >= 0 ? Math.sqrt(x) : NaN; },
    "exp": function (a) { return Math.exp(num(a)); },
    "log": function (a) { var x = num(a); return x > 0 ? Math.log(x) : NaN; },
    "log10": function (a) { var x = num(a); return x > 0 ? Math.log10(x) : NaN; },
    "pi": function () { return Math.PI; },
    "once": function (a) { return a; },
    "substring-before": function (a, b) { var i = str(a).indexOf(str(b)); return i >= 0 ? str(a).slice(0, i) : ""; },
    "substring-after": function (a, b) { var i = str(a).indexOf(str(b)); return i >= 0 ? str(a).slice(i + str(b).length) : ""; },
    "normalize-space": function (a) { return str(a).trim().split(/\s+/).join(" "); },
    "string": function (a) { return str(a); },
    "number": function (a) { return num(a); },
    "boolean": function (a) { return bool(a); },
    "boolean-from-string": function (a) { return str(a) === "true" || str(a) === "1"; },
    "not": function (a) { return !bool(a); },
    "true": function () { return true; },
    "false": function () { return false; },
    "int": math1(Math.trunc),
    "floor": math1(Math.floor),
    "ceiling": math1(Math.ceil),
    "abs": math1(Math.abs),
    "round": function (a, d) {
      var x = num(a), n = d === undefined ? 0 : num(d);
      if (isNaN(x) || !isFinite(x) || isNaN(n) || Math.abs(n) > 15) return isNaN(n) ? NaN : x;
      var scale = Math.pow(10, Math.trunc(n));
      return Math.floor(x * scale + 0.5) / scale;
    },
    "min": minmax(Math.min),
    "max": minmax(Math.max),
    "sum": function () { return values([].slice.call(arguments)).map(num).reduce(function (s, x) { return s + x; }, 0); },
    "count": function (a) { return Array.isArray(a) ? a.length : 1; },
    "count-non-empty": function () { return values([].slice.call(arguments)).filter(function (x) { return str(x) !== ""; }).length; },
    "date": function (a) { var d = dateOf(a); return d ? isoDate(d) : ""; },
    "date-time": function (a) { var d = dateOf(a); return d ? isoDate(d) : ""; },
    "decimal-date": function (a) { return num(a); },
    "decimal-date-time": function (a) { return num(a); },
    "format-date": formatDate,
    "format-date-time": formatDate,
    "indexed-repeat": function (v, repeat, index) {  // the index-th answer of a question in a repeat (1 = the first)
      var all = Array.isArray(v) ? v : [v], i = num(index);
      return !isNaN(i) && i >= 1 && i <= all.length ? all[Math.trunc(i) - 1] : "";
    }
  };
  // functions that read the current value when called without an argument
  var OF_CURRENT = { "string-length": 1, "normalize-space": 1, "string": 1, "number": 1 };
  // env: {today, current (the value of '.'), position (position()), choices (jr:choice-name: reference → name → label)}
  function parse(tokens, value, env) {
    var pos = 0;
    function peek() { return tokens[pos]; }
    function take(v) {
      var t = tokens[pos++];
      if (!t || (v !== undefined && t[1] !== v)) throw new Error("expected " + v);
      return t;
    }
    function isWord(w) { var t = peek(); return t && t[0] === "name" && t[1] === w; }
    function isOp(ops) { var t = peek(); return t && t[0] === "op" && ops.indexOf(t[1]) >= 0; }
    function or() { var l = and(); while (isWord("or")) { take(); var r = and(); l = bool(l) || bool(r); } return l; }
    function and() { var l = eq(); while (isWord("and")) { take(); var r = eq(); l = bool(l) && bool(r); } return l; }
    function eq() { var l = rel(); while (isOp(["=", "!="])) { var op = take()[1]; l = compare(l, rel(), op); } return l; }
    function rel() { var l = add(); while (isOp(["<", "<=", ">", ">="])) { var op = take()[1]; l = compare(l, add(), op); } return l; }
    function add() {
      var l = mul();
      while (isOp(["+", "-"])) { var op = take()[1]; var r = mul(); l = op === "+" ? num(l) + num(r) : num(l) - num(r); }
      return l;
    }
    function mul() {
      var l = unary();
      while (isOp(["*"]) || isWord("div") || isWord("mod")) {
        var op = take()[1], x = num(l), y = num(unary());
        if (op === "*") l = x * y;
        else if (op === "div") l = x / y;
        else l = y === 0 || !isFinite(x) || isNaN(y) ? NaN : x % y;
      }
      return l;
    }
    function unary() { if (isOp(["-"])) { take(); return -num(unary()); } return primary(); }
    function primary() {
      var t = take();
      if (t[0] === "num" || t[0] === "str") return t[1];
      if (t[0] === "ref" || t[0] === "path") return value(t[1]);
      if (t[0] === "dot") return env.current === undefined ? "" : env.current;  // a condition's own value is empty
      if (t[0] === "op" && t[1] === "(") { var v = or(); take(")"); return v; }
      if (t[0] === "name" && peek() && peek()[1] === "(") {
        take("("); var args = [];
        if (peek() && peek()[1] !== ")") { args.push(or()); while (peek() && peek()[1] === ",") { take(); args.push(or()); } }
        take(")");
        if (t[1] === "if") { if (args.length !== 3) throw new Error("if()"); return bool(args[0]) ? args[1] : args[2]; }
        if (t[1] === "today") return env.today;
        if (t[1] === "position") { if (env.position === undefined) throw new Error("position()"); return env.position; }
        if (t[1] === "jr:choice-name") {
          var labels = (env.choices || {})[str(args[1]).trim()];
          if (args.length !== 2 || !labels) throw new Error("jr:choice-name()");  // a reference the server did not send
          return Object.prototype.hasOwnProperty.call(labels, str(args[0])) ? labels[str(args[0])] : str(args[0]);
        }
        if (!args.length && OF_CURRENT[t[1]]) args = [env.current === undefined ? "" : env.current];
        if (!FUNCTIONS[t[1]]) throw new Error("unsupported " + t[1]);
        return FUNCTIONS[t[1]].apply(null, args);
      }
      throw new Error("unsupported " + t[1]);
    }
    var result = or();
    if (pos !== tokens.length) throw new Error("unexpected token");
    return result;
  }

  var SPACES = /[\s\u00a0\u202f]+/g, AROUND = /\s*([+\-\u2212.,])\s*/g;
  var GROUPED = /^[+\-\u2212]?\d{1,3}(?: \d{3})+(?:[.,]\d*)?$/, PLAIN = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/;
  var THOUSAND = /^[+-]?[1-9]\d{0,2}[.,]\d{3}$/;
  function typedNumber(text, integer) {  // the server's parse_number/canonical_number; null when it refuses the text
    var spaced = text.replace(SPACES, " ").trim().replace(AROUND, "$1");
    if (spaced.indexOf(" ") >= 0 && !GROUPED.test(spaced)) return null;
    var cleaned = spaced.replace(/ /g, "").replace(/\u2212/g, "-");
    if (!PLAIN.test(cleaned) || THOUSAND.test(cleaned)) return null;
    var value = parseFloat(cleaned.replace(",", "."));
    if (!isFinite(value) || Math.abs(value) > 9007199254740992 || (integer && Math.floor(value) !== value)) return null;
    return value;
  }
  function pageValue(logic, computed, name) {
    if (Object.prototype.hasOwnProperty.call(computed, name)) return computed[name];
    var inputs = form.querySelectorAll("[name='" + name.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "']");
    if (!inputs.length) return Object.prototype.hasOwnProperty.call(logic.values, name) ? logic.values[name] : "";
    var found = [];
    inputs.forEach(function (input) {
      if (input.disabled) return;
      if (input.type === "radio" || input.type === "checkbox") { if (input.checked) found.push(input.value); }
      else if (input.classList.contains("number")) {  // read as the server reads it; one it cannot read is no answer
        var n = input.value.trim() ? typedNumber(input.value, input.getAttribute("inputmode") === "numeric") : null;
        if (n !== null) found.push(str(n));
      } else if (input.value.trim()) found.push(input.value.trim());
    });
    return found.join(" ");
  }
  // a condition: [expression, {reference as written: field or context name}]; all must hold
  function envOf(logic, env, current) {
    return { today: logic.today, current: current, position: env.position, choices: env.choices };
  }
  function evaluate(logic, computed, c, current) {
    return parse(c.tokens, function (ref) {
      return Object.prototype.hasOwnProperty.call(c.refs, ref) ? pageValue(logic, computed, c.refs[ref]) : "";
    }, envOf(logic, c.env, current));
  }
  function holds(logic, computed, conditions) {
    return conditions.every(function (c) { return bool(evaluate(logic, computed, c)); });
  }
  function compile(list) {
    return list.map(function (c) { return { tokens: tokenize(c[0]), refs: c[1], env: c[2] || {} }; });
  }

  function showAndHide(logic, calculations, conditions) {
    var changed = true, rounds = 0, computed = {};
    while (changed && rounds++ < 10) {  // a follow-up of a follow-up settles in a few rounds
      changed = false;
      computed = {};
      calculations.forEach(function (calc) {  // in document order, as the server computes them
        var v;
        try { v = holds(logic, computed, calc.conditions) ? str(evaluate(logic, computed, calc)) : ""; } catch (e) { v = ""; }
        computed[calc.name] = v;
      });
      conditions.forEach(function (entry) {
        var show;
        try { show = holds(logic, computed, entry.conditions); } catch (e) { show = true; }
        if (show === !entry.node.hidden) return;
        entry.node.hidden = !show;
        entry.node.querySelectorAll("input, textarea, select, button").forEach(function (el) { el.disabled = !show; });
        changed = true;
      });
    }
    return computed;
  }

  // ---- constraints, checked when the page is sent forward as the server will check them; a
  // refused answer is shown in the server's error pattern (summary with links, a message linked
  // to its field, the title starting with "Error:") and the page is not sent. Anything this
  // script cannot read or evaluate is left to the server.
  function fieldValue(name) {  // a field's answer as the server reads it from the posted page
    var found = [];
    form.querySelectorAll("[name='" + name.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "']").forEach(function (input) {
      if (input.disabled) return;
      if (input.type === "radio" || input.type === "checkbox") { if (input.checked) found.push(input.value); }
      else found.push(input.value.trim());
    });
    return found.filter(Boolean).join(" ");
  }
  // ${name} in a constraint_message, filled in from the page as the server fills it in (engine.interpolate,
  // pyxform's <output>): the constraint's map holds the field or context value of each reference; a
  // name the form does not have stays as written
  var REFERENCE = new RegExp("\\$\\{" + NAME + "\\}", "gu");
  function filled(logic, computed, text, refs) {
    return String(text || "").replace(REFERENCE, function (ref) {
      return Object.prototype.hasOwnProperty.call(refs, ref) ? str(pageValue(logic, computed, refs[ref])) : ref;
    });
  }
  function check(logic, computed, constraints) {  // [the constraints evaluated, those that fail]
    var checked = [], failed = [];
    constraints.forEach(function (c) {
      if (c.node.closest("[hidden]")) return;  // not asked
      var text = fieldValue(c.field), current = text;
      if (text === "") return;  // the server checks only answers given
      if (c.check.env.number && (current = typedNumber(text, c.check.env.integer)) === null) return;  // its own number error
      try {
        var ok = bool(evaluate(logic, computed, c.check, current));
        checked.push(c);
        if (!ok) failed.push(Object.assign({}, c, { message: filled(logic, computed, c.message, c.check.refs) }));
      } catch (e) { /* the server decides */ }
    });
    return [checked, failed];
  }
  function setError(c, on) {
    var id = "m-" + c.name, target = c.node.tagName === "FIELDSET" ? c.node : c.node.querySelector("input, textarea, select");
    var old = document.getElementById(id);
    if (old) old.remove();
    c.node.classList.toggle("invalid", on);
    c.node.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (on) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    });
    if (!target) return;
    var ids = (target.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) {
      var message = document.createElement("p");
      message.className = "message"; message.id = id; message.textContent = c.message;
      var anchor = c.node.querySelector(".choices") || c.node.querySelector("input, textarea, select");
      anchor.parentNode.insertBefore(message, anchor);
      ids.push(id);
    }
    if (ids.length) target.setAttribute("aria-describedby", ids.join(" ")); else target.removeAttribute("aria-describedby");
  }
  function showErrors(checked, failed) {
    var entries = [], names = {}, failing = {};
    failed.forEach(function (c) { failing[c.name] = failing[c.name] || c; });
    checked.forEach(function (c) { names[c.name] = failing[c.name] || c; });  // a question may be checked twice (required, constraint)
    Object.keys(names).forEach(function (name) { setError(names[name], !!failing[name]); });
    failed = Object.keys(failing).map(function (name) { return failing[name]; });
    var summary = document.getElementById("errors");
    if (summary) {  // the server's errors of questions not checked here stay
      summary.querySelectorAll("li a").forEach(function (a) {
        var name = decodeURIComponent(a.getAttribute("href").slice(1));
        if (!names[name]) entries.push({ name: name, text: a.textContent });
      });
      summary.remove();
    }
    failed.forEach(function (c) { entries.push({ name: c.name, text: c.label + ": " + c.message }); });
    var where = function (e) { return document.getElementById("q-" + e.name) || document.getElementById(e.name); };
    entries.sort(function (a, b) {
      var x = where(a), y = where(b);
      return x && y && x !== y ? (x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1) : 0;
    });
    summary = document.createElement("div");
    summary.className = "summary"; summary.id = "errors"; summary.tabIndex = -1;
    summary.setAttribute("role", "alert"); summary.setAttribute("aria-labelledby", "errors-title");
    var title = document.createElement("h2");
    title.id = "errors-title"; title.textContent = form.getAttribute("data-error-title");
    var list = document.createElement("ul");
    entries.forEach(function (e) {
      var item = document.createElement("li"), link = document.createElement("a");
      link.href = "#" + e.name; link.textContent = e.text;
      item.appendChild(link); list.appendChild(item);
    });
    summary.appendChild(title); summary.appendChild(list);
    var heading = document.querySelector("main h1");
    heading.parentNode.insertBefore(summary, heading.nextSibling);
    var prefix = form.getAttribute("data-error-prefix") + " ";
    if (document.title.indexOf(prefix) !== 0) document.title = prefix + document.title;
    var skip = document.querySelector("a.skip");
    if (skip) skip.setAttribute("href", "#errors");
    summary.focus();
  }

  // ---- what was typed or ticked on a page of the questionnaire survives a reload (a phone's
  // pull-to-refresh) until the page is sent: kept in this tab's sessionStorage only (gone when the
  // tab closes), under the page's own address, and restored only when the page is reloaded
  var keepKey = form && form.getAttribute("action").indexOf("/verder/") >= 0 && "afstand:" + location.pathname + location.search;
  var keeping = null;
  try { keeping = keepKey && window.sessionStorage; } catch (e) { keeping = null; }
  function keptFields() { return form.querySelectorAll("input[name^='q-'], textarea[name^='q-']"); }
  function keep() {
    var kept = {};
    keptFields().forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") { kept[el.name] = kept[el.name] || []; if (el.checked) kept[el.name].push(el.value); }
      else kept[el.name] = el.value;
    });
    try { keeping.setItem(keepKey, JSON.stringify(kept)); } catch (e) { /* full or blocked: nothing kept */ }
  }
  if (keeping) {
    var navigation = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var kept = null;
    try { kept = JSON.parse(keeping.getItem(keepKey) || "null"); } catch (e) { kept = null; }
    if (kept && navigation && navigation.type === "reload") {
      keptFields().forEach(function (el) {
        if (!Object.prototype.hasOwnProperty.call(kept, el.name)) return;
        if (el.type === "radio" || el.type === "checkbox") el.checked = kept[el.name].indexOf(el.value) >= 0;
        else el.value = kept[el.name];
      });
    } else keeping.removeItem(keepKey);
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("click", function (event) { if (event.target.closest("button[data-clear]")) setTimeout(keep, 0); });
  }

  if (form) {
    var contextNode = document.getElementById("context");
    var logic = contextNode ? JSON.parse(contextNode.textContent || "{}") : {};
    logic.values = logic.values || {};
    var calculations = [];
    (logic.calculations || []).forEach(function (c) {
      try { calculations.push({ name: c[0], tokens: tokenize(c[1]), refs: c[2], conditions: compile(c[3] || []), env: c[4] || {} }); } catch (e) { /* left empty */ }
    });
    var conditions = [];
    form.querySelectorAll("[data-relevant]").forEach(function (node) {
      try {
        var text = node.getAttribute("data-relevant");
        var list = text.charAt(0) === "[" ? JSON.parse(text) : [[text, {}]];
        conditions.push({ node: node, conditions: compile(list) });
      } catch (e) { /* the server decides */ }
    });
    // a required that is a condition on this page's answers: asked for exactly while it holds
    var requirements = [];
    form.querySelectorAll("[data-required-if]").forEach(function (node) {
      try {
        var c = JSON.parse(node.getAttribute("data-required-if"));
        requirements.push({ node: node, check: { tokens: tokenize(c[0]), refs: c[1], env: c[2] || {} } });
      } catch (e) { /* the server decides */ }
    });
    var computed = {};
    function requiredNow(node) {  // true, false, or null when this script cannot tell (the server decides)
      if (node.hasAttribute("data-required")) return true;
      var entry = requirements.filter(function (r) { return r.node === node; })[0];
      if (!entry) return false;
      try { return bool(evaluate(logic, computed, entry.check, "")); } catch (e) { return null; }
    }
    var update = function () {
      computed = showAndHide(logic, calculations, conditions);
      requirements.forEach(function (r) {
        var mark = r.node.querySelector("[data-required-mark]");
        if (mark) mark.hidden = requiredNow(r.node) !== true;
      });
    };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
    var constraints = [];
    form.querySelectorAll("[data-constraint]").forEach(function (node) {
      try {
        var c = JSON.parse(node.getAttribute("data-constraint"));
        constraints.push({
          node: node, name: node.id.slice(2), field: node.getAttribute("data-field"), label: node.getAttribute("data-label"),
          message: node.getAttribute("data-message"), check: { tokens: tokenize(c[0]), refs: c[1], env: c[2] || {} }
        });
      } catch (e) { /* the server decides */ }
    });
    // a date or time field the browser cannot read (typed in part): it would be sent empty, and
    // what was typed lost without a word; said here as the server says an unreadable date
    var NOT_READ = { "date": "data-not-a-date", "time": "data-not-a-time", "datetime-local": "data-not-a-datetime" };
    function unreadable() {
      var out = [];
      form.querySelectorAll("input[type=date], input[type=time], input[type=datetime-local]").forEach(function (input) {
        var node = input.closest(".q");
        if (input.disabled || !node || node.closest("[hidden]") || !input.validity || !input.validity.badInput) return;
        out.push({ node: node, name: node.id.slice(2), label: node.getAttribute("data-label"), message: form.getAttribute(NOT_READ[input.type]) });
      });
      return out;
    }
    // a required question that is shown and not answered, as the server checks it (a number or a
    // date the server cannot read counts as typed: its own message comes from the server)
    function required() {  // [the required questions shown, those without an answer]
      var shown = [], empty = [];
      form.querySelectorAll(".q[data-required], .q[data-required-if]").forEach(function (node) {
        if (node.closest("[hidden]") || requiredNow(node) !== true) return;
        var answered = false, fields = 0;
        node.querySelectorAll("input, textarea").forEach(function (input) {
          if (input.disabled || input.name !== node.getAttribute("data-field")) return;
          fields++;
          if (input.type === "radio" || input.type === "checkbox") answered = answered || input.checked;
          else answered = answered || input.value.trim() !== "" || !!(input.validity && input.validity.badInput);
        });
        if (!fields) return;
        var entry = { node: node, name: node.id.slice(2), label: node.getAttribute("data-label"), message: form.getAttribute("data-required") };
        shown.push(entry);
        if (!answered) empty.push(entry);
      });
      return [shown, empty];
    }
    form.addEventListener("submit", function (event) {
      var action = event.submitter ? event.submitter.value : "next";
      if (action !== "next" && action !== "review") return;
      update();
      var result = check(logic, computed, constraints), unread = unreadable(), needed = required();
      var failed = result[1].concat(unread, needed[1]);  // one per question: an empty one has no constraint to break
      if (!failed.length) return;
      event.preventDefault();
      showErrors(result[0].concat(unread, needed[0]), failed);
    });
    form.addEventListener("submit", function (event) {  // sent: the server has it now
      if (keeping && !event.defaultPrevented) keeping.removeItem(keepKey);
    });
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

  // ---- read aloud: only with a voice in the page's language. While a question is read, its
  // button is the stop button ("Stop reading": Enter, Space or a tap); Escape stops it too.
  var body = document.body;
  if (body.hasAttribute("data-read-aloud") && "speechSynthesis" in window) {
    var lang = document.documentElement.lang || "nl";
    var readLabel = body.getAttribute("data-read-aloud"), stopLabel = body.getAttribute("data-read-stop") || readLabel;
    var setUp = false, reading = null;  // reading: {button, utterance}
    var finished = function (utterance) {  // read to the end, or stopped
      if (!reading || (utterance && reading.utterance !== utterance)) return;
      reading.button.textContent = readLabel;
      reading = null;
    };
    var stop = function () {
      if (!reading) return;
      finished();
      window.speechSynthesis.cancel();
    };
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
        button.textContent = readLabel;
        button.addEventListener("click", function () {
          var again = reading && reading.button === button;
          stop();
          if (again) return;
          window.speechSynthesis.cancel();
          var parts = [];
          question.querySelectorAll("legend, .label, .hint, label, th[scope=row]").forEach(function (n) { if (!n.closest("[hidden]")) parts.push(n.textContent.trim()); });
          var utterance = new SpeechSynthesisUtterance(parts.join(". "));
          utterance.lang = voice.lang; utterance.rate = 0.9;
          try { utterance.voice = voice; } catch (e) { /* the language alone picks a voice */ }
          utterance.addEventListener("end", function () { finished(utterance); });
          utterance.addEventListener("error", function () { finished(utterance); });
          reading = { button: button, utterance: utterance };
          button.textContent = stopLabel;
          window.speechSynthesis.speak(utterance);
        });
        question.insertBefore(button, question.querySelector(".hint, .choices, .field") || null);
      });
    };
    attach();
    window.speechSynthesis.addEventListener("voiceschanged", attach);
    document.addEventListener("keydown", function (event) { if (event.key === "Escape" && reading) stop(); });
  }

  // ---- a form's error page is the answer to a post: make its history entry a GET, so that Back,
  // Forward and reload show the form again instead of the browser's "Confirm Form Resubmission"
  if (body.hasAttribute("data-posted") && window.history && history.replaceState) history.replaceState(null, "", location.href);

  var summary = document.getElementById("errors");
  if (summary && document.activeElement !== summary) summary.focus();
})();
