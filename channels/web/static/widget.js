/* Hỏi đáp 57 – chat widget. Embed with one line:
 *   <script src="https://HOST/widget.js" data-title="Hỏi đáp 57" data-color="#0b5cad"></script>
 * Options: data-position="left" (default right), data-offset="16" or "16 96" (px from the side and
 * the bottom), data-teaser="Hỏi đáp" (the short label on the button; "" for the round button only).
 * The API base is taken from this script's own src. Everything runs in a shadow root so the
 * host page's CSS cannot break it; all server text goes in via textContent, never innerHTML.
 * The conversation is kept in sessionStorage (this tab, every page of the host site) until
 * "Cuộc trò chuyện mới" or the tab is closed. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var BASE = script.src.replace(/\/widget\.js(?:[?#].*)?$/, "");
  var TITLE = script.dataset.title || "Hỏi đáp 57";
  var COLOR = /^#[0-9a-f]{3,8}$|^[a-z]{3,20}$/i.test(script.dataset.color || "") ? script.dataset.color : "";
  var INLINE = script.dataset.mode === "inline";
  var LEFT = script.dataset.position === "left";
  var OFFSET = (script.dataset.offset || "").split(/[\s,]+/).filter(function (n) { return /^\d{1,3}$/.test(n); });
  var TEASER = script.dataset.teaser === undefined ? "Hỏi đáp" : script.dataset.teaser.slice(0, 30);
  var MAX_CHARS = 1000;
  var QUOTE_CHARS = 500;
  var KEPT_ITEMS = 40;
  var STORE_KEY = "hoidap57:" + BASE;
  var SIZES = [15, 17, 19, 22];
  var GREETING = "Xin chào! Tôi trả lời câu hỏi về Nghị quyết 57-NQ/TW và các kế hoạch triển khai, " +
    "kèm trích dẫn nguyên văn từ văn bản. Bạn có thể chọn một câu hỏi gợi ý:";

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

  /* Storage can be refused (privacy settings, sandboxed frames): the widget then just forgets. */
  function load(storage, key) {
    try { return JSON.parse(storage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* not kept */ }
  }
  function newState() {
    return { sessionId: Math.random().toString(36).slice(2) + Date.now().toString(36), items: [], open: false };
  }
  var state = load(window.sessionStorage, STORE_KEY) || newState();
  state.voted = state.voted || {};  // answer id → vote: a reload shows the thanks, not the buttons again
  function keep() {
    state.items = state.items.slice(-KEPT_ITEMS);
    var kept = {};
    state.items.forEach(function (item) {
      var id = item.answer && item.answer.answer_id;
      if (id && state.voted[id]) kept[id] = state.voted[id];
    });
    state.voted = kept;
    save(window.sessionStorage, STORE_KEY, state);
  }

  var host = INLINE ? document.querySelector(script.dataset.target) : el("div", { id: "hoidap57-widget" });
  if (!host) return;
  if (!INLINE) document.body.appendChild(host);
  host.setAttribute("lang", "vi");
  if (COLOR) host.style.setProperty("--hd-color", COLOR);
  if (OFFSET.length) {
    host.style.setProperty("--hd-side", OFFSET[0] + "px");
    host.style.setProperty("--hd-bottom", (OFFSET[1] || OFFSET[0]) + "px");
  }
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: BASE + "/static/widget.css" }));
  var wrap = el("div", { class: "wrap " + (INLINE ? "inline" : "floating") + (LEFT ? " left" : ""), lang: "vi" });
  root.appendChild(wrap);

  var bubble = el("button", { class: "bubble" + (TEASER ? " with-teaser" : ""), type: "button",
                              "aria-expanded": "false", "aria-controls": "hd-panel" });
  bubble.appendChild(chatIcon());
  bubble.appendChild(el("span", { class: "sr-only" }, "Mở " + TITLE + (TEASER ? ": " : "")));
  if (TEASER) bubble.appendChild(el("span", { class: "teaser" }, TEASER));
  // No landmark of its own: on a host page the widget is a dialog, on the chat page a part of <main>.
  var panel = el("div", { class: "panel", id: "hd-panel", "aria-labelledby": "hd-title" });
  if (!INLINE) { panel.setAttribute("role", "dialog"); panel.hidden = true; wrap.appendChild(bubble); }
  wrap.appendChild(panel);

  var head = el("div", { class: "head" });
  head.appendChild(el("h2", { id: "hd-title" }, TITLE));
  var tools = el("div", { class: "tools" });
  function tool(visible, name, cls) {
    var b = el("button", { type: "button", class: "tool " + cls });
    b.appendChild(document.createTextNode(visible));  // the visible text is part of the name (WCAG 2.5.3)
    b.appendChild(el("span", { class: "sr-only" }, " " + name));
    tools.appendChild(b);
    return b;
  }
  var smaller = tool("A−", "chữ nhỏ hơn", "size");
  var larger = tool("A+", "chữ lớn hơn", "size");
  var fresh = el("button", { type: "button", class: "tool fresh" }, "Cuộc trò chuyện mới");
  tools.appendChild(fresh);
  var closeBtn = el("button", { class: "close", type: "button", "aria-label": "Đóng" }, "×");
  if (!INLINE) tools.appendChild(closeBtn);
  head.appendChild(tools);
  panel.appendChild(head);

  // Read by screen readers through `status` below (the short answer and its number of sources),
  // not as a live region: a whole reply, every source line included, is too long to hear.
  var log = el("div", { class: "messages", role: "log", "aria-live": "off", "aria-label": "Hội thoại",
                        tabindex: "0" });
  panel.appendChild(log);
  var status = el("p", { class: "sr-only", role: "status" });
  panel.appendChild(status);

  var form = el("form", { class: "ask" });
  form.appendChild(el("label", { for: "hd-q", class: "sr-only" }, "Câu hỏi của bạn"));
  var input = el("textarea", { id: "hd-q", rows: "2", maxlength: String(MAX_CHARS),
                               placeholder: "Nhập câu hỏi về Nghị quyết 57…", "aria-describedby": "hd-privacy" });
  var send = el("button", { type: "submit", class: "send" }, "Gửi");
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(form);
  panel.appendChild(el("p", { class: "privacy", id: "hd-privacy" },
    "Không nhập số CCCD, số điện thoại hay thông tin cá nhân khác."));

  var size = load(window.localStorage, "hoidap57:size");
  size = SIZES.indexOf(size) >= 0 ? size : SIZES[0];
  function setSize(next) {
    size = next;
    panel.style.setProperty("--hd-size", size + "px");
    smaller.disabled = size === SIZES[0];
    larger.disabled = size === SIZES[SIZES.length - 1];
    save(window.localStorage, "hoidap57:size", size);
  }
  setSize(size);
  smaller.addEventListener("click", function () { setSize(SIZES[Math.max(SIZES.indexOf(size) - 1, 0)]); });
  larger.addEventListener("click", function () { setSize(SIZES[Math.min(SIZES.indexOf(size) + 1, SIZES.length - 1)]); });

  var starters = [];  // the server's suggestions: questions its documents answer
  var contact = null;

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addSuggestions(list, parent) {
    if (!list || !list.length) return;
    var box = el("div", { class: "suggestions", role: "group", "aria-label": "Câu hỏi gợi ý" });
    list.forEach(function (q) {
      var b = el("button", { type: "button", class: "chip" }, q);
      b.addEventListener("click", function () { ask(q); });
      box.appendChild(b);
    });
    (parent || log).appendChild(box);
  }

  function safeHref(url) {
    if (!url) return null;
    try { var parsed = new URL(url, BASE + "/"); } catch (e) { return null; }
    return /^https?:$/.test(parsed.protocol) ? parsed.href : null;
  }

  function link(href, text, title) {
    var node = href ? el("a", { href: href, target: "_blank", rel: "noopener" }, text) : el("span", {}, text);
    if (title) node.setAttribute("title", title);
    return node;
  }

  /* The quote, cut to a window around its first highlight, with highlights as <mark> nodes. */
  function quoteNode(text, highlights) {
    var spans = (highlights || []).slice().sort(function (a, b) { return a[0] - b[0]; });
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

  function addContact(parent) {
    if (!contact) return;
    var box = el("div", { class: "contact" });
    box.appendChild(el("p", { class: "contact-name" }, "Liên hệ: " + contact.name));
    var list = el("ul");
    function item(node) { var li = el("li"); li.appendChild(node); list.appendChild(li); }
    if (contact.phone) item(el("a", { href: "tel:" + contact.phone.replace(/[^\d+]/g, "") }, "Gọi " + contact.phone));
    if (contact.email) item(el("a", { href: "mailto:" + contact.email }, contact.email));
    if (safeHref(contact.url)) item(link(safeHref(contact.url), "Trang liên hệ"));
    if (contact.hours) item(el("span", {}, contact.hours));
    item(link(BASE + "/documents", "Danh sách văn bản"));
    box.appendChild(list);
    parent.appendChild(box);
  }

  function addFeedback(msg, answerId) {
    var row = el("div", { class: "feedback" });
    var label = el("span", { id: "hd-fb-" + answerId }, "Câu trả lời có hữu ích không?");
    row.appendChild(label);
    function done(text) { row.textContent = ""; row.appendChild(el("span", { role: "status" }, text)); }
    function vote(rating, comment) {
      done("Đang gửi góp ý…");
      post("/api/feedback", { answer_id: answerId, rating: rating, comment: comment || "" }).then(function () {
        state.voted[answerId] = rating;
        keep();
        done("Cảm ơn góp ý của bạn.");
      }, function () { done("Chưa gửi được góp ý, vui lòng thử lại sau."); });
    }
    if (state.voted[answerId]) {
      msg.appendChild(row);
      done("Bạn đã góp ý cho câu trả lời này. Cảm ơn bạn.");
      return;
    }
    var up = el("button", { type: "button", class: "vote" }, "👍 Hữu ích");
    var down = el("button", { type: "button", class: "vote" }, "👎 Chưa đúng");
    up.addEventListener("click", function () { vote(1); });
    down.addEventListener("click", function () {
      row.textContent = "";
      var box = el("form", { class: "comment" });
      box.appendChild(el("label", { for: "hd-c-" + answerId }, "Câu trả lời chưa đúng ở đâu? (không bắt buộc)"));
      var text = el("textarea", { id: "hd-c-" + answerId, rows: "2", maxlength: "1000" });
      box.appendChild(text);
      var send = el("button", { type: "submit", class: "chip" }, "Gửi góp ý");
      var skip = el("button", { type: "button", class: "chip" }, "Bỏ qua");
      box.appendChild(send);
      box.appendChild(skip);
      box.addEventListener("submit", function (e) { e.preventDefault(); vote(-1, text.value.trim()); });
      skip.addEventListener("click", function () { vote(-1); });
      row.appendChild(box);
      text.focus();
    });
    row.appendChild(up);
    row.appendChild(down);
    msg.appendChild(row);
  }

  /* The clipboard API exists only on https:// pages; on an http:// host page the text is copied from a hidden
     text box instead. Where the device can share (phones), a share button too. */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var box = el("textarea", { "aria-hidden": "true", class: "offscreen" });
    box.value = text;
    root.appendChild(box);
    box.select();
    var ok = document.execCommand("copy");
    box.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
  }
  function addCopy(msg, text) {
    if (!text) return;
    var b = el("button", { type: "button", class: "vote copy" }, "Sao chép câu trả lời");
    b.addEventListener("click", function () {
      copyText(text).then(function () { b.textContent = "Đã sao chép"; },
        function () { b.textContent = "Chưa sao chép được"; });
    });
    msg.appendChild(b);
    if (!navigator.share) return;
    var share = el("button", { type: "button", class: "vote copy" }, "Chia sẻ");
    share.addEventListener("click", function () { navigator.share({ text: text }).catch(function () {}); });
    msg.appendChild(share);
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
        var quote = c.quote_shown === undefined ? c.quote : c.quote_shown;
        if (quote) item.appendChild(quoteNode(quote, c.highlights_shown || c.highlights));
        item.appendChild(link(safeHref(c.link || c.url), "[" + (i + 1) + "] " + (c.label || c.title || "Văn bản"),
                              c.source || c.title));
        list.appendChild(item);
      });
      msg.appendChild(list);
    }
    if (more.length) {
      var box = el("details", { class: "more" });
      box.appendChild(el("summary", {}, "Xem thêm (" + more.length + ")"));
      var ul = el("ul");
      more.forEach(function (c) {
        var li = el("li");
        li.appendChild(link(safeHref(c.link || c.url), c.label || c.title || "Văn bản", c.source || c.title));
        if (c.snippet) li.appendChild(el("span", { class: "snippet" }, c.snippet));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      msg.appendChild(box);
    }
    var answered = a.status === "answered";
    if (answered) {
      var actions = el("div", { class: "actions" });
      addCopy(actions, a.share_text);
      msg.appendChild(actions);
      if (a.answer_id) addFeedback(msg, a.answer_id);
    }
    log.appendChild(msg);
    // No dead end: a reply that is not an answer always offers questions to try and a contact.
    var chips = a.suggestions && a.suggestions.length ? a.suggestions : (answered ? [] : starters);
    addSuggestions(chips);
    if (!answered) addContact(msg);
    return msg;
  }

  function announce(a) {
    var n = (a.citations || []).filter(function (c) { return c.role !== "more"; }).length;
    status.textContent = a.text + (n ? " " + n + " nguồn trích dẫn." : "");
  }

  function addError(text, question, asNew) {
    var msg = el("div", { class: "msg error", role: "alert" });
    msg.appendChild(el("p", {}, text));
    var retry = el("button", { type: "button", class: "chip" }, "Thử lại");
    retry.addEventListener("click", function () { msg.remove(); ask(question, !asNew); });
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

  function addUser(text) { log.appendChild(el("div", { class: "msg user" }, text)); }

  var busy = false;
  function ask(question, retrying) {
    question = (question || "").trim();
    if (!question || busy) return;
    if (!retrying) { addUser(question); state.items.push({ user: question }); keep(); }
    busy = true;
    send.disabled = true;
    panel.setAttribute("aria-busy", "true");
    var typing = el("div", { class: "msg bot typing", "aria-hidden": "true" });
    typing.appendChild(el("span", { class: "dots" }, "● ● ●"));
    log.appendChild(typing);
    status.textContent = "Đang tìm câu trả lời trong văn bản…";
    scrollDown();
    post("/api/ask", { question: question, session_id: state.sessionId }).then(function (a) {
      typing.remove();
      state.items.push({ answer: a });
      keep();
      announce(a);
      return addAnswer(a);
    }, function (err) {
      typing.remove();
      status.textContent = "";
      return addError(err.server && err.message ? err.message : "Mất kết nối, vui lòng thử lại.", question);
    }).then(function (msg) {
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

  var phone = window.matchMedia("(max-width: 480px)");
  function setOpen(open, quiet) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    wrap.classList.toggle("open", open);
    if (phone.matches) panel.setAttribute("aria-modal", "true"); else panel.removeAttribute("aria-modal");
    state.open = open;
    keep();
    if (!quiet) (open ? input : bubble).focus();
  }
  /* Full screen on a phone the dialog is modal: Tab and Shift+Tab stay inside it. */
  function trapFocus(e) {
    if (e.key !== "Tab" || INLINE || !phone.matches) return;
    var items = Array.prototype.filter.call(
      panel.querySelectorAll("button, a[href], textarea, summary, [tabindex='0']"),
      function (n) { return !n.disabled && n.getClientRects().length; });
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = root.activeElement;
    if (e.shiftKey && (active === first || !panel.contains(active))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || !panel.contains(active))) { e.preventDefault(); first.focus(); }
  }
  bubble.addEventListener("click", function () { setOpen(panel.hidden); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !INLINE) { e.stopPropagation(); setOpen(false); }
    trapFocus(e);
  });

  function greet() {
    log.appendChild(el("div", { class: "msg bot" }, GREETING));
    addSuggestions(starters);
  }
  function replay() {
    log.textContent = "";
    log.appendChild(el("div", { class: "msg bot" }, GREETING));
    var items = state.items;
    items.forEach(function (item, i) {
      if (item.answer) { addAnswer(item.answer); return; }
      addUser(item.user);
      // A question left without an answer (refused as too fast, connection lost, page closed): one click asks it
      // again; the last one in place, an earlier one as a new question at the end.
      if (!(items[i + 1] && items[i + 1].answer)) addError("Câu hỏi này chưa được trả lời.", item.user, i < items.length - 1);
    });
    scrollDown();
  }
  fresh.addEventListener("click", function () {
    state = newState();
    state.open = !panel.hidden || INLINE;
    keep();
    log.textContent = "";
    status.textContent = "Đã bắt đầu cuộc trò chuyện mới.";
    greet();
    input.focus();
  });

  function getJSON(path, fallback) {
    return fetch(BASE + path).then(function (r) { return r.ok ? r.json() : fallback; })
      .catch(function () { return fallback; });
  }
  // The server's suggestions (questions its documents answer) and contact come first: a kept
  // conversation's replies that are not answers show them again.
  Promise.all([getJSON("/api/contact", null), getJSON("/api/suggestions", { suggestions: [] })])
    .then(function (data) {
      contact = data[0];
      starters = data[1].suggestions || [];
      if (state.items.length) replay(); else greet();
    });
  if (!INLINE && state.open) setOpen(true, true);
})();
