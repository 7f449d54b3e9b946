// curator serve: keyboard triage, edit in place, the draft preview kept current.
// Plain JavaScript, no build step. Every change is a POST carrying the per-launch CSRF
// token and the version of the link the page saw; the server answers at once with the
// links it changed, and the page then asks for the regions redrawn (the week regrouped,
// the draft preview). Text from the web is only ever set as textContent or form values.
"use strict";

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const token = meta("csrf-token");
const pollMs = Number(meta("poll-ms"));
let digest = meta("digest");
let current = null; // the selected item's link id
let busy = false;
let changes = 0; // changes sent: a poll answer read before the last one is dropped

const $ = (id) => document.getElementById(id);
const items = () => Array.from(document.querySelectorAll("#week [data-link-id]"));
const itemOf = (id) => document.querySelector(`#week [data-link-id="${CSS.escape(id)}"]`);

function say(text, isError) {
  const line = $("message");
  line.textContent = text || "";
  line.className = isError ? "error" : "";
}

function select(item, scroll = true) {
  for (const other of document.querySelectorAll("#week .selected")) {
    other.classList.remove("selected");
    other.removeAttribute("aria-current");
  }
  if (!item) return;
  current = item.dataset.linkId;
  item.classList.add("selected");
  item.setAttribute("aria-current", "true");
  item.focus({ preventScroll: !scroll });
  if (scroll) item.scrollIntoView({ block: "nearest" });
}

function step(delta) {
  const all = items();
  if (!all.length) return;
  const at = all.findIndex((item) => item.dataset.linkId === current);
  const next = at === -1 ? 0 : Math.min(Math.max(at + delta, 0), all.length - 1);
  select(all[next]);
}

function apply(regions) {
  if (regions.week === undefined) return;
  $("week").innerHTML = regions.week; // rendered by the server, every value escaped
  $("draft-text").textContent = regions.draft;
  $("draft-html").innerHTML = regions.draft_html; // Markdown rendered with raw HTML off
  const warnings = $("warnings");
  warnings.replaceChildren(
    ...regions.warnings.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }),
  );
  digest = regions.digest;
  const again = current && itemOf(current);
  if (again) select(again, false);
}

// What a change's answer says at once: each changed link's version (the next change
// sends it) and decision; the regions follow.
const DECIDED = ["pick", "pin", "skip", "feature"];

function update(links) {
  for (const [id, link] of Object.entries(links || {})) {
    const item = itemOf(id);
    if (!item) continue;
    item.dataset.version = link.version;
    item.classList.remove(...DECIDED);
    if (link.decision) item.classList.add(link.decision);
    item.querySelector(".decision").textContent = link.decision || "undecided";
  }
}

// Changes go out one at a time, in the order they were asked for, each with the link's
// version as the answer to the one before left it: keys typed quickly are never refused
// as stale. Once the last one is answered, the regions are asked for.
let queue = Promise.resolve(0);
let pending = 0;

function post(path, body) {
  pending += 1;
  changes += 1;
  busy = true;
  queue = queue.then(() => send(path, typeof body === "function" ? body() : body));
  queue = queue.finally(() => {
    pending -= 1;
    busy = pending > 0;
    if (!busy) refresh();
  });
  return queue;
}

// The answer's HTTP status, 0 when there was none to read.
async function send(path, body) {
  if (body === null) return 0;
  try {
    const response = await fetch(path + location.search, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body),
    });
    const type = response.headers.get("content-type") || "";
    if (!type.startsWith("application/json")) {
      say(await response.text(), true);
      return 0;
    }
    const answer = await response.json();
    update(answer.links);
    say(answer.error || answer.message, Boolean(answer.error));
    return response.status;
  } catch (error) {
    say(`cannot reach curator serve: ${error}`, true);
    return 0;
  }
}

// The regions as they are now; dropped when a change went out meanwhile (the refresh
// after that one follows) or while an edit form is open (never redraw under typing).
async function refresh() {
  const query = new URLSearchParams(location.search);
  query.set("known", digest);
  const before = changes;
  try {
    const response = await fetch(`/regions?${query}`);
    const current = before === changes && !busy && !document.querySelector("form.edit");
    if (response.status === 200 && current) apply(await response.json());
  } catch (error) {
    say(`cannot reach curator serve: ${error}`, true);
  }
}

function act(item, action) {
  if (!item) return;
  select(item);
  if (action === "edit") return edit(item, "title");
  const id = item.dataset.linkId;
  post(`/links/${id}/${action}`, () => {
    const now = itemOf(id);
    return now ? { version: now.dataset.version } : null;
  });
}

