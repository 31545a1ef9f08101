/* Hỏi đáp 57 – chat widget. Embed with one line:
 *   <script src="https://HOST/widget.js" data-title="Hỏi đáp 57" data-color="#0b5cad"></script>
 * The API base is taken from this script's own src. Everything runs in a shadow root so the
 * host page's CSS cannot break it; all server text goes in via textContent, never innerHTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var BASE = script.src.replace(/\/widget\.js(?:[?#].*)?$/, "");
  var TITLE = script.dataset.title || "Hỏi đáp 57";
  var COLOR = /^#[0-9a-f]{3,8}$|^[a-z]{3,20}$/i.test(script.dataset.color || "") ? script.dataset.color : "";
  var INLINE = script.dataset.mode === "inline";
  var MAX_CHARS = 1000;
  var QUOTE_CHARS = 500;
  var sessionId = Math.random().toString(36).slice(2) + Date.now().toString(36);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chatIcon() {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  var host = INLINE ? document.querySelector(script.dataset.target) : el("div", { id: "hoidap57-widget" });
  if (!host) return;
  if (!INLINE) document.body.appendChild(host);
  if (COLOR) host.style.setProperty("--hd-color", COLOR);
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: BASE + "/static/widget.css" }));
  var wrap = el("div", { class: INLINE ? "wrap inline" : "wrap floating" });
  root.appendChild(wrap);

  var bubble = el("button", { class: "bubble", type: "button", "aria-expanded": "false",
                              "aria-controls": "hd-panel", "aria-label": "Mở " + TITLE });
  bubble.appendChild(chatIcon());
  var panel = el("section", { class: "panel", id: "hd-panel", "aria-labelledby": "hd-title" });
  if (!INLINE) { panel.setAttribute("role", "dialog"); panel.hidden = true; wrap.appendChild(bubble); }
  wrap.appendChild(panel);

  var head = el("header", { class: "head" });
  head.appendChild(el("h2", { id: "hd-title" }, TITLE));
  var closeBtn = el("button", { class: "close", type: "button", "aria-label": "Đóng" }, "×");
  if (!INLINE) head.appendChild(closeBtn);
  panel.appendChild(head);

  var log = el("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Hội thoại" });
  panel.appendChild(log);
  var status = el("p", { class: "status", role: "status" });
  panel.appendChild(status);

  var form = el("form", { class: "ask" });
  form.appendChild(el("label", { for: "hd-q", class: "sr-only" }, "Câu hỏi của bạn"));
  var input = el("textarea", { id: "hd-q", rows: "2", maxlength: String(MAX_CHARS),
                               placeholder: "Nhập câu hỏi về Nghị quyết 57…" });
  var send = el("button", { type: "submit", class: "send" }, "Gửi");
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(form);

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addSuggestions(list) {
    if (!list || !list.length) return;
    var box = el("div", { class: "suggestions", role: "group", "aria-label": "Câu hỏi gợi ý" });
    list.forEach(function (q) {
      var b = el("button", { type: "button", class: "chip" }, q);
      b.addEventListener("click", function () { ask(q); });
      box.appendChild(b);
    });
    log.appendChild(box);
  }

  function safeUrl(c) {
    if (!c.url) return null;
    try { var url = new URL(c.url, BASE + "/"); } catch (e) { return null; }
    return /^https?:$/.test(url.protocol) ? url.href : null;
  }

  function source(c, i) {
    var label = (i === undefined ? "" : "[" + (i + 1) + "] ") + (c.source || c.title || "Văn bản");
    var href = safeUrl(c);
    return href ? el("a", { href: href, target: "_blank", rel: "noopener" }, label) : el("span", {}, label);
  }

  /* The quote, cut to a window around its first highlight, with highlights as <mark> nodes. */
  function quoteNode(c) {
    var text = c.quote, spans = (c.highlights || []).slice().sort(function (a, b) { return a[0] - b[0]; });
    var from = 0, to = text.length;
    if (text.length > QUOTE_CHARS) {
      from = spans.length ? Math.max(0, Math.min(spans[0][0] - 100, text.length - QUOTE_CHARS)) : 0;
      to = from + QUOTE_CHARS;
    }
    var node = el("blockquote"), pos = from;
    if (from > 0) node.appendChild(document.createTextNode("…"));
    spans.forEach(function (sp) {
      var a = Math.max(sp[0], pos), b = Math.min(sp[1], to);
      if (a >= b) return;
      node.appendChild(document.createTextNode(text.slice(pos, a)));
      node.appendChild(el("mark", {}, text.slice(a, b)));
      pos = b;
    });
    node.appendChild(document.createTextNode(text.slice(pos, to) + (to < text.length ? "…" : "")));
    return node;
  }

  function addFeedback(msg, answerId) {
    var row = el("div", { class: "feedback" });
    row.appendChild(el("span", {}, "Câu trả lời có hữu ích không?"));
    [[1, "👍 Có", "Hữu ích"], [-1, "👎 Không", "Không hữu ích"]].forEach(function (v) {
      var b = el("button", { type: "button", class: "vote", "aria-label": v[2] }, v[1]);
      b.addEventListener("click", function () {
        row.textContent = "Đang gửi góp ý…";
        post("/api/feedback", { answer_id: answerId, rating: v[0] }).then(function () {
          row.textContent = "Cảm ơn góp ý của bạn.";
        }, function () { row.textContent = "Chưa gửi được góp ý, vui lòng thử lại sau."; });
      });
      row.appendChild(b);
    });
    msg.appendChild(row);
  }

  function addAnswer(a) {
    var msg = el("div", { class: "msg bot" });
    msg.appendChild(el("p", { class: "text" }, a.text));
    var cites = a.citations || [];
    var main = cites.filter(function (c) { return c.role !== "more"; });
    var more = cites.filter(function (c) { return c.role === "more"; });
    if (main.length) {
      var list = el("ol", { class: "citations", "aria-label": "Trích dẫn" });
      main.forEach(function (c, i) {
        var item = el("li");
        if (main.length > 1 && c.locality) item.appendChild(el("p", { class: "locality" }, c.locality));
        if (c.quote) item.appendChild(quoteNode(c));
        item.appendChild(source(c, i));
        list.appendChild(item);
      });
      msg.appendChild(list);
    }
    if (more.length) {
      var box = el("div", { class: "more" });
      box.appendChild(el("p", {}, "Xem thêm:"));
      var ul = el("ul");
      more.forEach(function (c) { var li = el("li"); li.appendChild(source(c)); ul.appendChild(li); });
      box.appendChild(ul);
      msg.appendChild(box);
    }
    if (a.answer_id) addFeedback(msg, a.answer_id);
    log.appendChild(msg);
    addSuggestions(a.suggestions);
    return msg;
  }

  function addError(text, question) {
    var msg = el("div", { class: "msg error", role: "alert" });
    msg.appendChild(el("p", {}, text));
    var retry = el("button", { type: "button", class: "chip" }, "Thử lại");
    retry.addEventListener("click", function () { msg.remove(); ask(question, true); });
    msg.appendChild(retry);
    log.appendChild(msg);
    return msg;
  }

  function post(path, body) {
    return fetch(BASE + path, { method: "POST", headers: { "Content-Type": "application/json" },
                                body: JSON.stringify(body) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { var err = new Error(data.detail || ""); err.server = true; throw err; }
        return data;
      });
    });
  }

  var busy = false;
  function ask(question, retrying) {
    question = (question || "").trim();
    if (!question || busy) return;
    if (!retrying) log.appendChild(el("div", { class: "msg user" }, question));
    busy = true;
    send.disabled = true;
    panel.setAttribute("aria-busy", "true");
    var typing = el("div", { class: "msg bot typing", "aria-hidden": "true" });
    typing.appendChild(el("span", { class: "dots" }, "● ● ●"));
    log.appendChild(typing);
    status.textContent = "Đang tìm câu trả lời trong văn bản…";
    scrollDown();
    post("/api/ask", { question: question, session_id: sessionId }).then(function (a) {
      typing.remove();
      return addAnswer(a);
    }, function (err) {
      typing.remove();
      return addError(err.server && err.message ? err.message : "Mất kết nối, vui lòng thử lại.", question);
    }).then(function (msg) {
      status.textContent = "";
      busy = false;
      send.disabled = false;
      panel.removeAttribute("aria-busy");
      log.scrollTop = msg.offsetTop - 8;  // show the new message from its first line
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value;
    input.value = "";
    ask(q);
    input.focus();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });

  function setOpen(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    wrap.classList.toggle("open", open);
    (open ? input : bubble).focus();
  }
  bubble.addEventListener("click", function () { setOpen(panel.hidden); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !INLINE) { e.stopPropagation(); setOpen(false); }
  });

  log.appendChild(el("div", { class: "msg bot" },
    "Xin chào! Tôi trả lời câu hỏi về Nghị quyết 57-NQ/TW và các kế hoạch triển khai, " +
    "kèm trích dẫn nguyên văn từ văn bản. Bạn có thể chọn một câu hỏi gợi ý:"));
  // The server's suggestions are questions it answers from the documents it holds now.
  fetch(BASE + "/api/suggestions").then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
    .then(function (data) { addSuggestions(data.suggestions); }, function () {});
})();
