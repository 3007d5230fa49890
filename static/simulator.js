// The chat simulator: signs each message like Twilio (via /simulator/sign), posts it to the real
// webhook, and shows the TwiML reply. Button and list replies (sent through the outbox) show as
// WhatsApp draws them; a tap is posted with the fields Twilio posts (ButtonPayload or ListId).
// Text is always inserted with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const E164 = /^\+[1-9][0-9]{6,14}$/;
const seen = new Set();
// Outbox messages that were there before this number was picked: they belong to earlier
// sessions, so they may fill the inbox but never appear in the chat as if just sent.
let primed = false;

function currentNumber() {
  const picked = $("customer").value;
  return picked || $("number").value.trim();
}

// The picked demo customer's email address: codes and notices by email land there.
function currentEmail() {
  const option = $("customer").selectedOptions[0];
  return option && option.value ? option.dataset.email || "" : "";
}

// Render WhatsApp-style *bold* safely: split on asterisks and build <strong> nodes.
function formatted(text) {
  const fragment = document.createDocumentFragment();
  text.split(/(\*[^*\n]+\*)/).forEach((part) => {
    if (/^\*[^*\n]+\*$/.test(part)) {
      const strong = document.createElement("strong");
      strong.textContent = part.slice(1, -1);
      fragment.appendChild(strong);
    } else {
      withLinks(fragment, part);
    }
  });
  return fragment;
}

// Links in replies (the secure pages) open in a new tab, as WhatsApp would open them.
function withLinks(fragment, text) {
  text.split(/(https?:\/\/[^\s]+)/).forEach((piece) => {
    if (/^https?:\/\//.test(piece)) {
      const link = document.createElement("a");
      link.href = piece;
      link.textContent = piece;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      fragment.appendChild(link);
    } else if (piece) {
      fragment.appendChild(document.createTextNode(piece));
    }
  });
}

// Which way a proactive message went (bot.outbound): free-form inside the 24-hour window
// ("session"), the notice's approved template (with its Content SID), or an SMS.
function pathLabel(message) {
  if (!message.path) return "";
  return message.path === "template" ? `template ${message.content_sid}` : message.path;
}

function bubble(kind, text, mediaUrls, content, path) {
  const item = document.createElement("li");
  item.className = kind;
  if (path) {
    const label = document.createElement("span");
    label.className = "path";
    label.dataset.path = path.split(" ")[0];
    label.textContent = path;
    item.appendChild(label);
  }
  item.appendChild(formatted(content ? shownBody(content) : text));
  if (content) choices(item, content);
  (mediaUrls || []).forEach((url) => {
    const link = document.createElement("a");
    link.href = url;
    link.textContent = "📎 " + (url.split("/").pop() || "attachment");
    link.target = "_blank";
    link.rel = "noopener";
    item.appendChild(document.createElement("br"));
    item.appendChild(link);
  });
  $("chat").appendChild(item);
  $("chat").scrollTop = $("chat").scrollHeight;
  $("hint").hidden = true;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

// A quick reply's buttons, or a list picker's button that opens its items; a tap sends the
// choice's id the way Twilio does, with its title as the Body.
function choices(item, content) {
  const quick = content.types["twilio/quick-reply"];
  const listed = content.types["twilio/list-picker"];
  const box = document.createElement("div");
  box.className = "choices";
  if (quick) {
    quick.actions.forEach((action) => box.appendChild(tapButton(action.title, "button", action.id)));
  } else if (listed) {
    const open = document.createElement("button");
    open.type = "button";
    open.className = "opens";
    open.textContent = "☰ " + listed.button;
    open.setAttribute("aria-expanded", "false");
    const items = document.createElement("div");
    items.className = "items";
    items.hidden = true;
    listed.items.forEach((entry) => {
      const choice = tapButton(entry.item, "list", entry.id);
      const more = document.createElement("small");
      more.textContent = entry.description;
      choice.appendChild(more);
      items.appendChild(choice);
    });
    open.addEventListener("click", () => {
      items.hidden = !items.hidden;
      open.setAttribute("aria-expanded", String(!items.hidden));
    });
    box.appendChild(open);
    box.appendChild(items);
  }
  item.appendChild(box);
}

function tapButton(title, kind, id) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "tap";
  button.dataset.id = id;
  const label = document.createElement("span");
  label.textContent = title;
  button.appendChild(label);
  button.addEventListener("click", () => send(title, { kind, id }).catch(() =>
    showError("The simulator could not reach the server. Is it still running?")));
  return button;
}