function field(form, label, name, value, multiline) {
  const wrap = document.createElement("label");
  wrap.textContent = label + " ";
  const input = document.createElement(multiline ? "textarea" : "input");
  input.name = name;
  input.value = value;
  input.dataset.initial = value;
  wrap.append(input);
  form.append(wrap);
  return input;
}

function edit(item, focus) {
  if (item.querySelector("form.edit")) return;
  const form = document.createElement("form");
  form.className = "edit";
  form.setAttribute("aria-label", "Edit link");
  const title = item.dataset.title || item.querySelector(".title").textContent;
  const summary = item.dataset.summary || "";
  const inputs = {
    title: field(form, "Title", "title", title, false),
    summary: field(form, "Summary", "summary", summary, true),
    url: field(form, "URL", "url", item.dataset.url || item.dataset.shownUrl, false),
  };
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = "Save";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.textContent = "Cancel";
  form.append(save, cancel);
  cancel.addEventListener("click", () => close(form, item));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveEdit(form, item, inputs);
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close(form, item);
    if (event.key === "Enter" && event.target.tagName === "TEXTAREA" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  item.append(form);
  inputs[focus].focus();
  inputs[focus].select();
}

function close(form, item) {
  form.remove();
  select(item);
}

async function saveEdit(form, item, inputs) {
  const body = { version: item.dataset.version };
  for (const [name, input] of Object.entries(inputs)) {
    if (input.value !== input.dataset.initial) body[name] = input.value;
  }
  if (Object.keys(body).length === 1) return close(form, item);
  // Closed before the answer, unless refused as it was typed (400: fix it and save
  // again); a stale copy's form goes, and the refresh shows the current values.
  form.hidden = true;
  const status = await post(`/links/${item.dataset.linkId}/edit`, body);
  if (status === 400) {
    form.hidden = false;
    form.querySelector("input").focus();
  } else if (form.isConnected) close(form, item);
}

const KEYS = { p: "pick", n: "pin", s: "skip", f: "feature", r: "reset" };

function onKey(event) {
  if (event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, textarea, select, dialog")) return;
  const item = current && itemOf(current);
  if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    event.preventDefault();
    if (item) act(item, event.key === "ArrowUp" ? "up" : "down");
    return;
  }
  if (event.altKey) return;
  if (event.key === "j") step(1);
  else if (event.key === "k") step(-1);
  else if (event.key in KEYS) act(item, KEYS[event.key]);
  else if (event.key === "e" && item) edit(item, "title");
  else if (event.key === "u" && item) edit(item, "url");
  else if (event.key === "?") $("keys").showModal();
  else return;
  event.preventDefault();
}

async function poll() {
  // Never redraw under the author's typing: an edit form stays, and a save from it is
  // checked against the link's current version by the server.
  if (!busy && !document.querySelector("form.edit")) await refresh();
  setTimeout(poll, pollMs);
}

async function copyDraft() {
  const text = $("draft-text").textContent;
  try {
    await navigator.clipboard.writeText(text);
    say("draft copied");
  } catch (error) {
    say(`copy failed: ${error}; select the text and copy it by hand`, true);
  }
}

function toggleHtml() {
  const button = $("toggle-html");
  const showing = button.getAttribute("aria-pressed") === "true";
  button.setAttribute("aria-pressed", String(!showing));
  button.textContent = showing ? "Show as HTML" : "Show Markdown";
  $("draft-html").hidden = showing;
  $("draft-text").hidden = !showing;
}

async function addLink(event) {
  event.preventDefault();
  const form = event.target;
  const status = await post("/add", { url: form.url.value, note: form.note.value });
  if (status === 200) form.reset();
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("keydown", onKey);
  $("week").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) return act(button.closest("[data-link-id]"), button.dataset.action);
    const chosen = event.target.closest("[data-link-id]");
    if (chosen && !event.target.closest("a, form")) select(chosen, false);
  });
  $("add").addEventListener("submit", addLink);
  $("copy").addEventListener("click", copyDraft);
  $("toggle-html").addEventListener("click", toggleHtml);
  $("publish").addEventListener("click", () => post("/publish", {}));
  $("show-keys").addEventListener("click", () => $("keys").showModal());
  $("bookmarklet").addEventListener("click", (event) => {
    event.preventDefault();
    say("drag this link to your bookmarks bar, then use it on any page");
  });
  select(items()[0], false);
  setTimeout(poll, pollMs);
});