async function send(text, tap) {
  const number = currentNumber();
  if (!E164.test(number)) {
    showError("Please enter a number in international format, such as +447700900123.");
    return;
  }
  showError("");
  const signing = await fetch("/simulator/sign", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(tap ? { from: number, body: text, tap } : { from: number, body: text }),
  });
  const signed = await signing.json();
  if (!signing.ok) {
    showError(signed.error || "That message could not be prepared.");
    return;
  }
  bubble("out", text);
  const response = await fetch(signed.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signed.signature,
    },
    body: new URLSearchParams(signed.params).toString(),
  });
  if (response.status !== 200) {
    bubble("system", `The webhook answered ${response.status}.`);
    return;
  }
  const xml = new DOMParser().parseFromString(await response.text(), "application/xml");
  xml.querySelectorAll("Message").forEach((message) => {
    const media = Array.from(message.querySelectorAll("Media")).map((m) => m.textContent);
    const body = message.querySelector("Body");
    const text = body ? body.textContent : Array.from(message.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("");
    bubble("in", text, media);
  });
  refreshInbox();
}

function shownBody(content) {
  const type = content.types["twilio/quick-reply"] || content.types["twilio/list-picker"];
  return type ? type.body : "";
}

async function outboxFor(to) {
  const response = await fetch("/dev/outbox?to=" + encodeURIComponent(to));
  if (!response.ok) return [];
  return (await response.json()).messages;
}

async function refreshInbox() {
  const number = currentNumber();
  const email = currentEmail();
  $("inbox-number").textContent = number ? (email ? `${number} · ${email}` : number) : "—";
  if (!E164.test(number)) return;
  const found = await outboxFor(number);
  if (email) found.push(...(await outboxFor(email)));
  if (number !== currentNumber()) return;  // the picker moved on while we were asking
  found.sort((a, b) => a.created_at.localeCompare(b.created_at));
  found.forEach((message) => {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    if (message.channel === "whatsapp") {
      if (primed) bubble("in", message.body, message.media_urls, message.content, pathLabel(message));
      return;
    }
    const item = document.createElement("li");
    const meta = document.createElement("span");
    meta.className = "meta";
    const path = message.path && message.path !== message.channel ? ` · ${pathLabel(message)}` : "";
    meta.textContent = `${message.channel}${path} · ${message.to} · ${new Date(message.created_at).toLocaleTimeString()}`;
    item.appendChild(meta);
    item.appendChild(document.createTextNode(message.body));
    $("inbox").prepend(item);
  });
  primed = true;
}

function switchNumber() {
  $("number").hidden = $("customer").value !== "";
  $("chat").replaceChildren();
  $("inbox").replaceChildren();
  $("hint").hidden = false;
  seen.clear();
  primed = false;
  showError("");
  refreshInbox();
}

document.addEventListener("DOMContentLoaded", () => {
  $("customer").addEventListener("change", switchNumber);
  $("number").addEventListener("change", switchNumber);
  $("who").addEventListener("submit", (event) => event.preventDefault());
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("message").value;
    if (!text.trim()) return;
    $("message").value = "";
    try {
      await send(text);
    } catch (error) {
      showError("The simulator could not reach the server. Is it still running?");
    }
    $("message").focus();
  });
  switchNumber();
  setInterval(refreshInbox, 2000);
});
